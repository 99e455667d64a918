import { Ctx, Field, FieldResolver, Float, GraphQLISODateTime, ObjectType, registerEnumType, Resolver, Root } from 'type-graphql';
import { nanosToUsd } from '../common/money.js';
import type { GqlContext } from '../graphql/context.js';
import { upperCaseEnum } from '../graphql/enums.js';
import { VirtualKey } from '../keys/key.entity.js';
import type { Cap } from './explain.js';
import { keyLimits, type KeyLimitsView } from './limits.service.js';
import { BudgetRunway, runwayToGql } from './runway.gql.js';

const LimitKindEnum = upperCaseEnum(['budget', 'rpm', 'tpm', 'parallel'] as const);
registerEnumType(LimitKindEnum, {
  name: 'LimitKind',
  description: 'What a cap counts.',
  valuesConfig: {
    BUDGET: { description: 'Spend in USD in the current budget window.' },
    RPM: { description: 'Requests in the current minute.' },
    TPM: { description: 'Tokens in the current minute.' },
    PARALLEL: { description: 'Calls in flight at once.' },
  },
});

const LimitScopeEnum = upperCaseEnum(['key', 'user', 'team', 'member'] as const);
registerEnumType(LimitScopeEnum, {
  name: 'LimitScope',
  description: 'Whose cap it is.',
  valuesConfig: {
    KEY: { description: 'The key itself.' },
    USER: { description: 'The owner’s personal budget (personal keys only).' },
    TEAM: { description: 'The key’s team.' },
    MEMBER: { description: 'The owner’s budget inside the key’s team.' },
  },
});

const money = (c: Cap, v: number) => (c.kind === 'budget' ? nanosToUsd(v)! : v);

@ObjectType({ description: 'One cap that applies to a key now, with the gateway’s current figures.' })
class LimitCap {
  @Field(() => LimitKindEnum, { description: 'What the cap counts.' })
  kind!: Cap['kind'];

  @Field(() => LimitScopeEnum, { description: 'Whose cap it is.' })
  scope!: Cap['scope'];

  @Field(() => String, { description: 'Whose cap, as the gateway names it (for example "team t1").' })
  label!: string;

  @Field(() => Float, { description: 'The cap: USD for budgets, a count otherwise.' })
  limit!: number;

  @Field(() => Float, { description: 'Spent (USD) or counted so far in the current window.' })
  used!: number;

  @Field(() => Float, { description: 'Estimated cost (USD) of calls in flight, held against a budget; 0 for counters.' })
  reserved!: number;

  @Field(() => Float, { description: 'What may still be used before the cap refuses; 0 while it refuses.' })
  remaining!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the figure next drops to 0 (UTC); null = never.' })
  resetsAt!: Date | null;

  @Field(() => Boolean, { description: 'Whether this cap refuses a call now.' })
  refuses!: boolean;

  @Field(() => String, { description: 'What the gateway answers (HTTP 429) while this cap refuses.' })
  message!: string;

  @Field(() => BudgetRunway, { nullable: true, description: 'For a budget: when it runs out at the current 7-day spend rate; null for counters.' })
  runway!: BudgetRunway | null;
}

@ObjectType({ description: 'Why a key can or cannot call now, computed by the gateway’s own admission rules.' })
class KeyCallLimits {
  @Field(() => Boolean, { description: 'Whether the gateway would admit a call with this key now.' })
  callable!: boolean;

  @Field(() => String, { nullable: true, description: 'What stops a call now, in the gateway’s words; null when callable.' })
  refusal!: string | null;

  @Field(() => [LimitCap], { description: 'Every cap that applies, first the one that stops a call first.' })
  caps!: LimitCap[];
}

function toGql(v: KeyLimitsView): KeyCallLimits {
  return {
    callable: v.callable,
    refusal: v.refusal,
    caps: v.caps.map((c) => ({
      kind: c.kind,
      scope: c.scope,
      label: c.label,
      limit: money(c, c.limit),
      used: money(c, c.used),
      reserved: money(c, c.reserved),
      remaining: money(c, c.remaining),
      resetsAt: c.resetsAt === null ? null : new Date(c.resetsAt),
      refuses: c.refuses,
      message: c.message,
      runway: c.runway ? runwayToGql(c.runway) : null,
    })),
  };
}

@Resolver(() => VirtualKey)
export class KeyLimitsResolver {
  @FieldResolver(() => KeyCallLimits, { nullable: true, description: 'Every cap on this key now (Why can’t I call?); null while the gateway is not running.' })
  async limits(@Root() k: VirtualKey, @Ctx() ctx: GqlContext) {
    const v = await keyLimits(ctx, k);
    return v && toGql(v);
  }
}
