import type { SqlEntityManager } from '@mikro-orm/knex';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App, Ctx } from '../app/context.js';
import { badInput } from '../common/errors.js';
import { isSha256Hex, sha256 } from '../common/ids.js';
import { microsToUsd } from '../common/money.js';
import { authorize } from '../permissions/authorize.js';
import {
  aggregate,
  checkRange,
  keyAliases,
  keyIdsForApiKey,
  metricsOf,
  querySpendLogs,
  scopeUsage,
  type Group,
  type RollupQuery,
  type Scoped,
} from '../spend/usage.service.js';
import { iso, restRoute } from './common.js';

/**
 * LiteLLM's spend and activity reads, as thin adapters over the usage service (same scope
 * rules as GraphQL `usage`, `cacheAnalytics` and `spendLogs`; unlike LiteLLM, cache activity
 * is scoped by role too).
 */

const NO_KEY = '\u0000no-such-key';
const list = (v: unknown): string[] =>
  v === undefined || v === null ? [] : (Array.isArray(v) ? v : [v]).flatMap((x) => String(x).split(',')).map((s) => s.trim()).filter(Boolean);
const optStr = z.string().trim().min(1).optional();

/** Both dates required, as LiteLLM's activity routes want them. */
function dates(q: { start_date?: string; end_date?: string }) {
  if (!q.start_date || !q.end_date)
    throw badInput('start_date and end_date are required, as YYYY-MM-DD dates.', q.start_date ? 'end_date' : 'start_date');
  return checkRange(q.start_date, q.end_date, ['start_date', 'end_date']);
}

const pageSchema = (defaultSize: number, max: number) => ({
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(max).default(defaultSize),
});

/** LiteLLM `SpendMetrics` from summed roll-up figures. */
function spendMetrics(g: Group['sums']) {
  const m = metricsOf(g);
  return {
    spend: m.spend,
    prompt_tokens: m.promptTokens,
    completion_tokens: m.completionTokens,
    cache_read_input_tokens: 0,
    cache_creation_input_tokens: 0,
    total_tokens: m.totalTokens,
    successful_requests: m.successes,
    failed_requests: m.failures,
    api_requests: m.requests,
    cache_hits: m.cacheHits,
    cache_savings: m.cacheSavings,
  };
}
type Sums = Group['sums'];
const emptySums = (): Sums => ({ requests: 0, successes: 0, failures: 0, promptTokens: 0, completionTokens: 0, spendMicros: 0, cacheHits: 0, savedMicros: 0, cachedCompletionTokens: 0 });
const addSums = (a: Sums, b: Sums) => {
  for (const k of Object.keys(a) as Array<keyof Sums>) a[k] += b[k];
};

interface DayAcc {
  total: Sums;
  models: Map<string, Sums>;
  keys: Map<string, Sums>;
  entities: Map<string, Sums>;
}

/** The activity response: one result per date (paged by date), totals over every date. */
async function activityResponse(ctx: Ctx, days: Map<string, DayAcc>, page: number, pageSize: number) {
  const keyIds = new Set<string>();
  for (const d of days.values()) for (const k of d.keys.keys()) keyIds.add(k);
  const keys = await keyAliases(ctx, [...keyIds]);
  const total = emptySums();
  for (const d of days.values()) addSums(total, d.total);
  const ordered = [...days.keys()].sort();
  const totalPages = Math.max(1, Math.ceil(ordered.length / pageSize));
  const slice = ordered.slice((page - 1) * pageSize, page * pageSize);
  const results = slice.map((date) => {
    const d = days.get(date)!;
    const entry = <K extends string>(m: Map<K, Sums>, meta: (k: K) => Record<string, unknown>) =>
      Object.fromEntries([...m].map(([k, s]) => [k, { metrics: spendMetrics(s), metadata: meta(k) }]));
    const apiKeys: Record<string, unknown> = {};
    for (const [id, s] of d.keys) {
      const k = keys.get(id);
      apiKeys[k?.token ?? id] = {
        metrics: spendMetrics(s),
        metadata: { key_id: id, key_alias: k?.alias ?? null, team_id: k?.teamId ?? null, user_id: k?.userId ?? null, key_exists: !!k },
      };
    }
    return {
      date,
      metrics: spendMetrics(d.total),
      breakdown: {
        models: entry(d.models, () => ({})),
        model_groups: {},
        providers: {},
        endpoints: {},
        api_keys: apiKeys,
        mcp_servers: {},
        entities: entry(d.entities, () => ({})),
      },
    };
  });
  const m = spendMetrics(total);
  return {
    results,
    metadata: {
      total_spend: m.spend,
      total_prompt_tokens: m.prompt_tokens,
      total_completion_tokens: m.completion_tokens,
      total_tokens: m.total_tokens,
      total_api_requests: m.api_requests,
      total_successful_requests: m.successful_requests,
      total_failed_requests: m.failed_requests,
      total_cache_read_input_tokens: 0,
      total_cache_creation_input_tokens: 0,
      total_cache_hits: m.cache_hits,
      page,
      total_pages: totalPages,
      has_more: page < totalPages,
    },
  };
}

/** Adds day totals, models and keys (and optionally an entity) of one scoped query. */
async function collect(ctx: Ctx, q: Scoped, days: Map<string, DayAcc>, entity: string | null) {
  const keyQuery: RollupQuery = q.breakdown ? q : { ...q, where: { ...q.where, user: [q.self ?? ''] } };
  const [byModel, byKey] = await Promise.all([aggregate(ctx, q, ['day', 'model']), aggregate(ctx, keyQuery, ['day', 'key'])]);
  const acc = (day: string) => {
    let d = days.get(day);
    if (!d) days.set(day, (d = { total: emptySums(), models: new Map(), keys: new Map(), entities: new Map() }));
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

async function narrowToApiKey(ctx: Ctx, q: Scoped, apiKey: string | undefined) {
  if (!apiKey) return;
  const ids = await keyIdsForApiKey(ctx, apiKey);
  q.where.key = ids.length ? ids : [NO_KEY];
  // a plain team member filtering by a key sees it only if it is theirs
  if (!q.breakdown) q.where.user = [q.self ?? ''];
}

export function registerSpendRoutes(fastify: FastifyInstance, app: App) {
  restRoute(fastify, app, 'GET', '/spend/logs', async (ctx, req) => {
    const q = z
      .object({ start_date: optStr, end_date: optStr, api_key: optStr, user_id: optStr, request_id: optStr, ...pageSchema(1000, 1000) })
      .parse(req.query ?? {});
    const keyToken = q.api_key ? (isSha256Hex(q.api_key) ? q.api_key : sha256(q.api_key)) : null;
    const { nodes } = await querySpendLogs(
      ctx,
      { from: q.start_date ?? null, to: q.end_date ?? null, userId: q.user_id ?? null, keyToken, requestId: q.request_id ?? null },
      { limit: q.page_size, offset: (q.page - 1) * q.page_size },
    );
    return nodes.map((l) => ({
      request_id: l.requestId,
      call_type: l.callType,
      api_key: l.keyToken,
      spend: microsToUsd(l.costMicros) ?? 0,
      total_tokens: l.promptTokens + l.completionTokens,
      prompt_tokens: l.promptTokens,
      completion_tokens: l.completionTokens,
      startTime: iso(l.startTime),
      endTime: iso(l.endTime),
      model: l.model,
      model_id: l.deployment,
      user: l.userId ?? '',
      team_id: l.teamId,
      cache_hit: l.cacheHit ? 'True' : 'False',
      status: l.status,
      end_user: l.endUser ?? '',
      request_duration_ms: l.durationMs,
      metadata: {
        user_api_key: l.keyToken,
        user_api_key_user_id: l.userId,
        user_api_key_team_id: l.teamId,
        status: l.status,
        error_information: l.error ? { error_message: l.error, error_code: l.httpStatus } : null,
        saved_cost: microsToUsd(l.savedMicros) ?? 0,
      },
    }));
  });

  restRoute(fastify, app, 'GET', '/global/activity/cache_hits', async (ctx, req) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const q = z.object({ start_date: optStr, end_date: optStr }).parse({ start_date: raw.start_date, end_date: raw.end_date });
    const { from, to } = dates(q);
    const scoped = scopeUsage(ctx, { from, to }, [], 'usage');
    // the filter options: what the caller could narrow to within scope
    const [allModels, allKeys] = await Promise.all([aggregate(ctx, scoped, ['model']), aggregate(ctx, scoped, ['key'])]);
    const info = await keyAliases(ctx, allKeys.map((g) => g.dims.key).filter((k): k is string => !!k));
    const aliases = [...info.values()].map((k) => k.alias).filter((a): a is string => !!a).sort();
    const models = list(raw.models ?? raw['models[]']);
    const wantAliases = list(raw.key_aliases ?? raw['key_aliases[]']);
    const narrowed: RollupQuery = { ...scoped, where: { ...scoped.where } };
    if (models.length) narrowed.where.model = models;
    if (wantAliases.length) {
      const ids = [...info].filter(([, k]) => k.alias && wantAliases.includes(k.alias)).map(([id]) => id);
      narrowed.where.key = ids.length ? ids : [NO_KEY];
    }
    const [totalGroup] = await aggregate(ctx, narrowed, []);
    const s = totalGroup?.sums ?? emptySums();
    const figures = {
      api_requests: s.requests - s.cacheHits - s.failures,
      cache_hits: s.cacheHits,
      failed_requests: s.failures,
      cached_completion_tokens: s.cachedCompletionTokens,
      generated_completion_tokens: s.completionTokens - s.cachedCompletionTokens,
    };
    return {
      // the roll-ups do not keep the call type: one group, named as LiteLLM names an empty one
      groups: s.requests ? [{ call_type: 'Unknown', ...figures }] : [],
      totals: {
        ...figures,
        cache_hit_ratio: s.requests ? (s.cacheHits / s.requests) * 100 : 0,
        saved_spend: s.savedMicros / 1e6,
      },
      filter_options: { key_aliases: aliases, models: allModels.map((g) => g.dims.model!).sort() },
    };
  });

  restRoute(fastify, app, 'GET', '/user/daily/activity', async (ctx, req) => {
    const q = z
      .object({ start_date: optStr, end_date: optStr, model: optStr, api_key: optStr, user_id: optStr, ...pageSchema(50, 1000) })
      .parse(req.query ?? {});
    const { from, to } = dates(q);
    const scoped = scopeUsage(ctx, { from, to, userId: q.user_id ?? null, model: q.model ?? null }, [], 'usage');
    await narrowToApiKey(ctx, scoped, q.api_key);
    const days = new Map<string, DayAcc>();
    await collect(ctx, scoped, days, null);
    return activityResponse(ctx, days, q.page, q.page_size);
  });

  restRoute(fastify, app, 'GET', '/team/daily/activity', async (ctx, req) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const q = z
      .object({ start_date: optStr, end_date: optStr, model: optStr, api_key: optStr, ...pageSchema(50, 1000) })
      .parse({ ...raw, team_ids: undefined });
    const { from, to } = dates(q);
    let teamIds = list(raw.team_ids ?? raw['team_ids[]']);
    if (!teamIds.length) {
      // no team named: every team the caller may read (admins: all teams)
      const reach = authorize(ctx.principal, 'usage.read');
      teamIds = reach.all
        ? ((await (ctx.em as SqlEntityManager).getKnex()('teams').select('id')) as Array<{ id: string }>).map((t) => t.id)
        : [...(ctx.principal?.teams.keys() ?? [])];
    }
    // check every team before reading any
    const scopes = teamIds.map((teamId) => ({ teamId, q: scopeUsage(ctx, { from, to, teamId, model: q.model ?? null }, [], 'usage') }));
    const days = new Map<string, DayAcc>();
    for (const { teamId, q: scoped } of scopes) {
      await narrowToApiKey(ctx, scoped, q.api_key);
      await collect(ctx, scoped, days, teamId);
    }
    return activityResponse(ctx, days, q.page, q.page_size);
  });
}
