import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Ctx } from '../app/context.js';
import { isAllowed } from '../permissions/authorize.js';
import { keyAliases, type UsageDim, type UsageRow } from './usage.service.js';

export interface NamedUsageRow extends UsageRow {
  keyAlias: string | null;
  keyPlayground: boolean;
  userEmail: string | null;
  teamAlias: string | null;
}

const CHUNK = 500;

async function chunked<T>(ids: string[], load: (part: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < ids.length; i += CHUNK) out.push(...(await load(ids.slice(i, i + CHUNK))));
  return out;
}

const distinct = (rows: UsageRow[], pick: (r: UsageRow) => string | null) => [...new Set(rows.map(pick).filter((v): v is string => !!v))];

/**
 * Names for grouped usage rows (key alias, user email, team alias), each only where the caller
 * may read that key, user or team, so a breakdown never tells more than the object's own page.
 * One query per grouped dimension, none for dimensions not grouped by.
 */
export async function nameUsageRows(ctx: Ctx, rows: UsageRow[], groupBy: readonly UsageDim[]): Promise<NamedUsageRow[]> {
  const p = ctx.principal;
  const knex = (ctx.em as SqlEntityManager).getKnex();
  const keys = groupBy.includes('key') ? await keyAliases(ctx, distinct(rows, (r) => r.keyId)) : new Map();

  const emails = new Map<string, string | null>();
  if (p && groupBy.includes('user')) {
    const ids = distinct(rows, (r) => r.userId);
    const users = await chunked(ids, (part) => knex('users').select('id', 'email').whereIn('id', part) as Promise<Array<{ id: string; email: string | null }>>);
    const memberships = await chunked(ids, (part) => knex('team_memberships').select('user_id', 'team_id').whereIn('user_id', part) as Promise<Array<{ user_id: string; team_id: string }>>);
    const teamsOf = new Map<string, string[]>();
    for (const m of memberships) teamsOf.set(m.user_id, [...(teamsOf.get(m.user_id) ?? []), m.team_id]);
    for (const u of users)
      if (isAllowed(p, 'user.read', { kind: 'user', userId: u.id, teamIds: teamsOf.get(u.id) ?? [] })) emails.set(u.id, u.email);
  }

  const aliases = new Map<string, string | null>();
  if (p && groupBy.includes('team')) {
    const teams = await chunked(distinct(rows, (r) => r.teamId), (part) => knex('teams').select('id', 'alias').whereIn('id', part) as Promise<Array<{ id: string; alias: string | null }>>);
    for (const t of teams) if (isAllowed(p, 'team.read', { kind: 'team', teamId: t.id })) aliases.set(t.id, t.alias);
  }

  return rows.map((r) => ({
    ...r,
    keyAlias: r.keyId ? (keys.get(r.keyId)?.alias ?? null) : null,
    keyPlayground: r.keyId ? (keys.get(r.keyId)?.playground ?? false) : false,
    userEmail: r.userId ? (emails.get(r.userId) ?? null) : null,
    teamAlias: r.teamId ? (aliases.get(r.teamId) ?? null) : null,
  }));
}
