import { Ctx, FieldResolver, Resolver, Root } from 'type-graphql';
import type { GqlContext } from '../graphql/context.js';
import { Customer } from '../customers/customer.entity.js';
import { effectiveLimits } from '../customers/effective.js';
import { VirtualKey } from '../keys/key.entity.js';
import { mayReadMemberBudget } from '../teams/membership.service.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { Team } from '../teams/team.entity.js';
import { User } from '../users/user.entity.js';
import type { Budget } from './budget.embeddable.js';
import type { BlockingRef } from './ref.js';
import { runwayOf } from './runway.js';
import { BudgetRunway, runwayToGql } from './runway.gql.js';

const DESCRIPTION = 'When this budget runs out at its 7-day spend rate, and whether before its next reset.';

async function runway(ctx: GqlContext, ref: BlockingRef, b: Budget, spend = b.spend): Promise<BudgetRunway> {
  return runwayToGql(await runwayOf(ctx.em, ref, { max: b.maxBudget, spend, resetAt: b.budgetResetAt?.getTime() ?? null }));
}

// the figures stored with each budget (the limits explainer adds calls in flight)
@Resolver(() => VirtualKey)
export class KeyRunwayResolver {
  @FieldResolver(() => BudgetRunway, { description: DESCRIPTION })
  runway(@Root() k: VirtualKey, @Ctx() ctx: GqlContext) {
    return runway(ctx, { kind: 'key', keyId: k.id }, k.budget);
  }
}

@Resolver(() => User)
export class UserRunwayResolver {
  @FieldResolver(() => BudgetRunway, { description: `${DESCRIPTION} The user budget counts personal keys only.` })
  runway(@Root() u: User, @Ctx() ctx: GqlContext) {
    return runway(ctx, { kind: 'user', userId: u.id }, u.budget, u.personalSpendNanos);
  }
}

@Resolver(() => Team)
export class TeamRunwayResolver {
  @FieldResolver(() => BudgetRunway, { description: DESCRIPTION })
  runway(@Root() t: Team, @Ctx() ctx: GqlContext) {
    return runway(ctx, { kind: 'team', teamId: t.id }, t.budget);
  }
}

@Resolver(() => TeamMembership)
export class MemberRunwayResolver {
  @FieldResolver(() => BudgetRunway, { nullable: true, description: `${DESCRIPTION} Null unless the caller may see the member budget.` })
  runway(@Root() m: TeamMembership, @Ctx() ctx: GqlContext) {
    return mayReadMemberBudget(ctx, m) ? runway(ctx, { kind: 'member', teamId: m.team.id, userId: m.user.id }, m.budget) : null;
  }
}

@Resolver(() => Customer)
export class CustomerRunwayResolver {
  @FieldResolver(() => BudgetRunway, { description: `${DESCRIPTION} The budget is the one that bounds the customer: its own, else its named budget's.` })
  runway(@Root() c: Customer, @Ctx() ctx: GqlContext) {
    // the customer's window is its own row's, whatever budget bounds it (customers/effective.ts)
    const max = effectiveLimits(c).maxBudget;
    return runwayOf(ctx.em, { kind: 'customer', customerId: c.id }, { max, spend: c.budget.spend, resetAt: c.budget.budgetResetAt?.getTime() ?? null }).then(runwayToGql);
  }
}
