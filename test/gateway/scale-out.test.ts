/**
 * Two Purser processes on one PostgreSQL database and one Redis behave as one system for
 * admission (issue 9 "Scale-out"): a 4 rpm key gets 4 calls a window across both, not 8;
 * alternating calls stop at the key budget; 200 concurrent calls across both overspend a small
 * budget no more than the single-process bound of test/gateway/budgets.test.ts; and
 * max_parallel_requests holds across both. Spend lands in the database exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CALL_NANOS, PRICE, USAGE, admin, chat, flush, freshRateWindow, mintKey, sql, until, upstreamModel } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { dropPrefix, redisEnv, redisPrefix } from '../helpers/redis.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { Redis } from 'ioredis';
import { REDIS_HOST, REDIS_PORT } from '../helpers/redis.js';

let db: Awaited<ReturnType<typeof freshPostgres>>;
let up: FakeUpstream;
let slow: FakeUpstream;
let A: TestServer;
let B: TestServer;
const prefix = redisPrefix();

beforeAll(async () => {
  db = await freshPostgres();
  up = await startFakeUpstream({ usage: USAGE });
  slow = await startFakeUpstream({ usage: USAGE, delayMs: 300 });
  // the reset job every second in both (each row is reset by one of them: a conditional update)
  const config = {
    model_list: [upstreamModel('m', up), upstreamModel('slow', slow)],
    general_settings: { proxy_budget_rescheduler_min_time: 1, proxy_budget_rescheduler_max_time: 1 },
  };
  // one after the other: the first runs the migrations
  A = await startServer(config, { databaseUrl: db.url, env: redisEnv(prefix) });
  B = await startServer(config, { databaseUrl: db.url, env: redisEnv(prefix) });
});
afterAll(async () => {
  await A?.close();
  await B?.close();
  await up?.close();
  await slow?.close();
  await db?.drop();
  await dropPrefix(prefix);
});

const both = async () => {
  await flush(A);
  await flush(B);
};

describe('two processes, one PostgreSQL, one Redis', () => {
  it('a 4 rpm key gets 4 calls in a window across A and B, not 8', { timeout: 90_000 }, async () => {
    const k = await mintKey(A, { rpm_limit: 4 });
    await freshRateWindow();
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await chat(i % 2 ? B : A, k.key)).status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(4);
    expect(statuses.slice(4)).toEqual([429, 429, 429, 429]);
  });

  it('alternating calls stop at the key budget', async () => {
    // 0.05 USD a call: spend 0.10 < 0.12 admits a third call, 0.15 refuses every further one, on either process
    const k = await mintKey(A, { max_budget: 0.12 });
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await chat(i % 2 ? B : A, k.key)).status);
    expect(statuses).toEqual([200, 200, 200, 429, 429, 429]);
    await both();
    const [row] = await sql(A, 'select budget_spend from virtual_keys where id = ?', [k.id]);
    expect(Number(row.budget_spend)).toBe(3 * CALL_NANOS);
    const logs = await sql(A, 'select count(*) as n from spend_logs where key_id = ?', [k.id]);
    expect(Number(logs[0].n)).toBe(3);
  });

  it('200 concurrent calls across both overspend a small budget no more than one process does', { timeout: 90_000 }, async () => {
    // the bound of test/gateway/budgets.test.ts: Σ actual ≤ max + ok × max(0, actual − estimate) + one estimate
    const MAX_BUDGET = 0.5;
    const k = await mintKey(A, { max_budget: MAX_BUDGET });
    const body = { model: 'slow', messages: [{ role: 'user', content: 'hi' }], max_tokens: USAGE.completion_tokens };
    const estimate = Math.round((Math.ceil('hi'.length / 4) * PRICE.input_cost_per_token + body.max_tokens * PRICE.output_cost_per_token) * 1e9);
    const actual = CALL_NANOS;
    const before = slow.received.length;
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => chat(i % 2 ? B : A, k.key, body)));
    const ok = results.filter((r) => r.status === 200);
    for (const r of results.filter((x) => x.status !== 200)) expect([r.status, r.body.error.type]).toEqual([429, 'budget_exceeded']);
    expect(ok.length).toBeGreaterThan(0);
    expect(slow.received.length - before).toBe(ok.length);
    await both();
    const rows = await sql(A, 'select cost_nanos from spend_logs where key_id = ?', [k.id]);
    expect(rows).toHaveLength(ok.length);
    const [row] = await sql(A, 'select budget_spend from virtual_keys where id = ?', [k.id]);
    // exactly once in the database, though two processes flushed
    expect(Number(row.budget_spend)).toBe(ok.length * actual);
    const bound = MAX_BUDGET * 1e9 + ok.length * Math.max(0, actual - estimate) + estimate;
    expect(Number(row.budget_spend)).toBeLessThanOrEqual(bound);
    // (two processes each with its own ledger would each admit up to the bound: about twice as much)
    // and nothing stays reserved once every call ended
    expect(A.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })?.reserved ?? 0).toBe(0);
    expect((await chat(B, k.key)).status).toBe(429);
  });

  it('max_parallel_requests holds across both; the slots come back', async () => {
    const k = await mintKey(A, { max_parallel_requests: 2 });
    const results = await Promise.all([A, B, A, B, A, B].map((s) => chat(s, k.key, { model: 'slow' })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(2);
    for (const r of results.filter((x) => x.status !== 200)) {
      expect(r.status).toBe(429);
      expect(r.body.error.message).toMatch(/at most 2 at once/);
    }
    expect((await Promise.all([chat(A, k.key, { model: 'slow' }), chat(B, k.key, { model: 'slow' })])).map((r) => r.status)).toEqual([200, 200]);
  });

  it('a customer blocked on A is refused on B within 2 s; unblocked, B serves it again', async () => {
    const k = await mintKey(A, {});
    // any id a call's `user` may carry: spaces and other scripts travel over the bus too
    const customer = 'scale customer é';
    expect((await chat(B, k.key, { user: customer })).status).toBe(200); // B caches the snapshot
    await admin(A, '/customer/update', { user_id: customer, blocked: true });
    await until(async () => (await chat(B, k.key, { user: customer })).status === 400, 'B refusing the blocked customer', 2_000);
    const refused = await chat(B, k.key, { user: customer });
    expect(refused.body.error.message).toBe(`User blocked from making LLM API Calls. User=${customer}`);
    await admin(A, '/customer/update', { user_id: customer, blocked: false });
    await until(async () => (await chat(B, k.key, { user: customer })).status === 200, 'B serving the unblocked customer', 2_000);
  });

  it("a named budget lowered on A bounds its customers on B within 2 s; a spend correction on A frees them", async () => {
    const k = await mintKey(A, {});
    // 1000 USD: calls that B admits while the change travels never reach it
    await admin(A, '/budget/new', { budget_id: 'scale tier', max_budget: 1000 });
    await admin(A, '/customer/new', { user_id: 'scale-tiered', budget_id: 'scale tier' });
    expect((await chat(B, k.key, { user: 'scale-tiered' })).status).toBe(200); // B caches the snapshot
    // 0.05 USD spent > 0.01: refused (a customer budget blocks once spend is over it)
    await admin(A, '/budget/update', { budget_id: 'scale tier', max_budget: 0.01 });
    await until(async () => (await chat(B, k.key, { user: 'scale-tiered' })).status === 429, 'B applying the lowered budget', 2_000);
    expect((await chat(A, k.key, { user: 'scale-tiered' })).status).toBe(429);
    // (the correction is a write of the database figure: the call's spend is in it first)
    await both();
    await admin(A, '/customer/update', { user_id: 'scale-tiered', spend: 0 });
    await until(async () => (await chat(B, k.key, { user: 'scale-tiered' })).status === 200, 'B admitting after the correction', 2_000);
    expect((await chat(A, k.key, { user: 'scale-tiered' })).status).toBe(429);
    await both();
    const [row] = await sql(A, 'select budget_spend from customers where id = ?', ['scale-tiered']);
    expect(Number(row.budget_spend)).toBe(CALL_NANOS);
  });

  it('an admin correction on A and a budget reset follow into the shared counter', { timeout: 60_000 }, async () => {
    const redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
    try {
      // 0.04 USD: one call (0.05) admitted, the next refused
      const k = await mintKey(A, { max_budget: 0.04 });
      const counter = `${prefix}budget:key:${k.id}`;
      expect((await chat(A, k.key)).status).toBe(200);
      expect((await chat(B, k.key)).status).toBe(429);
      // (the correction is a write of the database figure: the call's spend is in it first)
      await both();
      await admin(A, '/key/update', { key: k.key, spend: 0 });
      await until(async () => (await redis.hget(counter, 'spend')) === '0', 'the correction in the shared counter');
      expect((await chat(B, k.key)).status).toBe(200);
      expect((await chat(A, k.key)).status).toBe(429);

      const r = await mintKey(A, { max_budget: 0.04, budget_duration: '5s' });
      const resetAt = async () => {
        const w = (await sql(A, 'select (extract(epoch from budget_budget_reset_at) * 1000)::bigint as w from virtual_keys where id = ?', [r.id]))[0].w;
        return w instanceof Date ? w.getTime() : Number(w);
      };
      const w1 = await resetAt();
      expect(w1).toBeGreaterThan(Date.now() - 60_000);
      expect((await chat(B, r.key)).status).toBe(200);
      expect((await chat(A, r.key)).status).toBe(429);
      const w2 = await until(async () => ((await resetAt()) > w1 ? resetAt() : 0), 'the reset', 30_000, 25);
      const rc = `${prefix}budget:key:${r.id}`;
      await until(async () => (await redis.hget(rc, 'w')) === String(w2) && (await redis.hget(rc, 'spend')) === '0', 'the reset in the shared counter');
      // a new window on both: one call, then refused, and the call is charged to the new window
      expect((await chat(A, r.key)).status).toBe(200);
      expect((await chat(B, r.key)).status).toBe(429);
      await both();
      const [row] = await sql(A, 'select budget_spend from virtual_keys where id = ?', [r.id]);
      expect(Number(row.budget_spend)).toBe((await resetAt()) === w2 ? CALL_NANOS : 0);
    } finally {
      redis.disconnect();
    }
  });
});
