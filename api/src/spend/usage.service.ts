import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Ctx } from '../app/context.js';
import { badInput, unauthenticated } from '../common/errors.js';
import { sha256 } from '../common/ids.js';
import { nanosToUsd } from '../common/money.js';
import { authorize, isAllowed } from '../permissions/authorize.js';
import { SpendLog } from './spend-log.entity.js';

/**
 * Usage, cache analytics and spend logs, scoped by role (ROLES.md "read spend logs, usage,
 * cache analytics"). Usage and cache analytics read only the roll-ups, always the smallest
 * table whose dimensions cover what the query groups or filters by: the daily table, or (no
 * DAY grouping, whole weeks in the range) its weekly twin for those weeks (`aggregate`).
 */

export type UsageDim = 'day' | 'model' | 'key' | 'user' | 'team' | 'customer';
type FilterDim = Exclude<UsageDim, 'day'>;

export interface UsageFilter {
  /** YYYY-MM-DD, inclusive, UTC */
  from: string;
  to: string;
  userId?: string | null;
  teamId?: string | null;
  keyId?: string | null;
  model?: string | null;
  /** the customer (the request's `user`) */
  customerId?: string | null;
}

export interface UsageMetrics {
  spend: number;
  requests: number;
  successes: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
  cacheHits: number;
  cacheSavings: number;
  /** completion tokens served from the cache */
  cachedCompletionTokens: number;
}

export interface UsageRow extends UsageMetrics {
  day: string | null;
  model: string | null;
  keyId: string | null;
  userId: string | null;
  teamId: string | null;
  customerId: string | null;
}

export interface Usage {
  totals: UsageMetrics;
  rows: UsageRow[];
}

/** What a roll-up query reads: a day range and equality / IN filters per dimension. */
export interface RollupQuery {
  from: string;
  to: string;
  where: Partial<Record<FilterDim, string[]>>;
}

/** The caller's filter narrowed by scope, plus whether a per-member breakdown is allowed. */
export interface Scoped extends RollupQuery {
  /** may see other members' keys and users (false: a plain team member reading team totals) */
  breakdown: boolean;
  /** the caller's user id when rows must be narrowed to own ones for a breakdown */
  self: string | null;
}

const COLUMN: Record<UsageDim, string> = { day: 'day', model: 'model', key: 'key_id', user: 'user_id', team: 'team_id', customer: 'end_user' };
const OUT: Record<UsageDim, keyof UsageRow> = { day: 'day', model: 'model', key: 'keyId', user: 'userId', team: 'teamId', customer: 'customerId' };

/** The roll-ups, smallest first (recorder.ts writes them). */
export const ROLLUP_TABLES: ReadonlyArray<{ table: string; dims: readonly UsageDim[] }> = [
  { table: 'daily_model_spend', dims: ['day', 'model'] },
  { table: 'daily_team_spend', dims: ['day', 'team', 'model'] },
  { table: 'daily_user_spend', dims: ['day', 'user', 'model'] },
  { table: 'daily_key_spend', dims: ['day', 'key', 'user', 'team'] },
  { table: 'daily_key_model_spend', dims: ['day', 'key', 'model', 'user', 'team'] },
  // the widest: only when a query groups or filters by customer (no weekly twin)
  { table: 'daily_customer_spend', dims: ['day', 'customer', 'key', 'model', 'user', 'team'] },
];

/** The smallest roll-up whose dimensions cover `needed`. */
export function rollupFor(needed: Iterable<UsageDim>): string {
  const want = [...needed];
  return ROLLUP_TABLES.find((t) => want.every((d) => t.dims.includes(d)))!.table;
}

// ---------------------------------------------------------------- dates

const DAY = /^\d{4}-\d{2}-\d{2}$/;
export const MAX_RANGE_DAYS = 366;

function dayMs(value: unknown, param: string): number {
  if (typeof value !== 'string' || !DAY.test(value)) throw badInput(`${param} must be a YYYY-MM-DD date, got ${JSON.stringify(value ?? null)}.`, param);
  const ms = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) throw badInput(`${param} is not a calendar date: ${value}.`, param);
  return ms;
}

/** Validates an inclusive UTC day range; names the offending parameter. */
export function checkRange(from: unknown, to: unknown, names: [string, string] = ['from', 'to']): { from: string; to: string } {
  const a = dayMs(from, names[0]);
  const b = dayMs(to, names[1]);
  if (b < a) throw badInput(`${names[1]} (${to}) is before ${names[0]} (${from}).`, names[1]);
  const days = (b - a) / 86_400_000 + 1;
  if (days > MAX_RANGE_DAYS) throw badInput(`The range covers ${days} days; at most ${MAX_RANGE_DAYS} are allowed.`, names[1]);
  return { from: from as string, to: to as string };
}

// ---------------------------------------------------------------- scope

const self = (ctx: Ctx) => {
  if (!ctx.principal) throw unauthenticated();
  return ctx.principal;
};

function addWhere(where: RollupQuery['where'], dim: FilterDim, value: string | null | undefined) {
  if (value !== null && value !== undefined) where[dim] = [value];
}

/**
 * The role rules for usage reads. Admins (and viewers) read anything. Everyone else reads
 * own usage when no team is named (a userId filter for someone else is refused); with a
 * team they must belong to it: team totals for any member, a breakdown by member or key
 * (group by USER / KEY, a key filter, or another member's userId) only with
 * `usage.read.members` (team admins). Spend logs of a team are the team admin's; a member
 * sees only own rows. Unknown and foreign teams are refused alike.
 */
export function scopeUsage(ctx: Ctx, f: UsageFilter, groupBy: readonly UsageDim[], kind: 'usage' | 'logs'): Scoped {
  const p = self(ctx);
  const { from, to } = checkRange(f.from, f.to);
  const where: RollupQuery['where'] = {};
  addWhere(where, 'user', f.userId);
  addWhere(where, 'team', f.teamId);
  addWhere(where, 'key', f.keyId);
  addWhere(where, 'model', f.model);
  addWhere(where, 'customer', f.customerId);
  const out: Scoped = { from, to, where, breakdown: true, self: p.userId };

  if (!f.teamId) {
    const reach = authorize(p, 'usage.read', { kind: 'usage', ownerId: f.userId ?? p.userId, teamId: null });
    if (!reach.all) where.user = [p.userId!];
    return out;
  }
  const reach = authorize(p, 'usage.read', { kind: 'usage', ownerId: null, teamId: f.teamId });
  if (reach.all) return out;
  const target = { kind: 'usage', ownerId: null, teamId: f.teamId } as const;
  if (isAllowed(p, 'usage.read.members', target)) return out;
  // a plain member of the team
  const onlySelf = f.userId === p.userId;
  if (kind === 'logs' || (f.userId && !onlySelf)) {
    if (f.userId && !onlySelf) authorize(p, 'usage.read.members', target);
    where.user = [p.userId!];
    return out;
  }
  if (!onlySelf && (groupBy.includes('user') || groupBy.includes('key') || f.keyId)) authorize(p, 'usage.read.members', target);
  out.breakdown = onlySelf;
  return out;
}

/**
 * The query for per-key rows: splitting by key is a per-member breakdown, so a plain team
 * member (no breakdown) gets only their own keys' rows. Cache analytics and REST activity
 * both read keys through here.
 */
export function keyRowsQuery(q: Scoped): RollupQuery {
  return q.breakdown ? q : { ...q, where: { ...q.where, user: [q.self ?? ''] } };
}

// ---------------------------------------------------------------- roll-up queries

const knexOf = (ctx: Ctx) => (ctx.em as SqlEntityManager).getKnex();

const SUMS = `sum(requests) as requests, sum(successes) as successes, sum(failures) as failures,
  sum(prompt_tokens) as prompt_tokens, sum(completion_tokens) as completion_tokens, sum(spend_nanos) as spend_nanos,
  sum(cache_hits) as cache_hits, sum(saved_nanos) as saved_nanos, sum(cached_completion_tokens) as cached_completion_tokens,
  sum(prompt_cache_hits) as prompt_cache_hits, sum(cached_prompt_tokens) as cached_prompt_tokens, sum(cache_write_tokens) as cache_write_tokens,
  sum(prompt_cache_saved_nanos) as prompt_cache_saved_nanos`;

const METRIC_NAMES = [
  'requests', 'successes', 'failures', 'prompt_tokens', 'completion_tokens', 'spend_nanos', 'cache_hits', 'saved_nanos', 'cached_completion_tokens',
  'prompt_cache_hits', 'cached_prompt_tokens', 'cache_write_tokens', 'prompt_cache_saved_nanos',
];
const METRIC_COLS = METRIC_NAMES.join(', ');
const NEGATED = METRIC_NAMES.map((m) => `-${m} as ${m}`).join(', ');

interface Summed {
  requests: number;
  successes: number;
  failures: number;
  promptTokens: number;
  completionTokens: number;
  spendNanos: number;
  cacheHits: number;
  savedNanos: number;
  cachedCompletionTokens: number;
  promptCacheHits: number;
  cachedPromptTokens: number;
  cacheWriteTokens: number;
  promptCacheSavedNanos: number;
}

const zero = (): Summed => ({
  requests: 0, successes: 0, failures: 0, promptTokens: 0, completionTokens: 0, spendNanos: 0, cacheHits: 0, savedNanos: 0, cachedCompletionTokens: 0,
  promptCacheHits: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, promptCacheSavedNanos: 0,
});

function summed(r: Record<string, unknown>): Summed {
  const n = (v: unknown) => Number(v ?? 0);
  return {
    requests: n(r.requests),
    successes: n(r.successes),
    failures: n(r.failures),
    promptTokens: n(r.prompt_tokens),
    completionTokens: n(r.completion_tokens),
    spendNanos: n(r.spend_nanos),
    cacheHits: n(r.cache_hits),
    savedNanos: n(r.saved_nanos),
    cachedCompletionTokens: n(r.cached_completion_tokens),
    promptCacheHits: n(r.prompt_cache_hits),
    cachedPromptTokens: n(r.cached_prompt_tokens),
    cacheWriteTokens: n(r.cache_write_tokens),
    promptCacheSavedNanos: n(r.prompt_cache_saved_nanos),
  };
}

function add(a: Summed, b: Summed) {
  for (const k of Object.keys(a) as Array<keyof Summed>) a[k] += b[k];
}

export const metricsOf = (s: Summed): UsageMetrics => ({
  spend: nanosToUsd(s.spendNanos)!,
  requests: s.requests,
  successes: s.successes,
  failures: s.failures,
  promptTokens: s.promptTokens,
  completionTokens: s.completionTokens,
  totalTokens: s.promptTokens + s.completionTokens,
  cacheHits: s.cacheHits,
  cacheSavings: nanosToUsd(s.savedNanos)!,
  cachedCompletionTokens: s.cachedCompletionTokens,
});

export interface Group {
  dims: Partial<Record<UsageDim, string | null>>;
  sums: Summed;
}

/** The weekly twin of a daily roll-up (same dimensions, `week` = the UTC Monday instead of `day`). */
const WEEKLY: Readonly<Record<string, string>> = {
  daily_team_spend: 'weekly_team_spend',
  daily_user_spend: 'weekly_user_spend',
  daily_key_spend: 'weekly_key_spend',
  daily_key_model_spend: 'weekly_key_model_spend',
};

const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** 0 = Monday … 6 = Sunday */
const isoDow = (ms: number) => (new Date(ms).getUTCDay() + 6) % 7;

type Span = [string, string];

/** How a day range is read: whole weeks from the weekly twin, days added, days taken away. */
export interface WeekPlan {
  /** the Mondays of the first and last week read from the weekly table */
  weeks: Span;
  /** inclusive day spans read from the daily table and added */
  plus: Span[];
  /** inclusive day spans read from the daily table and subtracted (days of a week read whole that lie outside the range) */
  minus: Span[];
}

/**
 * Plans [from, to] over UTC ISO weeks: whole weeks come from the weekly table. A partial week
 * at either end is read either as its days in the range, or as the whole week less its days
 * outside the range, whichever reads fewer days (a week counts as one day; days after `today`
 * hold no rows and count as none, so a range ending today reads its last week whole). Null
 * when no week is read whole: the daily table alone then.
 */
export function planWeeks(from: string, to: string, today: string = iso(Date.now())): WeekPlan | null {
  const a = Date.parse(`${from}T00:00:00Z`);
  const b = Date.parse(`${to}T00:00:00Z`);
  const now = Date.parse(`${today}T00:00:00Z`);
  const days = (lo: number, hi: number) => (hi < lo ? 0 : (hi - lo) / DAY_MS + 1);
  const stored = (lo: number, hi: number) => days(lo, Math.min(hi, now));
  const span = (lo: number, hi: number): Span[] => (hi < lo ? [] : [[iso(lo), iso(hi)]]);
  const plus: Span[] = [];
  const minus: Span[] = [];
  let first = Infinity;
  let last = -Infinity;
  for (let m = a - isoDow(a) * DAY_MS; m <= b; m += 7 * DAY_MS) {
    const lo = Math.max(a, m);
    const hi = Math.min(b, m + 6 * DAY_MS);
    const inside = stored(lo, hi);
    const outside = stored(m, lo - DAY_MS) + stored(hi + DAY_MS, m + 6 * DAY_MS);
    if (days(lo, hi) === 7 || 1 + outside < inside) {
      first = Math.min(first, m);
      last = Math.max(last, m);
      minus.push(...span(m, lo - DAY_MS), ...span(hi + DAY_MS, m + 6 * DAY_MS));
    } else plus.push(...span(lo, hi));
  }
  if (first === Infinity) return null;
  // only the two end weeks can be partial, so the weeks read whole are contiguous
  return { weeks: [iso(first), iso(last)], plus, minus };
}

/**
 * SUM(...) GROUP BY over the smallest roll-up that covers the groups and filters. Without a
 * DAY grouping, a range holding whole weeks reads those weeks from the weekly twin and only
 * the days around them from the daily table (`planWeeks`), in one query: UNION ALL under the
 * GROUP BY (measured faster on SQLite than grouping each part and summing in JS).
 */
export async function aggregate(ctx: Ctx, q: RollupQuery, groupBy: readonly UsageDim[]): Promise<Group[]> {
  const dims = [...new Set(groupBy)];
  const table = rollupFor([...dims, ...(Object.keys(q.where) as FilterDim[])]);
  const knex = knexOf(ctx);
  const cols = dims.map((d) => COLUMN[d]);
  const refs = cols.map((c) => knex.ref(c).toQuery()).join(', ');
  const filtered = (sql: ReturnType<typeof knex>) => {
    for (const [dim, values] of Object.entries(q.where) as Array<[FilterDim, string[]]>) {
      if (values.length === 1) sql.andWhere(COLUMN[dim], values[0]!);
      else sql.whereIn(COLUMN[dim], values);
    }
    return sql;
  };
  const plan = !dims.includes('day') && WEEKLY[table] ? planWeeks(q.from, q.to) : null;
  let sql: ReturnType<typeof knex>;
  if (!plan) {
    sql = filtered(knex(table).select(knex.raw(cols.length ? `${refs}, ${SUMS}` : SUMS)).where('day', '>=', q.from).andWhere('day', '<=', q.to));
  } else {
    const part = (t: string, col: string, [lo, hi]: Span, metrics: string) =>
      filtered(knex(t).select(knex.raw(cols.length ? `${refs}, ${metrics}` : metrics)).where(col, '>=', lo).andWhere(col, '<=', hi));
    const parts = [
      part(WEEKLY[table]!, 'week', plan.weeks, METRIC_COLS),
      ...plan.plus.map((d) => part(table, 'day', d, METRIC_COLS)),
      ...plan.minus.map((d) => part(table, 'day', d, NEGATED)),
    ];
    sql = knex.from(parts[0]!.unionAll(parts.slice(1), false).as('u')).select(knex.raw(cols.length ? `${refs}, ${SUMS}` : SUMS));
    // a group seen only on subtracted days nets to zero requests: it had none in the range
    if (plan.minus.length) sql.having(knex.raw('sum(requests)'), '<>', 0);
  }
  if (cols.length) sql.groupBy(cols).orderBy(cols);
  const rows = (await sql) as Array<Record<string, unknown>>;
  const out: Group[] = [];
  for (const r of rows) {
    if (!cols.length && (r.requests === null || r.requests === undefined)) continue; // no rows at all
    const g: Group = { dims: {}, sums: summed(r) };
    for (const d of dims) {
      const v = r[COLUMN[d]] as string;
      g.dims[d] = v === '' ? null : v;
    }
    out.push(g);
  }
  return out;
}

function toRow(g: Group): UsageRow {
  const row = { day: null, model: null, keyId: null, userId: null, teamId: null, customerId: null, ...metricsOf(g.sums) } as UsageRow;
  for (const [d, v] of Object.entries(g.dims) as Array<[UsageDim, string | null]>) (row as unknown as Record<string, unknown>)[OUT[d]] = v;
  return row;
}

/** Totals and rows grouped by `groupBy` (no groupBy: no rows, just totals). */
export async function usage(ctx: Ctx, filter: UsageFilter, groupBy: readonly UsageDim[] = []): Promise<Usage> {
  const q = scopeUsage(ctx, filter, groupBy, 'usage');
  return usageOf(ctx, q, groupBy);
}

/** The unscoped part of `usage` (the bench and REST adapters call it with a scoped query). */
export async function usageOf(ctx: Ctx, q: RollupQuery, groupBy: readonly UsageDim[]): Promise<Usage> {
  const groups = await aggregate(ctx, q, groupBy);
  const total = zero();
  for (const g of groups) add(total, g.sums);
  return { totals: metricsOf(total), rows: groupBy.length ? groups.map(toRow) : [] };
}

// ---------------------------------------------------------------- cache analytics

export interface CacheFigures {
  cacheHits: number;
  upstreamCalls: number;
  savedSpend: number;
  /** the provider's prompt cache */
  promptCache: PromptCacheFigures;
}
export interface PromptCacheFigures {
  /** calls whose prompt was partly read from the provider's cache */
  hits: number;
  cachedTokens: number;
  writeTokens: number;
  /** share of all prompt tokens read from the cache */
  tokenRatio: number;
  /** USD */
  savedSpend: number;
}
export interface CacheAnalytics extends CacheFigures {
  hitRatio: number;
  requests: number;
  failures: number;
  cachedCompletionTokens: number;
  completionTokens: number;
  days: Array<CacheFigures & { day: string }>;
  byKey: Array<CacheFigures & { keyId: string; keyAlias: string | null; keyPlayground: boolean }>;
  byModel: Array<CacheFigures & { model: string }>;
  byUser: Array<CacheFigures & { userId: string | null }>;
  byTeam: Array<CacheFigures & { teamId: string | null }>;
}

const figures = (s: Summed): CacheFigures => ({
  cacheHits: s.cacheHits,
  upstreamCalls: s.requests - s.cacheHits,
  savedSpend: nanosToUsd(s.savedNanos)!,
  promptCache: {
    hits: s.promptCacheHits,
    cachedTokens: s.cachedPromptTokens,
    writeTokens: s.cacheWriteTokens,
    tokenRatio: s.promptTokens ? s.cachedPromptTokens / s.promptTokens : 0,
    savedSpend: nanosToUsd(s.promptCacheSavedNanos)!,
  },
});

/**
 * Cache hits against upstream calls, per day, key and model. A plain team member's byKey
 * lists only own keys (the per-key split is a per-member breakdown); aliases appear only
 * for keys the caller may read.
 */
export async function cacheAnalytics(ctx: Ctx, filter: UsageFilter, topKeys: number | null = null): Promise<CacheAnalytics> {
  return cacheAnalyticsOf(ctx, scopeUsage(ctx, filter, [], 'usage'), topKeys);
}

export async function cacheAnalyticsOf(ctx: Ctx, q: Scoped, topKeys: number | null = null): Promise<CacheAnalytics> {
  // per user is a per-member breakdown like per key: a plain team member gets only their own row
  const [days, models, allKeys, users, teams] = await Promise.all([
    aggregate(ctx, q, ['day']),
    aggregate(ctx, q, ['model']),
    aggregate(ctx, keyRowsQuery(q), ['key']),
    aggregate(ctx, keyRowsQuery(q), ['user']),
    aggregate(ctx, q, ['team']),
  ]);
  // most calls first, then only as many as asked for (their aliases are looked up one by one)
  const keys = topKeys === null ? allKeys : [...allKeys].sort((a, b) => b.sums.requests - a.sums.requests).slice(0, topKeys);
  const total = zero();
  for (const g of days) add(total, g.sums);
  const aliases = await keyAliases(ctx, keys.map((g) => g.dims.key).filter((k): k is string => !!k));
  const f = figures(total);
  return {
    ...f,
    hitRatio: total.requests ? total.cacheHits / total.requests : 0,
    requests: total.requests,
    failures: total.failures,
    cachedCompletionTokens: total.cachedCompletionTokens,
    completionTokens: total.completionTokens,
    days: days.map((g) => ({ day: g.dims.day!, ...figures(g.sums) })),
    byKey: keys.filter((g) => g.dims.key).map((g) => ({ keyId: g.dims.key!, keyAlias: aliases.get(g.dims.key!)?.alias ?? null, keyPlayground: aliases.get(g.dims.key!)?.playground ?? false, ...figures(g.sums) })),
    byModel: models.map((g) => ({ model: g.dims.model!, ...figures(g.sums) })),
    byUser: users.map((g) => ({ userId: g.dims.user ?? null, ...figures(g.sums) })),
    byTeam: teams.map((g) => ({ teamId: g.dims.team ?? null, ...figures(g.sums) })),
  };
}

export interface KeyInfo {
  alias: string | null;
  token: string;
  userId: string | null;
  teamId: string | null;
  /** minted by playgroundKey (the dashboard's Try it) */
  playground: boolean;
}

/** Key id → alias (only when the caller may read the key), token hash, owner and team. */
export async function keyAliases(ctx: Ctx, ids: string[]): Promise<Map<string, KeyInfo>> {
  const out = new Map<string, KeyInfo>();
  const p = self(ctx);
  const knex = knexOf(ctx);
  for (let i = 0; i < ids.length; i += 500) {
    const rows = (await knex('virtual_keys').select('id', 'key_alias', 'token', 'user_id', 'team_id', 'playground').whereIn('id', ids.slice(i, i + 500))) as Array<Record<'id' | 'key_alias' | 'token' | 'user_id' | 'team_id', string | null> & { playground: number | boolean | null }>;
    for (const r of rows) {
      const visible = isAllowed(p, 'key.read', { kind: 'key', ownerId: r.user_id ?? null, teamId: r.team_id ?? null });
      // SQLite answers 0/1, PostgreSQL a boolean
      out.set(r.id!, { alias: visible ? r.key_alias ?? null : null, token: r.token!, userId: r.user_id ?? null, teamId: r.team_id ?? null, playground: !!r.playground });
    }
  }
  return out;
}

/** Key ids for LiteLLM's `api_key` (the secret or its SHA-256 hash); unknown keys give none. */
export async function keyIdsForApiKey(ctx: Ctx, apiKey: string): Promise<string[]> {
  const token = apiKey.startsWith('sk-') ? sha256(apiKey) : apiKey;
  const sql = knexOf(ctx)('virtual_keys').select('id').where('token', token);
  // ids are uuids: on PostgreSQL comparing the uuid column with anything else is an error
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(apiKey)) sql.orWhere('id', apiKey.toLowerCase());
  const rows = (await sql) as Array<{ id: string }>;
  return rows.map((r) => r.id);
}

// ---------------------------------------------------------------- spend logs

export interface SpendLogFilter {
  from?: string | null;
  to?: string | null;
  userId?: string | null;
  teamId?: string | null;
  keyId?: string | null;
  model?: string | null;
  status?: string | null;
  /** REST extras: the key hash, one request id */
  keyToken?: string | null;
  requestId?: string | null;
}

/** Spend log rows the caller may read, newest first. */
export async function querySpendLogs(
  ctx: Ctx,
  f: SpendLogFilter,
  page: { limit: number; offset: number },
): Promise<{ nodes: SpendLog[]; totalCount: number }> {
  const from = f.from ?? null;
  const to = f.to ?? null;
  const fromMs = from === null ? null : dayMs(from, 'from');
  const toMs = to === null ? null : dayMs(to, 'to');
  if (fromMs !== null && toMs !== null && toMs < fromMs) throw badInput(`to (${to}) is before from (${from}).`, 'to');
  if (f.status && f.status !== 'success' && f.status !== 'failure') throw badInput(`status must be success or failure, got ${f.status}.`, 'status');
  // the same scope rules as usage (logs: team members see own rows only); the day range is open here
  const scoped = scopeUsage(ctx, { from: '1970-01-01', to: '1970-01-01', userId: f.userId, teamId: f.teamId, keyId: f.keyId, model: f.model }, [], 'logs');
  const where: Record<string, unknown> = {};
  if (scoped.where.user) where.userId = scoped.where.user[0];
  if (scoped.where.team) where.teamId = scoped.where.team[0];
  if (scoped.where.key) where.keyId = scoped.where.key[0];
  if (scoped.where.model) where.model = scoped.where.model[0];
  if (f.status) where.status = f.status;
  if (f.keyToken) where.keyToken = f.keyToken;
  if (f.requestId) where.requestId = f.requestId;
  if (fromMs !== null || toMs !== null)
    where.startTime = {
      ...(fromMs !== null ? { $gte: new Date(fromMs) } : {}),
      ...(toMs !== null ? { $lt: new Date(toMs + 86_400_000) } : {}),
    };
  const [nodes, totalCount] = await ctx.em.findAndCount(SpendLog, where, {
    orderBy: { startTime: 'desc', requestId: 'desc' },
    limit: page.limit,
    offset: page.offset,
  });
  return { nodes, totalCount };
}
