import { GraphQLJSONObject } from 'graphql-scalars';
import { revokeLeakedKey } from './leaked.service.js';
import { claimRotatedKey } from './rotation.service.js';
import { Arg, Ctx, Field, FieldResolver, Float, GraphQLISODateTime, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { toConnection } from '../graphql/connection.js';
import type { GqlContext } from '../graphql/context.js';
import { Team } from '../teams/team.entity.js';
import { visibleTeam } from '../teams/team.service.js';
import { User } from '../users/user.entity.js';
import { KeyConnectionForUser } from '../users/user.resolver.js';
import { visibleUser } from '../users/user.service.js';
import { VirtualKey } from './key.entity.js';
import type { KeyParams } from './key.rules.js';
import { deleteKeys, generateKey, generatePlaygroundKey, getKey, listKeys, regenerateKey, setKeyBlocked, updateKey } from './key.service.js';

@InputType({ description: 'Key settings (LiteLLM names in camelCase). Omitted = default / unchanged; null = none.' })
class KeyFieldsInput {
  @Field(() => String, { nullable: true, description: 'Unique alias.' })
  keyAlias?: string | null;

  @Field(() => [String], { nullable: true, description: 'Models the key may use; empty = all the owner or team may use.' })
  models?: string[] | null;

  @Field(() => Float, { nullable: true, description: 'Key budget in USD.' })
  maxBudget?: number | null;

  @Field(() => Float, { nullable: true, description: 'Soft budget in USD (alerts only).' })
  softBudget?: number | null;

  @Field(() => String, { nullable: true, description: 'Budget reset period, e.g. 30d or 1mo.' })
  budgetDuration?: string | null;

  @Field(() => String, { nullable: true, description: 'Lifetime, e.g. 30d; null or "-1" on update = never expires.' })
  duration?: string | null;

  @Field(() => Int, { nullable: true, description: 'Tokens per minute.' })
  tpmLimit?: number | null;

  @Field(() => Int, { nullable: true, description: 'Requests per minute.' })
  rpmLimit?: number | null;

  @Field(() => Int, { nullable: true, description: 'Calls in flight at once.' })
  maxParallelRequests?: number | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Free-form metadata.' })
  metadata?: Record<string, unknown> | null;

  @Field(() => Boolean, { nullable: true, description: 'Rotate the secret on schedule every rotationInterval (LiteLLM `auto_rotate`).' })
  autoRotate?: boolean | null;

  @Field(() => String, { nullable: true, description: 'How often autoRotate gives the key a new secret, e.g. 30d (LiteLLM `rotation_interval`).' })
  rotationInterval?: string | null;
}

@InputType({ description: 'A new key. Without teamId it is a personal key; without userId it is the caller\'s.' })
class GenerateKeyInput extends KeyFieldsInput {
  @Field(() => ID, { nullable: true, description: 'Owner (proxy_admin may mint for others).' })
  userId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Team for a team key.' })
  teamId?: string | null;
}

@InputType({ description: 'A key for the dashboard’s Try it panel.' })
class PlaygroundKeyInput {
  @Field(() => [String], { nullable: true, description: 'Models the key may use; empty = all your personal keys may use.' })
  models?: string[] | null;
}

/** What update and regenerate may change: a base class only, so each mutation keeps its own input type. */
@InputType({ description: 'Shared fields (not in the schema: no resolver names this type).' })
class KeyChangeFields extends GenerateKeyInput {
  @Field(() => ID, { description: 'Key id (or its secret or token hash).' })
  id!: string;

  @Field(() => Float, { nullable: true, description: 'Correct the spend in the current window (USD).' })
  spend?: number | null;
}

@InputType({ description: 'Changes to a key. Owner, team and spend: proxy_admin only.' })
class UpdateKeyInput extends KeyChangeFields {}

@InputType({ description: 'A key to give a new secret, with optional changes as in updateKey.' })
class RegenerateKeyInput extends KeyChangeFields {
  @Field(() => String, {
    nullable: true,
    description: 'How long the old secret keeps working, e.g. 24h (at most general_settings.key_rotation_max_grace_period); omitted = it stops at once.',
  })
  gracePeriod?: string | null;
}

/** The key a one-key mutation acts on: a base class only, so each mutation keeps its own input type. */
@InputType({ description: 'Shared fields (not in the schema: no resolver names this type).' })
class KeyRefFields {
  @Field(() => ID, { description: 'Key id (or its secret or token hash).' })
  id!: string;
}

@InputType({ description: 'The key to delete.' })
class DeleteKeyInput extends KeyRefFields {}

@InputType({ description: 'The key to block.' })
class BlockKeyInput extends KeyRefFields {}

@InputType({ description: 'The key to unblock.' })
class UnblockKeyInput extends KeyRefFields {}

@InputType({ description: 'A secret seen in public.' })
class ReportLeakedKeyInput {
  @Field(() => String, { description: 'The leaked secret (sk-...). Only its hash is looked up; it is never stored.' })
  secret!: string;

  @Field(() => String, { nullable: true, description: 'Where it was seen (a URL), for the owner and the audit log.' })
  seenAt?: string | null;
}

@InputType({ description: 'The token of a rotated key’s one-time link.' })
class ClaimRotatedKeyInput {
  @Field(() => String, { description: 'The token from the link /ui/keys/claim/<token>.' })
  token!: string;
}

@InputType({ description: 'Filters for keys.' })
class KeyFilter {
  @Field(() => ID, { nullable: true, description: 'Only keys of this owner.' })
  userId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only keys of this team.' })
  teamId?: string | null;

  @Field(() => String, { nullable: true, description: 'Alias contains this.' })
  keyAlias?: string | null;
}

@ObjectType({ description: 'A freshly minted secret: shown exactly once.' })
class GeneratedKey {
  @Field(() => String, { description: 'The secret (`sk-...`). Store it now: it cannot be shown again.' })
  secret!: string;

  @Field(() => VirtualKey, { description: 'The key.' })
  key!: VirtualKey;
}

@ObjectType({ description: 'What deleteKey removed.' })
class DeleteKeyPayload {
  @Field(() => ID, { description: 'Id of the deleted key.' })
  id!: string;
}

const keyFields = (i: GenerateKeyInput & { spend?: number | null }): KeyParams => ({
  keyAlias: i.keyAlias,
  userId: i.userId,
  teamId: i.teamId,
  models: i.models,
  maxBudget: i.maxBudget,
  softBudget: i.softBudget,
  budgetDuration: i.budgetDuration,
  duration: i.duration,
  tpmLimit: i.tpmLimit,
  rpmLimit: i.rpmLimit,
  maxParallelRequests: i.maxParallelRequests,
  metadata: i.metadata,
  spend: i.spend,
  autoRotate: i.autoRotate,
  rotationInterval: i.rotationInterval,
});

@Resolver(() => VirtualKey)
export class KeyResolver {
  @Query(() => KeyConnectionForUser, { description: 'Keys the caller may see (admins: all; team admins: their teams; others: own).' })
  async keys(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => KeyFilter, { nullable: true, description: 'Narrows the list.' }) filter?: KeyFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listKeys(ctx, filter ?? {}, { first, after }));
  }

  @Query(() => VirtualKey, { description: 'One key by id (or secret or token hash), if the caller may see it.' })
  key(@Ctx() ctx: GqlContext, @Arg('id', () => ID, { description: 'The key id, its token hash or the secret itself.' }) id: string) {
    return getKey(ctx, id);
  }

  @Mutation(() => GeneratedKey, { description: 'Mint a key; the secret is in the payload, once.' })
  generateKey(@Ctx() ctx: GqlContext, @Arg('input', () => GenerateKeyInput, { description: 'The operation input.' }) input: GenerateKeyInput) {
    return generateKey(ctx, keyFields(input));
  }

  @Mutation(() => GeneratedKey, {
    description: 'Mint a personal key for the dashboard’s Try it panel: yours, valid 15 minutes, not listed; refused where personal keys are.',
  })
  playgroundKey(@Ctx() ctx: GqlContext, @Arg('input', () => PlaygroundKeyInput, { description: 'The operation input.' }) input: PlaygroundKeyInput) {
    return generatePlaygroundKey(ctx, { models: input.models });
  }

  @Mutation(() => GeneratedKey, {
    description: 'New secret for a key; id, spend, budget and blocked state stay; the old secret stops working at once, or when gracePeriod ends.',
  })
  regenerateKey(@Ctx() ctx: GqlContext, @Arg('input', () => RegenerateKeyInput, { description: 'The operation input.' }) input: RegenerateKeyInput) {
    return regenerateKey(ctx, input.id, keyFields(input), { gracePeriod: input.gracePeriod });
  }

  @Mutation(() => VirtualKey, { description: 'Change a key within the upper bounds and your ceiling.' })
  updateKey(@Ctx() ctx: GqlContext, @Arg('input', () => UpdateKeyInput, { description: 'The operation input.' }) input: UpdateKeyInput) {
    return updateKey(ctx, input.id, keyFields(input));
  }

  @Mutation(() => DeleteKeyPayload, { description: 'Delete a key.' })
  async deleteKey(@Ctx() ctx: GqlContext, @Arg('input', () => DeleteKeyInput, { description: 'The operation input.' }) input: DeleteKeyInput) {
    const [k] = await deleteKeys(ctx, { refs: [input.id] });
    return { id: k!.id };
  }

  @Mutation(() => Boolean, {
    description:
      'Report a secret seen in public: its key is blocked, audited and its owner told. Needs no sign-in (the secret is the proof); always true, whether or not the secret was a live key.',
  })
  async reportLeakedKey(@Ctx() ctx: GqlContext, @Arg('input', () => ReportLeakedKeyInput, { description: 'The operation input.' }) input: ReportLeakedKeyInput) {
    await revokeLeakedKey(ctx, input.secret, input.seenAt ?? null);
    return true;
  }

  @Mutation(() => GeneratedKey, {
    description:
      'The new secret of a scheduled rotation, by the one-time link mailed to the owner: works once. Needs no sign-in (the link is the proof); signed in, only as the key’s owner.',
  })
  claimRotatedKey(@Ctx() ctx: GqlContext, @Arg('input', () => ClaimRotatedKeyInput, { description: 'The operation input.' }) input: ClaimRotatedKeyInput) {
    return claimRotatedKey(ctx, input.token);
  }

  @Mutation(() => VirtualKey, { description: 'Block a key (proxy_admin or team admin).' })
  blockKey(@Ctx() ctx: GqlContext, @Arg('input', () => BlockKeyInput, { description: 'The operation input.' }) input: BlockKeyInput) {
    return setKeyBlocked(ctx, input.id, true);
  }

  @Mutation(() => VirtualKey, { description: 'Unblock a key (proxy_admin or team admin).' })
  unblockKey(@Ctx() ctx: GqlContext, @Arg('input', () => UnblockKeyInput, { description: 'The operation input.' }) input: UnblockKeyInput) {
    return setKeyBlocked(ctx, input.id, false);
  }

  @FieldResolver(() => GraphQLISODateTime, {
    nullable: true,
    description: 'While a rotation’s grace period lasts, the instant (UTC) the previous secret stops working; null otherwise.',
  })
  rotatingUntil(@Root() k: VirtualKey) {
    return k.rotatingUntil();
  }

  @FieldResolver(() => ID, { nullable: true, description: 'Owner user id; null for a team service-account key.' })
  userId(@Root() k: VirtualKey) {
    return k.user?.id ?? null;
  }

  @FieldResolver(() => ID, { nullable: true, description: 'Team id; null for a personal key.' })
  teamId(@Root() k: VirtualKey) {
    return k.team?.id ?? null;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The owner, if the caller may see that user.' })
  user(@Root() k: VirtualKey, @Ctx() ctx: GqlContext) {
    return k.user ? visibleUser(ctx, k.user.id) : null;
  }

  @FieldResolver(() => Team, { nullable: true, description: 'The team, if the caller may see it.' })
  team(@Root() k: VirtualKey, @Ctx() ctx: GqlContext) {
    return visibleTeam(ctx, k.team?.id ?? null);
  }
}
