import type { Ctx } from '../app/context.js';
import { badInput } from '../common/errors.js';
import { nanosToUsd, usdToNanos } from '../common/money.js';
import { Team } from '../teams/team.entity.js';
import { keyAliases, keyRowsQuery, scopeUsage, usageOf, type RollupQuery } from './usage.service.js';

/**
 * LiteLLM's `/global/spend/report`: spend per day and team, per day and customer (the
 * request's `user` field, LiteLLM's end user), or per key, each split by model. Scoped by role
 * exactly as usage is (scopeUsage): admins and admin viewers read everything, everyone else
 * their own spend, or a team's as the team rules allow. All three read the roll-ups (the
 * customer report the per-customer one, daily_customer_spend).
 */

export const REPORT_GROUPS = ['team', 'customer', 'api_key'] as const;
export type ReportGroup = (typeof REPORT_GROUPS)[number];

export interface ReportFilter {
  from: string;
  to: string;
  groupBy: ReportGroup;
  teamId?: string | null;
  keyId?: string | null;
}

const usd = (nanos: number) => nanosToUsd(nanos)!;
/** a sum of USD figures that came from whole nano-dollars, added as nanos (no float drift) */
const sumUsd = (xs: number[]) => usd(xs.reduce((a, x) => a + usdToNanos(x), 0));

export async function spendReport(ctx: Ctx, f: ReportFilter) {
  if (!REPORT_GROUPS.includes(f.groupBy)) throw badInput(`group_by must be one of ${REPORT_GROUPS.join(', ')}.`, 'group_by');
  const dims = f.groupBy === 'team' ? (['day', 'team', 'model'] as const) : f.groupBy === 'api_key' ? (['key', 'model'] as const) : (['day', 'customer', 'model'] as const);
  const q = scopeUsage(ctx, { from: f.from, to: f.to, teamId: f.teamId, keyId: f.keyId }, dims, 'usage');
  if (f.groupBy === 'team') return teamReport(ctx, q);
  if (f.groupBy === 'api_key') return keyReport(ctx, keyRowsQuery(q));
  return customerReport(ctx, q);
}

async function teamReport(ctx: Ctx, q: RollupQuery) {
  const { rows } = await usageOf(ctx, q, ['day', 'team', 'model']);
  const teamIds = [...new Set(rows.map((r) => r.teamId).filter((t): t is string => !!t))];
  const aliases = new Map((await ctx.em.find(Team, { id: { $in: teamIds } }, { fields: ['alias'] })).map((t) => [t.id, t.alias]));
  const days = new Map<string, Map<string, { team_id: string | null; team_name: string | null; total_spend: number; metadata: Array<{ model: string; spend: number; total_tokens: number }> }>>();
  for (const r of rows) {
    const day = days.get(r.day!) ?? new Map();
    days.set(r.day!, day);
    const id = r.teamId ?? '';
    const t = day.get(id) ?? { team_id: r.teamId, team_name: r.teamId ? (aliases.get(r.teamId) ?? r.teamId) : null, total_spend: 0, metadata: [] };
    day.set(id, t);
    t.metadata.push({ model: r.model!, spend: r.spend, total_tokens: r.totalTokens });
  }
  return [...days].map(([day, teams]) => ({ group_by_day: day, teams: [...teams.values()].map((t) => ({ ...t, total_spend: sumUsd(t.metadata.map((m) => m.spend)) })) }));
}

async function keyReport(ctx: Ctx, q: RollupQuery) {
  const { rows } = await usageOf(ctx, q, ['key', 'model']);
  const info = await keyAliases(ctx, [...new Set(rows.map((r) => r.keyId).filter((k): k is string => !!k))]);
  const keys = new Map<string, { api_key: string | null; key_alias: string | null; total_cost: number; model_details: Array<{ model: string; total_cost: number; prompt_tokens: number; completion_tokens: number }> }>();
  for (const r of rows) {
    const id = r.keyId ?? '';
    const k = keys.get(id) ?? { api_key: r.keyId ? (info.get(r.keyId)?.token ?? null) : null, key_alias: r.keyId ? (info.get(r.keyId)?.alias ?? null) : null, total_cost: 0, model_details: [] };
    keys.set(id, k);
    k.model_details.push({ model: r.model!, total_cost: r.spend, prompt_tokens: r.promptTokens, completion_tokens: r.completionTokens });
  }
  return [...keys.values()].map((k) => ({ ...k, total_cost: sumUsd(k.model_details.map((m) => m.total_cost)) }));
}

/** Per day, customer (the request's `user`) and model, from the per-customer roll-up. */
async function customerReport(ctx: Ctx, q: RollupQuery) {
  const { rows } = await usageOf(ctx, q, ['day', 'customer', 'model']);
  const days = new Map<string, Map<string, { customer: string | null; total_spend: number; metadata: Array<{ model: string; spend: number; total_tokens: number }> }>>();
  for (const r of rows) {
    const d = days.get(r.day!) ?? new Map();
    days.set(r.day!, d);
    const id = r.customerId ?? '';
    const c = d.get(id) ?? { customer: r.customerId, total_spend: 0, metadata: [] };
    d.set(id, c);
    c.metadata.push({ model: r.model!, spend: r.spend, total_tokens: r.totalTokens });
  }
  return [...days].map(([group_by_day, customers]) => ({
    group_by_day,
    customers: [...customers.values()].map((c) => ({ ...c, total_spend: sumUsd(c.metadata.map((m) => m.spend)) })),
  }));
}
