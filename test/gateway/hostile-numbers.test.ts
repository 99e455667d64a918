/**
 * Issue 7 "Budgets and the gateway": a request's numbers cannot switch budgets off.
 * `max_tokens` / `max_completion_tokens` / `n` are finite positive integers within the model's
 * limits or the call is a 400 in OpenAI's shape that reserves nothing; with no `max_tokens` the
 * reservation assumes the model's maximum output, so concurrency cannot overspend beyond one
 * call; a bounded fuzz of the numeric fields leaves every budget enforced.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { admin, bearer, chat, flush, mintKey, post, sql, until, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';
import type { BudgetRef } from '../../api/src/budgets/ref.js';

/** 1 prompt token at 1e-7 USD + 1,000 output tokens at 1e-6 USD = 1,000,100 nano-dollars per call. */
const PRICE = { input_cost_per_token: 1e-7, output_cost_per_token: 1e-6 };
const ANSWER = { prompt_tokens: 1, completion_tokens: 1000 };
const CALL_NANOS = 1_000_100;

let s: TestServer;
let up: FakeUpstream;
let slow: FakeUpstream;

beforeAll(async () => {
  up = await startFakeUpstream({ usage: ANSWER });
  slow = await startFakeUpstream({ usage: ANSWER, delayMs: 300 });
  const priced = (name: string, u: FakeUpstream, info: Record<string, unknown> = {}) => {
    const m = upstreamModel(name, u);
    return { ...m, model_info: { ...PRICE, ...info } };
  };
  s = await startServer({
    model_list: [
      priced('m', up, { max_output_tokens: 1000 }),
      priced('slow', slow, { max_output_tokens: 1000 }),
      // not in the built-in table and no max_output_tokens: default_max_tokens_estimate applies
      { model_name: 'unknown', litellm_params: { model: 'openai/some-local-model', api_base: slow.base, api_key: 'sk-up' }, model_info: PRICE },
    ],
  });
});
afterAll(async () => {
  await s?.close();
  await up?.close();
  await slow?.close();
});

const ledgerRefs = (keyId: string, teamId?: string, userId?: string): BudgetRef[] => [
  { kind: 'key', keyId },
  ...(teamId ? [{ kind: 'team' as const, teamId }] : []),
  ...(teamId && userId ? [{ kind: 'member' as const, teamId, userId }] : []),
];

describe('request numbers', () => {
  const bad: Array<[string, string]> = [
    ['max_tokens', '1e309'],
    ['max_tokens', '-1e9'],
    ['max_tokens', '-1'],
    ['max_tokens', '0'],
    ['max_tokens', '1.5'],
    ['max_tokens', '"100"'],
    ['max_tokens', 'true'],
    ['max_tokens', '1001'],
    ['max_completion_tokens', '1e309'],
    ['max_completion_tokens', '-5'],
    ['n', '0'],
    ['n', '1e309'],
    ['n', '129'],
    ['n', '2.5'],
  ];
  it.each(bad)('%s: %s is a 400 in the OpenAI shape and reserves nothing', async (field, raw) => {
    const k = await mintKey(s, { max_budget: 1 });
    const before = up.received.length;
    const body = `{"model":"m","messages":[{"role":"user","content":"hi"}],"${field}":${raw}}`;
    const r = await post(s, '/v1/chat/completions', body, bearer(k.key));
    expect(r.status).toBe(400);
    expect(r.body.error.type).toBe('invalid_request_error');
    expect(r.body.error.param).toBe(field);
    expect(r.body.error.message).toMatch(new RegExp(`^${field} must be an integer from 1 to \\d+`));
    expect(up.received.length).toBe(before);
    expect(s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id }) ?? { spend: 0, reserved: 0 }).toMatchObject({ spend: 0, reserved: 0 });
    // and the key works normally afterwards
    expect((await chat(s, k.key)).status).toBe(200);
  });

  it('the model limit is named in the message, and valid values pass', async () => {
    const k = await mintKey(s);
    const r = await chat(s, k.key, { max_tokens: 1001 });
    expect(r.body.error.message).toBe("max_tokens must be an integer from 1 to 1000 (the model's maximum output tokens), got 1001.");
    expect((await chat(s, k.key, { max_tokens: 1000, n: 2 })).status).toBe(200);
    expect((await chat(s, k.key, { max_completion_tokens: 1, max_tokens: null })).status).toBe(200);
  });

  it('Infinity cannot switch a budget off: after hostile calls the key is still refused at its budget', async () => {
    const k = await mintKey(s, { max_budget: CALL_NANOS / 1e9 });
    for (const raw of ['1e309', '-1e9'])
      await post(s, '/v1/chat/completions', `{"model":"m","messages":[{"role":"user","content":"hi"}],"max_tokens":${raw}}`, bearer(k.key));
    expect((await chat(s, k.key)).status).toBe(200);
    const after = await chat(s, k.key);
    expect(after.status).toBe(429);
    expect(after.body.error.type).toBe('budget_exceeded');
  });

  it('a hostile usage report from the upstream is counted from the text instead of entering the ledger', async () => {
    const k = await mintKey(s, { max_budget: 1 });
    up.behaviour.usage = { prompt_tokens: -1e9, completion_tokens: 0.5 };
    try {
      const r = await chat(s, k.key);
      expect(r.status).toBe(200);
    } finally {
      up.behaviour.usage = ANSWER;
    }
    const p = s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })!;
    expect(Number.isSafeInteger(p.spend) && p.spend >= 0).toBe(true);
    expect(p.reserved).toBe(0);
  });
});

describe('estimates without max_tokens', () => {
  it('50 parallel calls to a model answering its maximum output spend at most the budget plus one call', { timeout: 60_000 }, async () => {
    const MAX = 10 * CALL_NANOS; // $0.010001: ten calls
    const k = await mintKey(s, { max_budget: MAX / 1e9 });
    const results = await Promise.all(Array.from({ length: 50 }, () => chat(s, k.key, { model: 'slow' })));
    const ok = results.filter((r) => r.status === 200).length;
    for (const r of results.filter((x) => x.status !== 200)) expect(r.body.error.type).toBe('budget_exceeded');
    await flush(s);
    const [row] = await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]);
    expect(row.budget_spend).toBe(ok * CALL_NANOS);
    // the bound the README states: max_budget + one call's maximum cost
    expect(row.budget_spend).toBeLessThanOrEqual(MAX + CALL_NANOS);
    expect(ok).toBeGreaterThan(0);
  });

  it('a model with no known maximum output reserves default_max_tokens_estimate (4096) tokens', async () => {
    const k = await mintKey(s, { max_budget: 1 });
    const inFlight = chat(s, k.key, { model: 'unknown' });
    // the reservation is visible while the call is in flight (the upstream answers after 300 ms)
    const reserved = await until(() => s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })?.reserved, 'the reservation');
    // prompt "hi" = 1 token at 1e-7, 4096 output tokens at 1e-6: 4096.1 µ$, exactly 4,096,100 nano-dollars
    expect(reserved).toBe(4_096_100);
    expect((await inFlight).status).toBe(200);
  });
});

describe('bounded fuzz of the numeric fields', () => {
  it('leaves every budget enforced and nothing reserved', { timeout: 120_000 }, async () => {
    await admin(s, '/team/new', { team_id: 'fuzz-team', max_budget: 1 });
    await admin(s, '/user/new', { user_id: 'fuzz-user', user_role: 'internal_user', max_budget: 1 });
    await admin(s, '/team/member_add', { team_id: 'fuzz-team', member: [{ user_id: 'fuzz-user', role: 'user' }], max_budget_in_team: 1 });
    const k = await mintKey(s, { max_budget: (5 * CALL_NANOS) / 1e9, team_id: 'fuzz-team', user_id: 'fuzz-user' });
    const number = fc.oneof(
      fc.constantFrom('1e309', '-1e309', '-1e9', '-1', '0', '0.5', '1e20', '9007199254740993', '"12"', 'null', 'true', '[]', '{}'),
      fc.integer({ min: -2000, max: 2000 }).map(String),
      fc.double().map((d) => (Number.isFinite(d) ? String(d) : '1e309')),
    );
    const fields = fc.record(
      { max_tokens: number, max_completion_tokens: number, n: number },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(fields, async (f) => {
        const extra = Object.entries(f).map(([name, v]) => `,"${name}":${v}`).join('');
        const r = await post(s, '/v1/chat/completions', `{"model":"m","messages":[{"role":"user","content":"fuzz"}]${extra}}`, bearer(k.key));
        expect([200, 400, 429]).toContain(r.status);
        for (const ref of ledgerRefs(k.id, 'fuzz-team', 'fuzz-user')) {
          const p = s.running.app.gateway!.ledger.peek(ref);
          if (!p) continue;
          expect(Number.isSafeInteger(p.spend) && p.spend >= 0).toBe(true);
          expect(p.reserved).toBe(0);
        }
      }),
      { numRuns: 80 },
    );
    // spend the key to its budget with valid calls: it is then refused, whatever came before
    for (let i = 0; i < 10; i++) await chat(s, k.key);
    const r = await chat(s, k.key);
    expect(r.status).toBe(429);
    expect(r.body.error.type).toBe('budget_exceeded');
    await flush(s);
    const [row] = await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]);
    expect(Number.isSafeInteger(row.budget_spend)).toBe(true);
    expect(row.budget_spend).toBeLessThanOrEqual(5 * CALL_NANOS + CALL_NANOS);
  });
});
