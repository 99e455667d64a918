/**
 * Pins budget admission under concurrency and failover billing (issue 3 "Enforcement"):
 * a call is admitted iff spend + reserved < max_budget, where reserved sums the estimates of
 * calls in flight; so the overspend is bounded by what admitted calls cost beyond their
 * estimates (plus the last admitted call, which LiteLLM's `spend < max` rule lets through).
 * Spend in the database equals the sum of the successful calls exactly, in nano-dollars.
 * Failover to the next deployment (5xx, dropped connection) happens before the first byte,
 * streaming too, and every call is billed once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CALL_NANOS, PRICE, USAGE, admin, chat, flush, mintKey, sdk, sql, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let slow: FakeUpstream;
let good: FakeUpstream;
let bad: FakeUpstream;

beforeAll(async () => {
  slow = await startFakeUpstream({ usage: USAGE, delayMs: 300 });
  good = await startFakeUpstream({ usage: USAGE, text: 'answer from the healthy deployment' });
  bad = await startFakeUpstream({ usage: USAGE, failWith: 500 });
  s = await startServer({
    model_list: [upstreamModel('m', slow), upstreamModel('fo', bad, 'fo-bad'), upstreamModel('fo', good, 'fo-good')],
  });
});
afterAll(async () => {
  await s?.close();
  for (const u of [slow, good, bad]) await u?.close();
});

describe('admission under 50 concurrent calls', () => {
  it('bounds the overspend by the estimates and bills exactly what succeeded', { timeout: 60_000 }, async () => {
    const MAX_BUDGET = 0.5;
    const k = await mintKey(s, { max_budget: MAX_BUDGET });
    const body = { messages: [{ role: 'user', content: 'hi' }], max_tokens: USAGE.completion_tokens };
    // the gateway's estimate: prompt characters / 4 (rounded up) × input price + max_tokens × output price
    const estimate = Math.round((Math.ceil('hi'.length / 4) * PRICE.input_cost_per_token + body.max_tokens * PRICE.output_cost_per_token) * 1e9);
    expect(estimate).toBe(41_000_000);
    // what the upstream then reports (USAGE): 50_000 µ$ (50,000,000 nano-dollars), i.e. 9_000 µ$ more than estimated
    const actual = CALL_NANOS;

    const before = slow.received.length;
    const results = await Promise.all(Array.from({ length: 50 }, () => chat(s, k.key, body)));
    const ok = results.filter((r) => r.status === 200);
    const refused = results.filter((r) => r.status !== 200);
    for (const r of refused) {
      expect(r.status).toBe(429);
      expect(r.body.error.type).toBe('budget_exceeded');
      expect(r.headers.get('x-should-retry')).toBe('false');
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(ok.length).toBeGreaterThan(0);
    // refused calls never reached the upstream
    expect(slow.received.length - before).toBe(ok.length);

    await flush(s);
    const rows = await sql(s, 'select cost_nanos, status from spend_logs where key_id = ?', [k.id]);
    expect(rows.length).toBe(ok.length);
    expect(rows.every((r) => r.status === 'success' && r.cost_nanos === actual)).toBe(true);
    const sumOfCalls = rows.reduce((a, r) => a + r.cost_nanos, 0);
    const [key] = await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]);
    // exact, in nano-dollars: the database, the logs and the in-memory ledger agree
    expect(key.budget_spend).toBe(sumOfCalls);
    expect(key.budget_spend).toBe(ok.length * actual);
    expect(s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })).toMatchObject({ spend: sumOfCalls, reserved: 0 });

    // the bound: every admitted call but the last was counted at admission of the next ones by
    // its estimate or its actual cost, so Σ actual ≤ max + Σ max(0, actual − estimate) + one estimate
    const overshoot = ok.length * Math.max(0, actual - estimate);
    const bound = MAX_BUDGET * 1e9 + overshoot + estimate;
    expect(key.budget_spend).toBeLessThanOrEqual(bound);
    // without reservations all 50 would have been admitted: the bound is far below that
    expect(50 * actual).toBeGreaterThan(bound);

    // once over budget, a further call is refused
    const after = await chat(s, k.key, body);
    expect(after.status).toBe(429);
    expect(after.body.error.message).toContain(String(sumOfCalls / 1e9));
  });
});

describe('upstream failover', () => {
  it('fails over on 5xx and dropped connections, non-streaming and streaming, billing each call once', { timeout: 60_000 }, async () => {
    const k = await mintKey(s);
    const goodBefore = good.received.length;

    // 1) the bad deployment answers 500
    for (let i = 0; i < 15; i++) {
      const r = await chat(s, k.key, { model: 'fo' });
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(r.body.choices[0].message.content).toBe('answer from the healthy deployment');
    }
    const badAfter500 = bad.received.length;
    // shuffled load balancing: the failing deployment was tried first at least once in 15 calls
    expect(badAfter500).toBeGreaterThan(0);

    // 2) the bad deployment drops the connection
    bad.behaviour.failWith = null;
    bad.behaviour.drop = true;
    for (let i = 0; i < 15; i++) expect((await chat(s, k.key, { model: 'fo' })).status).toBe(200);
    expect(bad.received.length).toBeGreaterThan(badAfter500);

    // 3) streaming: the failover happens before the client sees a byte
    bad.behaviour.drop = false;
    bad.behaviour.failWith = 503;
    const { client } = sdk(s, k.key);
    for (let i = 0; i < 10; i++) {
      const stream = await client.chat.completions.create({ model: 'fo', messages: [{ role: 'user', content: 'hi' }], stream: true });
      let text = '';
      let chunks = 0;
      for await (const chunk of stream) {
        chunks++;
        text += chunk.choices[0]?.delta?.content ?? '';
      }
      expect(chunks).toBeGreaterThan(0);
      expect(text).toBe('answer from the healthy deployment');
    }
    expect(good.received.length - goodBefore).toBe(40);

    await flush(s);
    const rows = await sql(s, 'select deployment, status, cost_nanos from spend_logs where key_id = ?', [k.id]);
    expect(rows.length).toBe(40);
    expect(rows.every((r) => r.deployment === 'fo-good' && r.status === 'success' && r.cost_nanos === CALL_NANOS)).toBe(true);
    const [key] = await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]);
    expect(key.budget_spend).toBe(40 * CALL_NANOS);
  });

  it('when every deployment fails, the client gets one clean error and a failure row costing 0', async () => {
    const k = await mintKey(s);
    good.behaviour.failWith = 502;
    try {
      const r = await chat(s, k.key, { model: 'fo' });
      expect(r.status).toBeGreaterThanOrEqual(500);
      expect(typeof r.body.error.message).toBe('string');
      expect(r.body.error.code).toBe(String(r.status));
    } finally {
      good.behaviour.failWith = null;
    }
    await flush(s);
    const rows = await sql(s, 'select status, cost_nanos, http_status from spend_logs where key_id = ?', [k.id]);
    expect(rows).toEqual([{ status: 'failure', cost_nanos: 0, http_status: rows[0].http_status }]);
    expect(rows[0].http_status).toBeGreaterThanOrEqual(500);
    const [key] = await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]);
    expect(key.budget_spend).toBe(0);
  });
});

describe("an admin's spend correction on a user", () => {
  it('moves the personal spend that personal keys are admitted against, and only the user budget', { timeout: 30_000 }, async () => {
    // one call (CALL_NANOS = 0.05 USD) puts the user over a 0.01 USD budget
    await admin(s, '/user/new', { user_id: 'fix-u', user_role: 'internal_user', max_budget: 0.01, auto_create_key: false });
    const personal = await mintKey(s, { user_id: 'fix-u' });
    const body = { messages: [{ role: 'user', content: 'hi' }] };
    expect((await chat(s, personal.key, body)).status).toBe(200);
    const over = await chat(s, personal.key, body);
    expect(over.status).toBe(429);
    expect(over.body.error.message).toMatch(/user fix-u/i);
    await flush(s);

    // the admin forgives the spend: the personal key is admitted again, at once
    await admin(s, '/user/update', { user_id: 'fix-u', spend: 0 });
    const [u] = await sql(s, 'select budget_spend, personal_spend_nanos from users where id = ?', ['fix-u']);
    expect({ total: Number(u.budget_spend), personal: Number(u.personal_spend_nanos) }).toEqual({ total: 0, personal: 0 });
    const info = await s.rest('GET', '/user/info?user_id=fix-u');
    expect(info.body.user_info).toMatchObject({ spend: 0, personal_spend: 0 });
    expect((await chat(s, personal.key, body)).status).toBe(200);
    await flush(s);
    const [after] = await sql(s, 'select personal_spend_nanos from users where id = ?', ['fix-u']);
    expect(Number(after.personal_spend_nanos)).toBe(CALL_NANOS);

    // and a correction above the budget blocks the personal key, naming the corrected figure
    await admin(s, '/user/update', { user_id: 'fix-u', spend: 0.02, max_budget: 1 });
    expect((await chat(s, personal.key, body)).status).toBe(200);
    await flush(s);
    await admin(s, '/user/update', { user_id: 'fix-u', spend: 2 });
    const blocked = await chat(s, personal.key, body);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.message).toContain('current spend 2.000000 USD');
    // the key's own spend is the key's: a user correction leaves it alone
    const [key] = await sql(s, 'select budget_spend from virtual_keys where id = ?', [personal.id]);
    expect(Number(key.budget_spend)).toBe(3 * CALL_NANOS);
  });
});
