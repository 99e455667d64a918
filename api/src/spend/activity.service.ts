import type { Ctx } from '../app/context.js';
import { authorize } from '../permissions/authorize.js';
import { Team } from '../teams/team.entity.js';
import {
  aggregate,
  keyAliases,
  keyIdsForApiKey,
  keyRowsQuery,
  scopeUsage,
  type Group,
  type KeyInfo,
  type RollupQuery,
  type Scoped,
} from './usage.service.js';

/**
 * LiteLLM's daily activity and cache-hit reads (`/user/daily/activity`, `/team/daily/activity`,
 * `/customer/daily/activity`, * `/global/activity/cache_hits`), computed from the same scoped roll-up queries as GraphQL
 * `usage` and `cacheAnalytics`: the REST adapter only shapes the answer. Unlike LiteLLM,
 * cache activity is scoped by role too.
 */

export type Sums = Group['sums'];

/** Matches no key id: a filter that names an unknown (or unreadable) key reads nothing. */
const NO_KEY = '\u0000no-such-key';

export const emptySums = (): Sums => ({
  requests: 0, successes: 0, failures: 0, promptTokens: 0, completionTokens: 0, spendNanos: 0, cacheHits: 0, savedNanos: 0, cachedCompletionTokens: 0,
  promptCacheHits: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, promptCacheSavedNanos: 0,
});
const addSums = (a: Sums, b: Sums) => {
  for (const k of Object.keys(a) as Array<keyof Sums>) a[k] += b[k];
};

export interface ActivityDay {
  date: string;
  total: Sums;
  models: Map<string, Sums>;
  /** key id → sums; a plain team member's are only their own keys */
  keys: Map<string, Sums>;
  /** team id → sums (team activity only) */
  entities: Map<string, Sums>;
}

export interface Activity {
  /** the requested page of days, oldest first */
  days: ActivityDay[];
  /** over every day, not only the page */
  total: Sums;
  /** key id → alias (if readable), token hash, owner and team, for the keys on the page */
  keys: Map<string, KeyInfo>;
  page: number;
  totalPages: number;
}

export interface ActivityFilter {
  from: string;
  to: string;
  model?: string | null;
  /** LiteLLM's api_key: the secret, its hash or the key id */
  apiKey?: string | null;
}

/**
 * Narrows to one key named by LiteLLM's `api_key`. A plain team member (no per-member
 * breakdown) filtering by a key sees it only if it is their own.
 */
async function narrowToApiKey(ctx: Ctx, q: Scoped, apiKey: string | null | undefined) {
  if (!apiKey) return;
  const ids = await keyIdsForApiKey(ctx, apiKey);
  q.where.key = ids.length ? ids : [NO_KEY];
  if (!q.breakdown) q.where.user = [q.self ?? ''];
}

/** Adds day totals, models and keys (and optionally an entity) of one scoped query. */
async function collect(ctx: Ctx, q: Scoped, days: Map<string, ActivityDay>, entity: string | null) {
  const [byModel, byKey] = await Promise.all([aggregate(ctx, q, ['day', 'model']), aggregate(ctx, keyRowsQuery(q), ['day', 'key'])]);
  const acc = (date: string) => {
    let d = days.get(date);
    if (!d) days.set(date, (d = { date, total: emptySums(), models: new Map(), keys: new Map(), entities: new Map() }));
    return d;
  };
  const bump = (m: Map<string, Sums>, k: string, s: Sums) => {
    const cur = m.get(k) ?? emptySums();
    addSums(cur, s);
    m.set(k, cur);
  };
  for (const g of byModel) {
    const d = acc(g.dims.day!);
    addSums(d.total, g.sums);
    bump(d.models, g.dims.model!, g.sums);
    if (entity) bump(d.entities, entity, g.sums);
  }
  for (const g of byKey) if (g.dims.key) bump(acc(g.dims.day!).keys, g.dims.key, g.sums);
}

/** One page of days (paged by date), totals over every date, and what the page's keys are. */
async function paged(ctx: Ctx, days: Map<string, ActivityDay>, page: number, pageSize: number): Promise<Activity> {
  const total = emptySums();
  for (const d of days.values()) addSums(total, d.total);
  const ordered = [...days.keys()].sort();
  const totalPages = Math.max(1, Math.ceil(ordered.length / pageSize));
  const slice = ordered.slice((page - 1) * pageSize, page * pageSize).map((date) => days.get(date)!);
  const keyIds = new Set<string>();
  for (const d of slice) for (const k of d.keys.keys()) keyIds.add(k);
  return { days: slice, total, keys: await keyAliases(ctx, [...keyIds]), page, totalPages };
}

/** The caller's own usage per day (admins: anyone's, or everyone's without userId). */
export async function userActivity(ctx: Ctx, f: ActivityFilter & { userId?: string | null }, page: number, pageSize: number) {
  const scoped = scopeUsage(ctx, { from: f.from, to: f.to, userId: f.userId ?? null, model: f.model ?? null }, [], 'usage');
  await narrowToApiKey(ctx, scoped, f.apiKey);
  const days = new Map<string, ActivityDay>();
  await collect(ctx, scoped, days, null);
  return paged(ctx, days, page, pageSize);
}

/** The teams whose usage the caller may read: every team for admins, else the caller's teams. */
export async function teamsInUsageReach(ctx: Ctx): Promise<string[]> {
  const reach = authorize(ctx.principal, 'usage.read');
  if (!reach.all) return reach.teams;
  const teams = await ctx.em.find(Team, {}, { fields: ['id'], orderBy: { createdAt: 'asc', id: 'asc' } });
  return teams.map((t) => t.id);
}

/**
 * Usage per day of the named teams (none named: every team in reach), broken down by team.
 * Every team is checked before any is read, so a foreign team refuses the whole request.
 */
export async function teamActivity(ctx: Ctx, f: ActivityFilter & { teamIds: string[] }, page: number, pageSize: number) {
  const teamIds = f.teamIds.length ? f.teamIds : await teamsInUsageReach(ctx);
  const scopes = teamIds.map((teamId) => ({ teamId, q: scopeUsage(ctx, { from: f.from, to: f.to, teamId, model: f.model ?? null }, [], 'usage') }));
  const days = new Map<string, ActivityDay>();
  for (const { teamId, q } of scopes) {
    await narrowToApiKey(ctx, q, f.apiKey);
    await collect(ctx, q, days, teamId);
  }
  return paged(ctx, days, page, pageSize);
}

/**
 * LiteLLM's `/customer/daily/activity`: usage per day of the named customers (none named: every
 * customer), broken down by customer (`entities`). Reading customers is the admins' (and admin
 * viewers'), who read all usage.
 */
export async function customerActivity(ctx: Ctx, f: ActivityFilter & { customerIds: string[] }, page: number, pageSize: number) {
  authorize(ctx.principal, 'customer.read');
  const q = scopeUsage(ctx, { from: f.from, to: f.to, model: f.model ?? null }, ['customer'], 'usage');
  if (f.customerIds.length) q.where.customer = f.customerIds;
  await narrowToApiKey(ctx, q, f.apiKey);
  const days = new Map<string, ActivityDay>();
  await collect(ctx, q, days, null);
  // the per-customer split, from the customer roll-up (calls naming no customer have none)
  for (const g of await aggregate(ctx, q, ['day', 'customer'])) {
    const d = days.get(g.dims.day!);
    if (!d || !g.dims.customer) continue;
    const cur = d.entities.get(g.dims.customer) ?? emptySums();
    addSums(cur, g.sums);
    d.entities.set(g.dims.customer, cur);
  }
  return paged(ctx, days, page, pageSize);
}

export interface CacheActivity {
  sums: Sums;
  /** what the caller could narrow to within scope */
  filterOptions: { keyAliases: string[]; models: string[] };
}

/** Cache hits against upstream calls in scope, narrowed by models and key aliases the caller can read. */
export async function cacheActivity(ctx: Ctx, f: { from: string; to: string; models: string[]; keyAliases: string[] }): Promise<CacheActivity> {
  const scoped = scopeUsage(ctx, { from: f.from, to: f.to }, [], 'usage');
  const [allModels, allKeys] = await Promise.all([aggregate(ctx, scoped, ['model']), aggregate(ctx, scoped, ['key'])]);
  const info = await keyAliases(ctx, allKeys.map((g) => g.dims.key).filter((k): k is string => !!k));
  const aliases = [...info.values()].map((k) => k.alias).filter((a): a is string => !!a).sort();
  const narrowed: RollupQuery = { ...scoped, where: { ...scoped.where } };
  if (f.models.length) narrowed.where.model = f.models;
  if (f.keyAliases.length) {
    // aliases resolve only among keys the caller may read (keyAliases hides the others')
    const ids = [...info].filter(([, k]) => k.alias && f.keyAliases.includes(k.alias)).map(([id]) => id);
    narrowed.where.key = ids.length ? ids : [NO_KEY];
  }
  const [totalGroup] = await aggregate(ctx, narrowed, []);
  return {
    sums: totalGroup?.sums ?? emptySums(),
    filterOptions: { keyAliases: aliases, models: allModels.map((g) => g.dims.model!).sort() },
  };
}
