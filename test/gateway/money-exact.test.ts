/**
 * Contract: money is exact down to the cheapest call. A 10-token embedding on a
 * $0.02-per-million model (text-embedding-3-small's built-in price) costs exactly $0.0000002
 * through the gateway — spend row, key counter, REST and GraphQL; a million of them sum to
 * exactly $0.20 in the budget counters and roll-ups (the real recorder, fed the cost the
 * gateway charged) and in SQL sums over spend rows (the customer spend report); a key budget
 * of $0.0000001 round-trips through /key/generate, /key/info and GraphQL and is enforced;
 * amounts the integer nano-dollars cannot hold are refused with a clear error.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SpendRecorder } from '../../api/src/spend/recorder.js';
import type { SpendRow } from '../../api/src/budgets/ports.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { admin, bearer, flush, mintKey, post, sdk, isPostgres, sha256, sql } from '../helpers/gateway.js';
import { silentLog, startServer, type TestServer } from '../helpers/server.js';

const CHEAPEST = 0.0000002;
const DAY = new Date().toISOString().slice(0, 10);
const MILLION = 1_000_000;

let up: FakeUpstream;
let s: TestServer;
beforeAll(async () => {
  // the fake upstream reports 10 prompt tokens for every embedding call
  up = await startFakeUpstream({ usage: { prompt_tokens: 10, completion_tokens: 0 } });
  s = await startServer({
    model_list: [
      { model_name: 'emb', litellm_params: { model: 'openai/text-embedding-3-small', api_base: up.base, api_key: 'sk-up' } },
      // a hostile price: 10 tokens would cost $10,000,000
      { model_name: 'absurd', litellm_params: { model: 'openai/text-embedding-3-small', api_base: up.base, api_key: 'sk-up' }, model_info: { input_cost_per_token: 1_000_000, output_cost_per_token: 0 } },
    ],
  });
  for (const team_id of ['t-cheap', 't-million']) expect((await s.rest('POST', '/team/new', { team_id, team_alias: team_id })).status).toBe(200);
  for (const [user_id, team] of [['u-cheap', 't-cheap'], ['u-million', 't-million']])
    expect((await s.rest('POST', '/user/new', { user_id, user_role: 'internal_user', teams: [team], auto_create_key: false })).status).toBe(200);
});
afterAll(async () => {
  await s?.close();
  await up?.close();
});

const embed = (key: string, input = 'one') => post(s, '/v1/embeddings', { model: 'emb', input }, bearer(key));

describe('one cheapest call', () => {
  it('a 10-token embedding at $0.02 per million costs exactly $0.0000002 everywhere', async () => {
    const k = await mintKey(s, { team_id: 't-cheap', user_id: 'u-cheap' });
    const { client } = sdk(s, k.key);
    for (let i = 0; i < 3; i++) expect((await client.embeddings.create({ model: 'emb', input: `text ${i}` })).data).toHaveLength(1);
    await flush(s);

    const rows = await sql(s, 'select prompt_tokens, cost_nanos, status from spend_logs where key_id = ?', [k.id]);
    expect(rows).toEqual(Array.from({ length: 3 }, () => ({ prompt_tokens: 10, cost_nanos: 200, status: 'success' })));
    const logs = await s.rest('GET', `/spend/logs?api_key=${k.token}&start_date=${DAY}&end_date=${DAY}`);
    expect(logs.body.map((l: any) => l.spend)).toEqual([CHEAPEST, CHEAPEST, CHEAPEST]);

    // 3 × 200 nano-dollars, not 3 × 0 micro-dollars
    const info = await s.rest('GET', '/key/info?key=' + k.key);
    expect(info.body.info.spend).toBe(0.0000006);
    expect((await s.rest('GET', '/team/info?team_id=t-cheap')).body.team_info.spend).toBe(0.0000006);
    expect((await s.rest('GET', '/user/info?user_id=u-cheap')).body.user_info.spend).toBe(0.0000006);
    const gq = await s.gql(`{ key(id: "${k.id}") { spend } }`);
    expect(gq.data.key.spend).toBe(0.0000006);

    // usage totals (roll-ups) match the spend rows (the logs) exactly
    const usage = await s.gql(`query($f: UsageFilter!) { usage(filter: $f) { totals { spend requests promptTokens } } }`, { f: { from: DAY, to: DAY, keyId: k.id } });
    expect(usage.errors).toBeUndefined();
    expect(usage.data.usage.totals).toEqual({ spend: 0.0000006, requests: 3, promptTokens: 30 });
    const sumOfRows = rows.reduce((a, r) => a + r.cost_nanos, 0) / 1e9;
    expect(usage.data.usage.totals.spend).toBe(sumOfRows);
  });
});

describe('one million cheapest calls', () => {
  /** the cost the gateway charged for one real call, read back from its spend row */
  let callNanos: number;
  let k: { key: string; id: string; token: string };
  beforeAll(async () => {
    const probe = await mintKey(s);
    expect((await embed(probe.key)).status).toBe(200);
    await flush(s);
    [{ cost_nanos: callNanos }] = await sql(s, 'select cost_nanos from spend_logs where key_id = ?', [probe.id]);
    k = await mintKey(s, { team_id: 't-million', user_id: 'u-million', key_alias: 'million' });
  });

  it('the float sum drifts: the exactness below is not a coincidence of the numbers', () => {
    let float = 0;
    for (let i = 0; i < MILLION; i++) float += CHEAPEST;
    expect(float).not.toBe(0.2);
    expect(callNanos * MILLION).toBe(200_000_000);
  });

  it('through the real recorder: key, team and user counters and the roll-ups hold exactly $0.20', { timeout: 300_000 }, async () => {
    // the server's own recorder class, orm and ledger; spend rows off (LiteLLM's disable_spend_logs)
    // so a million rows are counted without writing a million logs
    const gw = s.running.app.gateway!;
    const recorder = new SpendRecorder(s.running.app.orm, isPostgres(s) ? 'postgresql' : 'sqlite', gw.ledger, silentLog, { intervalMs: 60_000, maxRows: 100_000, storePrompts: false, disabled: true });
    const now = new Date();
    const row = (): SpendRow => ({
      requestId: randomUUID(), keyToken: k.token, keyId: k.id, userId: 'u-million', teamId: 't-million', model: 'emb', deployment: 'emb#0',
      callType: 'embedding', promptTokens: 10, completionTokens: 0, costNanos: callNanos, cacheHit: false, savedNanos: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, promptCacheSavedNanos: 0, status: 'success',
      httpStatus: 200, error: null, estimated: false, unpriced: false, startTime: now, endTime: now, endUser: null, request: null, response: null,
      budgets: [{ ref: { kind: 'key', keyId: k.id }, window: null }, { ref: { kind: 'team', teamId: 't-million' }, window: null }],
      userWindow: null,
    });
    for (let chunk = 0; chunk < 10; chunk++) {
      for (let i = 0; i < MILLION / 10; i++) recorder.record(row());
      await recorder.flush();
      expect(recorder.pending()).toBe(0);
    }
    expect(recorder.written).toBe(MILLION);

    expect((await s.rest('GET', '/key/info?key=' + k.key)).body.info.spend).toBe(0.2);
    expect((await s.rest('GET', '/team/info?team_id=t-million')).body.team_info.spend).toBe(0.2);
    expect((await s.rest('GET', '/user/info?user_id=u-million')).body.user_info.spend).toBe(0.2);
    expect((await s.gql(`{ key(id: "${k.id}") { spend } }`)).data.key.spend).toBe(0.2);
    const usage = await s.gql(`query($f: UsageFilter!) { usage(filter: $f, groupBy: [KEY, MODEL]) { totals { spend requests } rows { keyId model spend requests } } }`, {
      f: { from: DAY, to: DAY, keyId: k.id },
    });
    expect(usage.errors).toBeUndefined();
    expect(usage.data.usage.totals).toEqual({ spend: 0.2, requests: MILLION });
    expect(usage.data.usage.rows).toEqual([{ keyId: k.id, model: 'emb', spend: 0.2, requests: MILLION }]);
    const report = await s.rest('GET', `/global/spend/report?start_date=${DAY}&end_date=${DAY}&group_by=api_key&api_key=${k.key}`);
    expect(report.status).toBe(200);
    expect(report.body).toEqual([expect.objectContaining({ key_alias: 'million', total_cost: 0.2 })]);
    const team = await s.rest('GET', `/global/spend/report?start_date=${DAY}&end_date=${DAY}&group_by=team&team_id=t-million`);
    expect(team.body[0].teams).toEqual([expect.objectContaining({ team_id: 't-million', total_spend: 0.2 })]);
  });

  it('SQL sums over a million roll-up rows of that cost are exactly $0.20 (customer report)', { timeout: 300_000 }, async () => {
    const [real] = await sql(s, 'select key_id, model, prompt_tokens, cost_nanos from spend_logs where cost_nanos = ? limit 1', [callNanos]);
    // the customer report reads the per-customer daily roll-up: a million rows of one real call's
    // figures (each under its own key id, as a million calls from a million keys would leave it)
    await sql(
      s,
      `insert into daily_customer_spend (day, end_user, key_id, model, user_id, team_id, requests, successes, prompt_tokens, spend_nanos)
       with recursive n(i) as (select 1 union all select i + 1 from n where i < ${MILLION})
       select ?, 'cust-million', 'bulk-' || i, ?, '', '', 1, 1, ?, ? from n`,
      [DAY, real.model, real.prompt_tokens, real.cost_nanos],
    );
    const report = await s.rest('GET', `/global/spend/report?start_date=${DAY}&end_date=${DAY}&group_by=customer`);
    expect(report.status).toBe(200);
    const customers = report.body.flatMap((d: any) => d.customers);
    expect(customers.find((c: any) => c.customer === 'cust-million')).toMatchObject({ total_spend: 0.2, metadata: [{ model: 'emb', spend: 0.2, total_tokens: 10 * MILLION }] });
  });
});

describe('a $0.0000001 budget', () => {
  it('round-trips through /key/generate, /key/info and the database', async () => {
    const gen = await s.rest('POST', '/key/generate', { max_budget: 0.0000001, soft_budget: 0.0000003 });
    expect(gen.status).toBe(200);
    expect(gen.body.max_budget).toBe(0.0000001);
    const info = await s.rest('GET', '/key/info?key=' + gen.body.key);
    expect(info.body.info).toMatchObject({ max_budget: 0.0000001, soft_budget: 0.0000003 });
    const [row] = await sql(s, 'select budget_max_budget, budget_soft_budget from virtual_keys where token = ?', [sha256(gen.body.key)]);
    expect(row).toEqual({ budget_max_budget: 100, budget_soft_budget: 300 });
  });

  it('round-trips through GraphQL and /key/update', async () => {
    const g = await s.gql(`mutation { generateKey(input: { maxBudget: 0.0000001 }) { secret key { id maxBudget } } }`);
    expect(g.errors).toBeUndefined();
    expect(g.data.generateKey.key.maxBudget).toBe(0.0000001);
    const id = g.data.generateKey.key.id;
    expect((await s.gql(`{ key(id: "${id}") { maxBudget spend } }`)).data.key).toEqual({ maxBudget: 0.0000001, spend: 0 });
    const upd = await s.rest('POST', '/key/update', { key: g.data.generateKey.secret, max_budget: 0.0000007 });
    expect(upd.status, JSON.stringify(upd.body)).toBe(200);
    expect((await s.rest('GET', '/key/info?key=' + g.data.generateKey.secret)).body.info.max_budget).toBe(0.0000007);
  });

  it('is enforced: one $0.0000002 call spends it, the next is refused naming both exact amounts', async () => {
    const k = await mintKey(s, { max_budget: 0.0000001 });
    expect((await embed(k.key)).status).toBe(200);
    await flush(s);
    const refused = await embed(k.key);
    expect(refused.status).toBe(429);
    expect(refused.body.error.message).toContain('current spend 0.0000002 USD, max budget 0.0000001 USD');
  });

  it('amounts the nano-dollar counters cannot hold are refused and change nothing', async () => {
    const keysBefore = (await sql(s, 'select count(*) as n from virtual_keys'))[0].n;
    for (const max_budget of [0.0000000001, 9_000_001, 1e9]) {
      const r = await s.rest('POST', '/key/generate', { max_budget });
      expect(r.status, String(max_budget)).toBe(400);
      expect(r.body.error.message).toMatch(/max_budget/);
    }
    const g = await s.gql(`mutation { generateKey(input: { maxBudget: 0.0000000001 }) { secret } }`);
    expect(g.code).toBe('BAD_USER_INPUT');
    expect((await sql(s, 'select count(*) as n from virtual_keys'))[0].n).toBe(keysBefore);
    // the largest accepted amount is stored exactly
    const big = await s.rest('POST', '/key/generate', { max_budget: 9_000_000 });
    expect(big.status).toBe(200);
    expect((await s.rest('GET', '/key/info?key=' + big.body.key)).body.info.max_budget).toBe(9_000_000);
  });

  it('user and team budgets keep nano-dollar precision', async () => {
    await admin(s, '/user/update', { user_id: 'u-cheap', max_budget: 0.0000005 });
    expect((await s.rest('GET', '/user/info?user_id=u-cheap')).body.user_info.max_budget).toBe(0.0000005);
    await admin(s, '/team/update', { team_id: 't-cheap', max_budget: 0.123456789 });
    expect((await s.rest('GET', '/team/info?team_id=t-cheap')).body.team_info.max_budget).toBe(0.123456789);
  });
});

describe('the largest amount', () => {
  it('one call costs at most $9,000,000 whatever its price, so counters stay exact integers', async () => {
    const k = await mintKey(s);
    expect((await post(s, '/v1/embeddings', { model: 'absurd', input: 'x' }, bearer(k.key))).status).toBe(200);
    await flush(s);
    expect(await sql(s, 'select cost_nanos from spend_logs where key_id = ?', [k.id])).toEqual([{ cost_nanos: 9_000_000_000_000_000 }]);
    expect((await s.rest('GET', '/key/info?key=' + k.key)).body.info.spend).toBe(9_000_000);
  });
});
