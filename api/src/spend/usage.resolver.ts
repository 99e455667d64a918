import { GraphQLJSON } from 'graphql-scalars';
import { Arg, Ctx, Field, Float, GraphQLISODateTime, ID, InputType, Int, ObjectType, Query, Resolver, registerEnumType } from 'type-graphql';
import { badInput } from '../common/errors.js';
import { nanosToUsd } from '../common/money.js';
import { decodeCursor, pageSize } from '../common/pagination.js';
import { Connection, toConnection } from '../graphql/connection.js';
import type { GqlContext } from '../graphql/context.js';
import type { SpendLog } from './spend-log.entity.js';
import { nameUsageRows } from './usage-names.js';
import { cacheAnalytics, querySpendLogs, usage, type UsageDim } from './usage.service.js';

/** GraphQL names DAY…TEAM; the values are the service's dimension names. */
export enum UsageGroupBy {
  DAY = 'day',
  MODEL = 'model',
  KEY = 'key',
  USER = 'user',
  TEAM = 'team',
  CUSTOMER = 'customer',
}
registerEnumType(UsageGroupBy, {
  name: 'UsageGroupBy',
  description: 'A dimension to break usage down by.',
  valuesConfig: {
    DAY: { description: 'UTC day (YYYY-MM-DD).' },
    MODEL: { description: 'Model name as the caller asked for it.' },
    KEY: { description: 'Virtual key id (per-member breakdown within a team: team admins only).' },
    USER: { description: 'Key owner (per-member breakdown within a team: team admins only).' },
    TEAM: { description: 'Team; null for personal keys.' },
    CUSTOMER: { description: 'Customer (LiteLLM end user: the `user` a call names); null for calls naming none.' },
  },
});

@InputType('UsageFilter', { description: 'Which usage to read. Non-admins read their own usage, or a team they belong to (teamId).' })
class UsageFilterInput {
  @Field(() => String, { description: 'First UTC day, YYYY-MM-DD (inclusive).' })
  from!: string;

  @Field(() => String, { description: 'Last UTC day, YYYY-MM-DD (inclusive); at most 366 days after from.' })
  to!: string;

  @Field(() => ID, { nullable: true, description: 'Only calls by keys of this user.' })
  userId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only calls by keys of this team.' })
  teamId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only calls with this key.' })
  keyId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only calls to this model.' })
  model?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only calls naming this customer (LiteLLM end user) as `user`.' })
  customerId?: string | null;
}

@ObjectType('UsageMetrics', { description: 'Summed gateway usage.' })
class UsageMetricsType {
  @Field(() => Float, { description: 'Spend in USD.' })
  spend!: number;

  @Field(() => Int, { description: 'Calls (successes + failures, cache hits included).' })
  requests!: number;

  @Field(() => Int, { description: 'Successful calls.' })
  successes!: number;

  @Field(() => Int, { description: 'Failed calls.' })
  failures!: number;

  @Field(() => Float, { description: 'Prompt tokens.' })
  promptTokens!: number;

  @Field(() => Float, { description: 'Completion tokens.' })
  completionTokens!: number;

  @Field(() => Float, { description: 'Prompt + completion tokens.' })
  totalTokens!: number;

  @Field(() => Int, { description: 'Calls answered from the response cache.' })
  cacheHits!: number;

  @Field(() => Float, { description: 'What the cache hits would have cost, in USD.' })
  cacheSavings!: number;
}

@ObjectType('UsageRow', { description: 'One group of usage: the grouped dimensions (null when not grouped by) and their metrics.' })
class UsageRowType extends UsageMetricsType {
  @Field(() => String, { nullable: true, description: 'UTC day, when grouped by DAY.' })
  day!: string | null;

  @Field(() => String, { nullable: true, description: 'Model, when grouped by MODEL.' })
  model!: string | null;

  @Field(() => ID, { nullable: true, description: 'Key id, when grouped by KEY.' })
  keyId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Key owner, when grouped by USER (null: keys without owner).' })
  userId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Team, when grouped by TEAM (null: personal keys).' })
  teamId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Customer (LiteLLM end user), when grouped by CUSTOMER (null: calls naming none).' })
  customerId!: string | null;

  @Field(() => Boolean, { nullable: true, description: 'When grouped by MODEL: true if the model has no price (its calls cost 0).' })
  unpriced?: boolean | null;

  @Field(() => String, { nullable: true, description: 'Key alias, when grouped by KEY and the caller may read the key.' })
  keyAlias!: string | null;

  @Field(() => Boolean, { description: "True for a short-lived key minted by playgroundKey for the dashboard's Try it (grouped by KEY)." })
  keyPlayground!: boolean;

  @Field(() => String, { nullable: true, description: 'Owner email, when grouped by USER and the caller may read the user.' })
  userEmail!: string | null;

  @Field(() => String, { nullable: true, description: 'Team alias, when grouped by TEAM and the caller may read the team.' })
  teamAlias!: string | null;
}

@ObjectType('Usage', { description: 'Usage over a day range: totals and, with groupBy, one row per group.' })
class UsageType {
  @Field(() => UsageMetricsType, { description: 'Sums over everything the filter matches.' })
  totals!: UsageMetricsType;

  @Field(() => [UsageRowType], { description: 'One row per group, ordered by the grouped dimensions; empty without groupBy.' })
  rows!: UsageRowType[];
}

@ObjectType('PromptCacheFigures', { description: "The provider's own prompt cache (OpenAI cached_tokens, Anthropic cache reads and writes): prompt tokens the provider served from its cache at the cheaper cache-read price." })
class PromptCacheFiguresType {
  @Field(() => Int, { description: 'Calls whose prompt was partly read from the provider prompt cache.' })
  hits!: number;

  @Field(() => Float, { description: 'Prompt tokens read from the provider prompt cache (part of promptTokens).' })
  cachedTokens!: number;

  @Field(() => Float, { description: 'Prompt tokens written to the provider prompt cache (Anthropic cache_creation_input_tokens).' })
  writeTokens!: number;

  @Field(() => Float, { description: 'Share of all prompt tokens read from the provider prompt cache; 0 without prompt tokens.' })
  tokenRatio!: number;

  @Field(() => Float, { description: 'What the cached tokens would have cost at the full input price less what they cost, in USD.' })
  savedSpend!: number;
}

@ObjectType({ description: 'Cache hits against upstream calls.' })
class CacheFiguresType {
  @Field(() => Int, { description: 'Calls answered from the cache.' })
  cacheHits!: number;

  @Field(() => Int, { description: 'Calls that went upstream (requests − cache hits).' })
  upstreamCalls!: number;

  @Field(() => Float, { description: 'Spend the cache hits saved, in USD.' })
  savedSpend!: number;

  @Field(() => PromptCacheFiguresType, { description: "The provider's prompt cache over the same calls (beside the gateway's response cache above)." })
  promptCache!: PromptCacheFiguresType;
}

@ObjectType('CacheDay', { description: 'Cache figures of one UTC day.' })
class CacheDay extends CacheFiguresType {
  @Field(() => String, { description: 'UTC day (YYYY-MM-DD).' })
  day!: string;
}

@ObjectType('CacheByKey', { description: 'Cache figures of one key.' })
class CacheByKey extends CacheFiguresType {
  @Field(() => ID, { description: 'Key id.' })
  keyId!: string;

  @Field(() => String, { nullable: true, description: 'Key alias, when the caller may read the key.' })
  keyAlias!: string | null;

  @Field(() => Boolean, { description: "True for a short-lived key minted by playgroundKey for the dashboard's Try it." })
  keyPlayground!: boolean;
}

@ObjectType('CacheByModel', { description: 'Cache figures of one model.' })
class CacheByModel extends CacheFiguresType {
  @Field(() => String, { description: 'Model name.' })
  model!: string;
}

@ObjectType('CacheByUser', { description: 'Cache figures of one user (a team member without the team admin role sees only own figures).' })
class CacheByUser extends CacheFiguresType {
  @Field(() => ID, { nullable: true, description: 'User id; null for keys without an owner.' })
  userId!: string | null;
}

@ObjectType('CacheByTeam', { description: 'Cache figures of one team.' })
class CacheByTeam extends CacheFiguresType {
  @Field(() => ID, { nullable: true, description: 'Team id; null for calls outside any team.' })
  teamId!: string | null;
}

@ObjectType('CacheAnalytics', { description: "Response-cache and provider prompt-cache effectiveness over a day range." })
class CacheAnalyticsType extends CacheFiguresType {
  @Field(() => Float, { description: 'Share of calls answered from the cache: cacheHits / (cacheHits + upstreamCalls); 0 without calls.' })
  hitRatio!: number;

  @Field(() => Float, { description: 'Completion tokens served from the cache.' })
  cachedCompletionTokens!: number;

  @Field(() => [CacheDay], { description: 'Per UTC day, days with calls only.' })
  days!: CacheDay[];

  @Field(() => [CacheByKey], { description: 'Per key (a team member without the team admin role sees only own keys).' })
  byKey!: CacheByKey[];

  @Field(() => [CacheByModel], { description: 'Per model.' })
  byModel!: CacheByModel[];

  @Field(() => [CacheByUser], { description: 'Per user (a team member without the team admin role sees only own figures).' })
  byUser!: CacheByUser[];

  @Field(() => [CacheByTeam], { description: 'Per team.' })
  byTeam!: CacheByTeam[];
}

@InputType('SpendLogFilter', { description: 'Which spend log rows to list.' })
class SpendLogFilterInput {
  @Field(() => String, { nullable: true, description: 'First UTC day, YYYY-MM-DD (inclusive).' })
  from?: string | null;

  @Field(() => String, { nullable: true, description: 'Last UTC day, YYYY-MM-DD (inclusive).' })
  to?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only calls by keys of this user.' })
  userId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only calls by keys of this team (team members see only their own rows).' })
  teamId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only calls with this key.' })
  keyId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only calls to this model.' })
  model?: string | null;

  @Field(() => String, { nullable: true, description: 'Outcome: `success` or `failure`.' })
  status?: string | null;
}

@ObjectType('SpendLog', { description: 'One gateway call as recorded (prompts and responses only when stored by configuration).' })
class SpendLogEntry {
  @Field(() => ID, { description: 'Request id (`x-litellm-call-id`).' })
  requestId!: string;

  @Field(() => ID, { nullable: true, description: 'Key id.' })
  keyId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Key owner.' })
  userId!: string | null;

  @Field(() => ID, { nullable: true, description: 'Team of the key.' })
  teamId!: string | null;

  @Field(() => String, { description: 'Model name as asked for.' })
  model!: string;

  @Field(() => String, { nullable: true, description: 'Deployment that answered (`cache` for cache hits).' })
  deployment!: string | null;

  @Field(() => String, { description: 'Kind of call: `chat` or `embedding`.' })
  callType!: string;

  @Field(() => Int, { description: 'Prompt tokens.' })
  promptTokens!: number;

  @Field(() => Int, { description: 'Completion tokens.' })
  completionTokens!: number;

  @Field(() => Int, { description: 'Prompt + completion tokens.' })
  totalTokens!: number;

  @Field(() => Int, { description: 'Prompt tokens read from the provider prompt cache (part of promptTokens).' })
  cachedPromptTokens!: number;

  @Field(() => Int, { description: 'Prompt tokens written to the provider prompt cache (part of promptTokens).' })
  cacheWriteTokens!: number;

  @Field(() => Float, { description: 'What the provider prompt cache saved on this call, in USD.' })
  promptCacheSavedSpend!: number;

  @Field(() => Float, { description: 'Cost in USD (0 for cache hits and unpriced models).' })
  spend!: number;

  @Field(() => Boolean, { description: 'Answered from the response cache.' })
  cacheHit!: boolean;

  @Field(() => Float, { description: 'What a cache hit saved, in USD.' })
  savedSpend!: number;

  @Field(() => String, { description: 'Outcome: `success` or `failure`.' })
  status!: string;

  @Field(() => Int, { nullable: true, description: 'HTTP status returned to the client.' })
  httpStatus!: number | null;

  @Field(() => String, { nullable: true, description: 'Error message of a failed call.' })
  error!: string | null;

  @Field(() => Boolean, { description: 'Token counts were estimated (no usage from upstream).' })
  estimated!: boolean;

  @Field(() => Boolean, { description: 'The model has no price: cost 0.' })
  unpriced!: boolean;

  @Field(() => GraphQLISODateTime, { description: 'When the call started (UTC).' })
  startTime!: Date;

  @Field(() => GraphQLISODateTime, { description: 'When the call ended (UTC).' })
  endTime!: Date;

  @Field(() => Int, { description: 'Duration in milliseconds.' })
  durationMs!: number;

  @Field(() => String, { nullable: true, description: 'The OpenAI `user` parameter (the caller\'s end user).' })
  endUser!: string | null;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Request body; null unless store_prompts_in_spend_logs is on.' })
  request!: unknown;

  @Field(() => GraphQLJSON, { nullable: true, description: 'Response; null unless store_prompts_in_spend_logs is on.' })
  response!: unknown;
}

const SpendLogConnection = Connection(SpendLogEntry, 'SpendLog');

export function spendLogEntry(l: SpendLog): SpendLogEntry {
  return {
    requestId: l.requestId,
    keyId: l.keyId,
    userId: l.userId,
    teamId: l.teamId,
    model: l.model,
    deployment: l.deployment,
    callType: l.callType,
    promptTokens: l.promptTokens,
    completionTokens: l.completionTokens,
    totalTokens: l.promptTokens + l.completionTokens,
    cachedPromptTokens: l.cachedPromptTokens,
    cacheWriteTokens: l.cacheWriteTokens,
    promptCacheSavedSpend: nanosToUsd(l.promptCacheSavedNanos) ?? 0,
    spend: nanosToUsd(l.costNanos) ?? 0,
    cacheHit: l.cacheHit,
    savedSpend: nanosToUsd(l.savedNanos) ?? 0,
    status: l.status,
    httpStatus: l.httpStatus,
    error: l.error,
    estimated: l.estimated,
    unpriced: l.unpriced,
    startTime: l.startTime,
    endTime: l.endTime,
    durationMs: l.durationMs,
    endUser: l.endUser,
    request: l.request ?? null,
    response: l.response ?? null,
  };
}

/** A row limit from the request: an integer 1-1000, or none. */
function topOf(n: number | null | undefined, param: string): number | null {
  if (n === null || n === undefined) return null;
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw badInput(`'${param}' must be an integer from 1 to 1000.`, param);
  return n;
}

@Resolver()
export class UsageResolver {
  @Query(() => UsageType, { description: 'Spend and calls from the daily roll-ups, scoped by role (admins: all; others: own, or a team they belong to).' })
  async usage(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => UsageFilterInput, { description: 'Day range and filters.' }) filter: UsageFilterInput,
    @Arg('groupBy', () => [UsageGroupBy], { nullable: true, description: 'Dimensions to group rows by; none = totals only.' }) groupBy?: UsageGroupBy[] | null,
    @Arg('top', () => Int, { nullable: true, description: 'At most this many rows (1-1000), biggest spend first; every row when omitted.' }) top?: number | null,
  ) {
    const dims = (groupBy ?? []) as unknown as UsageDim[];
    const limit = topOf(top, 'top');
    const result = await usage(ctx, filter, dims);
    // a dashboard table shows the top rows: name only those (100,000 keys would be 100,000 look-ups)
    const kept = limit === null ? result.rows : [...result.rows].sort((a, b) => b.spend - a.spend).slice(0, limit);
    const rows = await nameUsageRows(ctx, kept, dims);
    const router = ctx.app.gateway?.router;
    // a model with no price costs 0: say so next to its figures
    for (const r of rows as Array<{ model: string | null; unpriced?: boolean | null }>)
      r.unpriced = r.model !== null && router ? !router.estimatePrice(r.model) : null;
    return { totals: result.totals, rows };
  }

  @Query(() => CacheAnalyticsType, { description: "Response-cache hits against upstream calls and the provider prompt cache's tokens, saved spend, per day, key, model, user and team; scoped like usage." })
  cacheAnalytics(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => UsageFilterInput, { description: 'Day range and filters.' }) filter: UsageFilterInput,
    @Arg('topKeys', () => Int, { nullable: true, description: 'At most this many byKey rows (1-1000), most calls first; every key when omitted.' }) topKeys?: number | null,
  ) {
    return cacheAnalytics(ctx, filter, topOf(topKeys, 'topKeys'));
  }

  @Query(() => SpendLogConnection, { description: 'Spend log rows, newest first, scoped by role (team members see only their own rows).' })
  async spendLogs(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => SpendLogFilterInput, { nullable: true, description: 'Narrows the list.' }) filter?: SpendLogFilterInput | null,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number | null,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string | null,
  ) {
    const limit = pageSize(first);
    const offset = decodeCursor(after);
    const { nodes, totalCount } = await querySpendLogs(ctx, filter ?? {}, { limit, offset });
    return toConnection({ nodes: nodes.map(spendLogEntry), offset, totalCount, hasNextPage: offset + nodes.length < totalCount });
  }
}
