import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app/context.js';
import { badInput } from '../common/errors.js';
import { isSha256Hex, sha256 } from '../common/ids.js';
import { nanosToUsd } from '../common/money.js';
import { cacheActivity, customerActivity, teamActivity, userActivity, type Activity, type Sums } from './activity.service.js';
import { REPORT_GROUPS, spendReport } from './spend-report.js';
import { checkRange, keyIdsForApiKey, metricsOf, querySpendLogs } from './usage.service.js';
import { iso, restRoute } from '../rest/common.js';

/**
 * LiteLLM's spend and activity reads, as thin adapters over the usage and activity services
 * (same scope rules as GraphQL `usage`, `cacheAnalytics` and `spendLogs`).
 */

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
function spendMetrics(g: Sums) {
  const m = metricsOf(g);
  return {
    spend: m.spend,
    prompt_tokens: m.promptTokens,
    completion_tokens: m.completionTokens,
    cache_read_input_tokens: g.cachedPromptTokens,
    cache_creation_input_tokens: g.cacheWriteTokens,
    total_tokens: m.totalTokens,
    successful_requests: m.successes,
    failed_requests: m.failures,
    api_requests: m.requests,
    cache_hits: m.cacheHits,
    cache_savings: m.cacheSavings,
  };
}

/** LiteLLM's activity response: one result per date of the page, totals over every date. */
function activityResponse(a: Activity) {
  const results = a.days.map((d) => {
    const entry = (m: Map<string, Sums>) => Object.fromEntries([...m].map(([k, s]) => [k, { metrics: spendMetrics(s), metadata: {} }]));
    const apiKeys: Record<string, unknown> = {};
    for (const [id, s] of d.keys) {
      const k = a.keys.get(id);
      apiKeys[k?.token ?? id] = {
        metrics: spendMetrics(s),
        metadata: { key_id: id, key_alias: k?.alias ?? null, team_id: k?.teamId ?? null, user_id: k?.userId ?? null, key_exists: !!k },
      };
    }
    return {
      date: d.date,
      metrics: spendMetrics(d.total),
      breakdown: { models: entry(d.models), model_groups: {}, providers: {}, endpoints: {}, api_keys: apiKeys, mcp_servers: {}, entities: entry(d.entities) },
    };
  });
  const m = spendMetrics(a.total);
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
      total_cache_read_input_tokens: a.total.cachedPromptTokens,
      total_cache_creation_input_tokens: a.total.cacheWriteTokens,
      total_cache_hits: m.cache_hits,
      page: a.page,
      total_pages: a.totalPages,
      has_more: a.page < a.totalPages,
    },
  };
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
      spend: nanosToUsd(l.costNanos) ?? 0,
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
        saved_cost: nanosToUsd(l.savedNanos) ?? 0,
      },
    }));
  });

  restRoute(fastify, app, 'GET', '/global/activity/cache_hits', async (ctx, req) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const q = z.object({ start_date: optStr, end_date: optStr }).parse({ start_date: raw.start_date, end_date: raw.end_date });
    const { sums: s, filterOptions } = await cacheActivity(ctx, {
      ...dates(q),
      models: list(raw.models ?? raw['models[]']),
      keyAliases: list(raw.key_aliases ?? raw['key_aliases[]']),
    });
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
        saved_spend: nanosToUsd(s.savedNanos)!,
        // Purser's addition: the provider's prompt cache beside the response cache
        prompt_cache_hits: s.promptCacheHits,
        cached_prompt_tokens: s.cachedPromptTokens,
        cache_write_tokens: s.cacheWriteTokens,
        prompt_cache_saved_spend: nanosToUsd(s.promptCacheSavedNanos)!,
      },
      filter_options: { key_aliases: filterOptions.keyAliases, models: filterOptions.models },
    };
  });

  restRoute(fastify, app, 'GET', '/user/daily/activity', async (ctx, req) => {
    const q = z
      .object({ start_date: optStr, end_date: optStr, model: optStr, api_key: optStr, user_id: optStr, ...pageSchema(50, 1000) })
      .parse(req.query ?? {});
    const activity = await userActivity(ctx, { ...dates(q), userId: q.user_id, model: q.model, apiKey: q.api_key }, q.page, q.page_size);
    return activityResponse(activity);
  });

  restRoute(fastify, app, 'GET', '/team/daily/activity', async (ctx, req) => {
    const raw = (req.query ?? {}) as Record<string, unknown>;
    const q = z
      .object({ start_date: optStr, end_date: optStr, model: optStr, api_key: optStr, ...pageSchema(50, 1000) })
      .parse({ ...raw, team_ids: undefined });
    const teamIds = list(raw.team_ids ?? raw['team_ids[]']);
    const activity = await teamActivity(ctx, { ...dates(q), teamIds, model: q.model, apiKey: q.api_key }, q.page, q.page_size);
    return activityResponse(activity);
  });

  // LiteLLM's customer activity (`end_user_ids` comma-separated); /end_user/* is its older name
  for (const path of ['/customer/daily/activity', '/end_user/daily/activity'])
    restRoute(fastify, app, 'GET', path, async (ctx, req) => {
      const raw = (req.query ?? {}) as Record<string, unknown>;
      const q = z
        .object({ start_date: optStr, end_date: optStr, model: optStr, api_key: optStr, ...pageSchema(50, 1000) })
        .parse({ ...raw, end_user_ids: undefined });
      const customerIds = list(raw.end_user_ids ?? raw['end_user_ids[]']);
      if (customerIds.length > 100) throw badInput('end_user_ids lists too many customers (at most 100).', 'end_user_ids');
      const activity = await customerActivity(ctx, { ...dates(q), customerIds, model: q.model, apiKey: q.api_key }, q.page, q.page_size);
      return activityResponse(activity);
    });

  // LiteLLM's spend report: per day and team / customer, or per key; scoped like usage
  restRoute(fastify, app, 'GET', '/global/spend/report', async (ctx, req) => {
    const q = z
      .object({ start_date: optStr, end_date: optStr, group_by: z.enum(REPORT_GROUPS).default('team'), team_id: optStr, api_key: optStr })
      .parse(req.query ?? {});
    const range = dates(q);
    let keyId: string | null = null;
    if (q.api_key) {
      // an unknown key has no spend: an empty report (scoped reads never reveal whether a key exists)
      const ids = await keyIdsForApiKey(ctx, q.api_key);
      if (!ids.length) return [];
      keyId = ids[0]!;
    }
    return spendReport(ctx, { ...range, groupBy: q.group_by, teamId: q.team_id ?? null, keyId });
  });
}
