/**
 * Issue 11: LiteLLM's GET /global/spend/report (start_date, end_date, group_by team /
 * customer / api_key) from the recorded spend, scoped by role: admins and admin viewers see
 * everything, other users only their own spend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { freshPostgres } from '../helpers/postgres.js';
import { chat, flush, upstreamModel, USAGE } from '../helpers/gateway.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

const today = new Date().toISOString().slice(0, 10);
const range = `start_date=${today}&end_date=${today}`;

// the customer report groups spend logs by day in SQL: both dialects
describe.each(['sqlite', 'postgresql'] as const)('/global/spend/report on %s', (dialect) => {
  let db: Awaited<ReturnType<typeof freshPostgres>> | null = null;
  let s: TestServer;
  let up: FakeUpstream;
  let aliceKey: string;
  let bobKey: string;
  let viewerKey: string;
  let teamKey: { key: string; token_id: string };
  beforeAll(async () => {
    up = await startFakeUpstream({ usage: USAGE });
    db = dialect === 'postgresql' ? await freshPostgres() : null;
    s = await startServer({ model_list: [upstreamModel('m1', up), upstreamModel('m2', up)] }, db ? { databaseUrl: db.url } : {});
    aliceKey = await userWithKey(s, { user_id: 'alice', user_role: 'internal_user' });
    bobKey = await userWithKey(s, { user_id: 'bob', user_role: 'internal_user' });
    viewerKey = await userWithKey(s, { user_id: 'viewer', user_role: 'proxy_admin_viewer' });
    expect((await s.rest('POST', '/team/new', { team_id: 'red', team_alias: 'Red Team', members_with_roles: [{ user_id: 'alice', role: 'user' }] })).status).toBe(200);
    teamKey = (await s.rest('POST', '/key/generate', { team_id: 'red', user_id: 'alice', key_alias: 'alice-red' })).body;
    // each call costs 0.05 USD (10 prompt + 20 completion tokens at PRICE)
    for (const [key, model, user] of [
      [teamKey.key, 'm1', 'cust-1'],
      [teamKey.key, 'm2', 'cust-1'],
      [teamKey.key, 'm1', 'cust-2'],
      [aliceKey, 'm1', undefined],
      [bobKey, 'm2', 'cust-2'],
    ] as const)
      expect((await chat(s, key, { model, ...(user ? { user } : {}) })).status).toBe(200);
    await flush(s);
  });
  afterAll(async () => {
    await s?.close();
    await up?.close();
    await db?.drop();
  });

  it('group_by team: per day, team and model (admin)', async () => {
    const res = await s.rest('GET', `/global/spend/report?${range}&group_by=team`);
    expect(res.status).toBe(200);
    expect(res.body).toHaveLength(1);
    expect(res.body[0].group_by_day).toBe(today);
    const teams = Object.fromEntries(res.body[0].teams.map((t: any) => [t.team_name ?? 'none', t]));
    expect(teams['Red Team']).toMatchObject({ team_id: 'red', total_spend: 0.15 });
    expect(teams['Red Team'].metadata).toEqual([
      { model: 'm1', spend: 0.1, total_tokens: 60 },
      { model: 'm2', spend: 0.05, total_tokens: 30 },
    ]);
    expect(teams.none).toMatchObject({ team_id: null, total_spend: 0.1 });
  });

  it('group_by customer: per day, customer (the request user) and model', async () => {
    const res = await s.rest('GET', `/global/spend/report?${range}&group_by=customer`);
    expect(res.status).toBe(200);
    const c = Object.fromEntries(res.body[0].customers.map((x: any) => [x.customer ?? 'none', x]));
    expect(c['cust-1']).toMatchObject({ total_spend: 0.1 });
    expect(c['cust-2'].metadata).toEqual([
      { model: 'm1', spend: 0.05, total_tokens: 30 },
      { model: 'm2', spend: 0.05, total_tokens: 30 },
    ]);
    expect(c.none.total_spend).toBe(0.05);
  });

  it('group_by api_key: per key (the hash, as LiteLLM names keys) and model; api_key narrows', async () => {
    const res = await s.rest('GET', `/global/spend/report?${range}&group_by=api_key`);
    expect(res.status).toBe(200);
    const red = res.body.find((k: any) => k.key_alias === 'alice-red');
    expect(red).toMatchObject({ api_key: teamKey.token_id, total_cost: 0.15 });
    expect(red.model_details.map((m: any) => [m.model, m.total_cost, m.prompt_tokens, m.completion_tokens])).toEqual([
      ['m1', 0.1, 20, 40],
      ['m2', 0.05, 10, 20],
    ]);
    expect(res.body).toHaveLength(3);
    const one = await s.rest('GET', `/global/spend/report?${range}&group_by=api_key&api_key=${teamKey.token_id}`);
    expect(one.body.map((k: any) => k.key_alias)).toEqual(['alice-red']);
  });

  it('is scoped by role: viewers see all, users only their own', async () => {
    const viewer = await s.rest('GET', `/global/spend/report?${range}&group_by=api_key`, undefined, viewerKey);
    expect(viewer.body).toHaveLength(3);
    const bob = await s.rest('GET', `/global/spend/report?${range}&group_by=customer`, undefined, bobKey);
    expect(bob.body[0].customers).toEqual([{ customer: 'cust-2', total_spend: 0.05, metadata: [{ model: 'm2', spend: 0.05, total_tokens: 30 }] }]);
    const alice = await s.rest('GET', `/global/spend/report?${range}&group_by=team`, undefined, aliceKey);
    expect(alice.body[0].teams.map((t: any) => [t.team_id, t.total_spend])).toEqual([
      [null, 0.05],
      ['red', 0.15],
    ]);
    // bob is no member of red
    expect((await s.rest('GET', `/global/spend/report?${range}&team_id=red`, undefined, bobKey)).status).toBe(403);
  });

  it('refuses bad input clearly', async () => {
    expect((await s.rest('GET', `/global/spend/report?start_date=${today}`)).status).toBe(400);
    expect((await s.rest('GET', `/global/spend/report?start_date=2026-02-30&end_date=${today}`)).status).toBe(400);
    expect((await s.rest('GET', `/global/spend/report?${range}&group_by=model`)).status).toBe(400);
    expect((await s.rest('GET', `/global/spend/report?${range}`, undefined, null)).status).toBe(401);
  });
});
