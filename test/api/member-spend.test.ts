/**
 * Issue 7, "Bad input and leaks": a member's spend and member budget inside a team are seen
 * by that member, that team's admins and proxy_admin / proxy_admin_viewer only, on every path
 * that shows a membership (GraphQL `team.members`, `user.teams`, nested through a key; REST
 * `/team/info`, `/user/info`). Fellow members still see the membership, with null figures.
 *
 * t1: boss admin, carol user, dave user.   t2: carol admin, dave user, boss user.
 * So carol reaches dave (through t2) but is a plain member of t1, and boss the other way round.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../helpers/gateway.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

const TEAM_ADMINS: Record<string, string> = { t1: 'boss', t2: 'carol' };
const SPEND: Record<string, number> = { 't1:boss': 1.5, 't1:carol': 2.5, 't1:dave': 3.5, 't2:carol': 4.5, 't2:dave': 5.5, 't2:boss': 6.5 };

/** The rule, as the contract states it. */
const shows = (caller: string, teamId: string, userId: string) =>
  caller === 'admin' || caller === 'viewer' || caller === userId || TEAM_ADMINS[teamId] === caller;

type Row = { teamId: string; userId: string; spend: number | null; maxBudget: number | null; budgetDuration: string | null };

describe('member spend is visible to the member, team admins and admins only', () => {
  let s: TestServer;
  const keys: Record<string, string> = {};

  beforeAll(async () => {
    s = await startServer({});
    await s.rest('POST', '/team/new', { team_id: 't1', team_alias: 'one' });
    await s.rest('POST', '/team/new', { team_id: 't2', team_alias: 'two' });
    keys.boss = await userWithKey(s, { user_id: 'boss', user_role: 'internal_user', teams: [{ team_id: 't1', role: 'admin' }, { team_id: 't2', role: 'user' }] });
    keys.carol = await userWithKey(s, { user_id: 'carol', user_role: 'internal_user', teams: [{ team_id: 't1', role: 'user' }, { team_id: 't2', role: 'admin' }] });
    keys.dave = await userWithKey(s, { user_id: 'dave', user_role: 'internal_user_viewer', teams: [{ team_id: 't1', role: 'user', max_budget_in_team: 10 }, 't2'] });
    keys.viewer = await userWithKey(s, { user_id: 'viewer', user_role: 'proxy_admin_viewer' });
    keys.admin = s.masterKey;
    await s.rest('POST', '/team/member_update', { team_id: 't1', user_id: 'dave', budget_duration: '30d' });
    // spend moves only through gateway calls; set it in the database itself to have figures to hide
    for (const [k, usd] of Object.entries(SPEND)) {
      const [teamId, userId] = k.split(':');
      await sql(s, 'update team_memberships set budget_spend = ? where team_id = ? and user_id = ?', [usd * 1e9, teamId, userId]);
    }
  });
  afterAll(async () => {
    await s?.close();
  });

  /** Every membership row each path shows the caller. */
  async function rows(caller: string): Promise<Record<string, Row[]>> {
    const auth = keys[caller]!;
    const out: Record<string, Row[]> = {};
    const F = 'teamId userId spend maxBudget budgetDuration';
    const teams = await s.gql(`{ a: team(id: "t1") { members { ${F} } } b: team(id: "t2") { members { ${F} } } }`, undefined, auth);
    expect(teams.errors, caller).toBeUndefined();
    out['graphql team.members'] = [...teams.data.a.members, ...teams.data.b.members];
    const users = await s.gql(`{ users(first: 20) { edges { node { teams { ${F} } } } } }`, undefined, auth);
    expect(users.errors, caller).toBeUndefined();
    out['graphql user.teams'] = users.data.users.edges.flatMap((e: any) => e.node.teams);
    const nested = await s.gql(`{ keys(first: 20) { edges { node { team { members { ${F} } } user { teams { ${F} } } } } } }`, undefined, auth);
    expect(nested.errors, caller).toBeUndefined();
    out['graphql key.team.members, key.user.teams'] = nested.data.keys.edges.flatMap((e: any) => [...(e.node.team?.members ?? []), ...(e.node.user?.teams ?? [])]);
    const rest = (r: any): Row => ({ teamId: r.team_id, userId: r.user_id, spend: r.spend, maxBudget: r.max_budget_in_team, budgetDuration: r.budget_duration });
    out['REST /team/info'] = [];
    for (const t of ['t1', 't2']) {
      const r = await s.rest('GET', `/team/info?team_id=${t}`, undefined, auth);
      expect(r.status).toBe(200);
      out['REST /team/info'].push(...r.body.team_memberships.map(rest));
    }
    out['REST /user/info'] = [];
    for (const u of ['boss', 'carol', 'dave']) {
      const r = await s.rest('GET', `/user/info?user_id=${u}`, undefined, auth);
      if (r.status === 200) out['REST /user/info'].push(...r.body.teams.map(rest));
    }
    return out;
  }

  for (const caller of ['carol', 'boss', 'dave', 'admin', 'viewer'])
    it(`as ${caller}: figures exactly where the rule allows, null elsewhere`, async () => {
      const byPath = await rows(caller);
      for (const [path, list] of Object.entries(byPath)) {
        expect(list.length, path).toBeGreaterThan(0);
        for (const r of list) {
          const key = `${r.teamId}:${r.userId}`;
          if (shows(caller, r.teamId, r.userId)) {
            expect(r.spend, `${path} ${key}`).toBe(SPEND[key]);
            if (key === 't1:dave') expect([r.maxBudget, r.budgetDuration], path).toEqual([10, '30d']);
          } else expect([r.spend, r.maxBudget, r.budgetDuration], `${path} ${key}`).toEqual([null, null, null]);
        }
      }
    });

  it('the leaks this closes are really reached: fellow members see the row, not the figures', async () => {
    // carol (plain in t1) sees dave in t1 through t2; boss (plain in t2) sees dave's t2 membership through t1
    const carol = await rows('carol');
    expect(carol['graphql team.members']).toContainEqual({ teamId: 't1', userId: 'dave', spend: null, maxBudget: null, budgetDuration: null });
    expect(carol['REST /team/info']).toContainEqual({ teamId: 't1', userId: 'dave', spend: null, maxBudget: null, budgetDuration: null });
    const boss = await rows('boss');
    expect(boss['graphql user.teams']).toContainEqual({ teamId: 't2', userId: 'dave', spend: null, maxBudget: null, budgetDuration: null });
    expect(boss['REST /user/info']).toContainEqual({ teamId: 't2', userId: 'dave', spend: null, maxBudget: null, budgetDuration: null });
    // while per-member usage stays refused to a plain member, as before
    expect((await s.gql(`{ usage(filter: { from: "2026-01-01", to: "2026-12-31", teamId: "t1" }, groupBy: [USER]) { totals { spend } } }`, undefined, keys.carol)).code).toBe('FORBIDDEN');
  });
});
