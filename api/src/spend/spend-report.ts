import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Ctx } from '../app/context.js';
import { badInput } from '../common/errors.js';
import { nanosToUsd, usdToNanos } from '../common/money.js';
import { dialectOf } from '../db/orm.js';
import { Team } from '../teams/team.entity.js';
import { keyAliases, keyRowsQuery, scopeUsage, usageOf, type RollupQuery } from './usage.service.js';

/**
 * LiteLLM's `/global/spend/report`: spend per day and team, per day and customer (the
 * request's `user` field, LiteLLM's end user), or per key, each split by model. Scoped by role
 * exactly as usage is (scopeUsage): admins and admin viewers read everything, everyone else
 * their own spend, or a team's as the team rules allow. Team and key reports read the
 * roll-ups; the customer report aggregates the spend logs in SQL, since the roll-ups have no
 * customer dimension (yet).
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
  const dims = f.groupBy === 'team' ? (['day', 'team', 'model'] as const) : f.groupBy === 'api_key' ? (['key', 'model'] as const) : (['day', 'model'] as const);
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

const COLUMN = { user: 'user_id', team: 'team_id', key: 'key_id', model: 'model' } as const;

async function customerReport(ctx: Ctx, q: RollupQuery) {
  const knex = (ctx.em as SqlEntityManager).getKnex();
  const sqlite = dialectOf(ctx.app.settings.databaseUrl) === 'sqlite';
  // spend logs keep start_time as epoch ms on SQLite and timestamptz on PostgreSQL; days are UTC
  const day = sqlite ? `strftime('%Y-%m-%d', start_time / 1000, 'unixepoch')` : `to_char(start_time at time zone 'UTC', 'YYYY-MM-DD')`;
  const lo = Date.parse(`${q.from}T00:00:00Z`);
  const hi = Date.parse(`${q.to}T00:00:00Z`) + 86_400_000;
  const sql = knex('spend_logs')
    .select(knex.raw(`${day} as day, coalesce(end_user, '') as customer, model, sum(cost_nanos) as spend, sum(prompt_tokens + completion_tokens) as tokens`))
    .where('start_time', '>=', sqlite ? lo : new Date(lo))
    .andWhere('start_time', '<', sqlite ? hi : new Date(hi));
  for (const [dim, values] of Object.entries(q.where) as Array<[keyof typeof COLUMN, string[]]>) sql.whereIn(COLUMN[dim], values);
  const rows = (await sql.groupByRaw(`${day}, coalesce(end_user, ''), model`).orderByRaw(`1, 2, 3`)) as Array<{ day: string; customer: string; model: string; spend: number | string; tokens: number | string }>;
  const days = new Map<string, Map<string, { customer: string | null; total_spend: number; metadata: Array<{ model: string; spend: number; total_tokens: number }> }>>();
  for (const r of rows) {
    const d = days.get(r.day) ?? new Map();
    days.set(r.day, d);
    const c = d.get(r.customer) ?? { customer: r.customer || null, total_spend: 0, metadata: [] };
    d.set(r.customer, c);
    const spend = usd(Number(r.spend));
    c.metadata.push({ model: r.model, spend, total_tokens: Number(r.tokens) });
  }
  return [...days].map(([group_by_day, customers]) => ({
    group_by_day,
    customers: [...customers.values()].map((c) => ({ ...c, total_spend: sumUsd(c.metadata.map((m) => m.spend)) })),
  }));
}
