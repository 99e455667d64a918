/**
 * Pins the gateway's error contract (issue 3 "Enforcement"): every refusal happens before the
 * upstream is called and is OpenAI-shaped — status, `error.type`, and the headers clients act on
 * (`x-should-retry: false` on budget refusals, `retry-after` + `x-ratelimit-*` on rate limits).
 * Also: where a key may come from (four headers, never a session cookie), /v1/models scoping,
 * model ids with slashes, and billed embeddings. Real HTTP, a real fake upstream, the official SDK.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { admin, bearer, chat, flush, freshRateWindow, mintKey, post, sdk, sha256, sleep, sql, upstreamModel, USAGE } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let up: FakeUpstream;
let slow: FakeUpstream;

beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE });
  slow = await startFakeUpstream({ usage: USAGE, delayMs: 400 });
  s = await startServer({
    model_list: [
      upstreamModel('m', up),
      upstreamModel('m2', up),
      upstreamModel('slow', slow),
      { model_name: 'openai/gpt-4o', litellm_params: { model: 'openai/gpt-4o', mock_response: 'slash' } },
      { model_name: 'emb', litellm_params: { model: 'openai/text-embedding-3-small', api_base: up.base, api_key: 'sk-up' }, model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0 } },
    ],
  });
});
afterAll(async () => {
  await s?.close();
  await up?.close();
  await slow?.close();
});

const expectError = (r: { status: number; body: any }, status: number, type: string) => {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(r.body.error.type).toBe(type);
  expect(r.body.error.code).toBe(String(status));
  expect(typeof r.body.error.message).toBe('string');
};

describe('401: who may call', () => {
  it('refuses missing, unknown, hashed, blocked and blocked-team keys with one generic message', async () => {
    const before = up.received.length;
    expectError(await post(s, '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }] }), 401, 'auth_error');

    const good = await mintKey(s);
    const unknown = 'sk-' + 'u'.repeat(43);
    const blocked = await mintKey(s);
    await admin(s, '/key/block', { key: blocked.key });
    await admin(s, '/team/new', { team_id: 't-blocked' });
    const teamKey = await mintKey(s, { team_id: 't-blocked' });
    expect((await chat(s, teamKey.key)).status).toBe(200);
    await admin(s, '/team/update', { team_id: 't-blocked', blocked: true });

    const cases: Array<[string, string]> = [
      ['unknown key', unknown],
      ['the stored hash of a real key', good.token],
      ['sk- + the stored hash', 'sk-' + good.token],
      ['a blocked key', blocked.key],
      ['a key of a blocked team', teamKey.key],
    ];
    const messages = new Set<string>();
    for (const [label, secret] of cases) {
      const r = await chat(s, secret);
      expect(r.status, label).toBe(401);
      expect(r.body.error.type, label).toBe('auth_error');
      expect(r.body.error.message, label).not.toContain(secret);
      expect(r.body.error.message, label).not.toContain(sha256(secret));
      expect(r.body.error.message, label).not.toContain(good.token);
      messages.add(r.body.error.message);
    }
    expect(messages.size).toBe(1);
    expect((await chat(s, good.key)).status).toBe(200);
    // only the two successful calls reached the upstream
    expect(up.received.length - before).toBe(2);
  });

  it('an expired key gets 401 expired_key', async () => {
    const k = await mintKey(s, { duration: '1s' });
    await sleep(1500);
    const r = await chat(s, k.key);
    expectError(r, 401, 'expired_key');
    expect(r.body.error.message).not.toContain(k.key);
  });

  it('accepts the key from Authorization, x-api-key, api-key and x-litellm-api-key', async () => {
    const { key } = await mintKey(s);
    for (const h of ['authorization', 'x-api-key', 'api-key', 'x-litellm-api-key']) {
      const value = h === 'authorization' ? `Bearer ${key}` : key;
      const res = await fetch(`${s.url}/v1/models`, { headers: { [h]: value } });
      expect(res.status, h).toBe(200);
      const r = await post(s, '/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }] }, { [h]: value });
      expect(r.status, h).toBe(200);
    }
  });

  it('does not accept a session cookie on /v1', async () => {
    await admin(s, '/user/new', { user_id: 'cookie-user', user_email: 'cookie@example.com', user_role: 'internal_user', password: 'a-long-password-for-cookies-42', auto_create_key: false });
    const login = await fetch(`${s.url}/v2/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'cookie@example.com', password: 'a-long-password-for-cookies-42' }),
    });
    expect(login.status).toBe(200);
    const cookie = login.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    expect(cookie).toMatch(/=/);
    // the cookie is a real session (GraphQL takes it) ...
    const me = await s.gql('{ me { user { id } } }', {}, null, { cookie, 'apollo-require-preflight': 'true' });
    expect(me.data?.me?.user?.id).toBe('cookie-user');
    // ... and the gateway ignores it
    expectError(await post(s, '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'x' }] }, { cookie }), 401, 'auth_error');
    expect((await fetch(`${s.url}/v1/models`, { headers: { cookie } })).status).toBe(401);
  });
});

describe('403 / 400: which model, which body', () => {
  it('key_model_access_denied: key, user and team model lists, all-team-models, no-default-models', async () => {
    const keyOnly = await mintKey(s, { models: ['m'] });
    expect((await chat(s, keyOnly.key)).status).toBe(200);
    expectError(await chat(s, keyOnly.key, { model: 'm2' }), 403, 'key_model_access_denied');

    // personal key = key models ∩ user models
    await admin(s, '/user/new', { user_id: 'u-models', user_role: 'internal_user', models: ['m'], auto_create_key: false });
    const personal = await mintKey(s, { user_id: 'u-models' });
    expect((await chat(s, personal.key)).status).toBe(200);
    expectError(await chat(s, personal.key, { model: 'm2' }), 403, 'key_model_access_denied');

    // team key = key models ∩ team models; all-team-models = whatever the team allows
    await admin(s, '/team/new', { team_id: 't-models', models: ['m'] });
    const teamKey = await mintKey(s, { team_id: 't-models' });
    expectError(await chat(s, teamKey.key, { model: 'm2' }), 403, 'key_model_access_denied');
    const allTeam = await mintKey(s, { team_id: 't-models', models: ['all-team-models'] });
    expect((await chat(s, allTeam.key)).status).toBe(200);
    expectError(await chat(s, allTeam.key, { model: 'm2' }), 403, 'key_model_access_denied');

    // no-default-models: no personal key of that user may call anything; their team keys may
    await admin(s, '/user/new', { user_id: 'u-nodef', user_role: 'internal_user', models: ['no-default-models'], auto_create_key: false });
    await admin(s, '/team/new', { team_id: 't-open', members_with_roles: [{ user_id: 'u-nodef', role: 'user' }] });
    const nodefPersonal = await mintKey(s, { user_id: 'u-nodef' });
    expectError(await chat(s, nodefPersonal.key), 403, 'key_model_access_denied');
    const nodefTeam = await mintKey(s, { user_id: 'u-nodef', team_id: 't-open' });
    expect((await chat(s, nodefTeam.key)).status).toBe(200);
  });

  it('400 for an unknown model, a malformed body and missing messages', async () => {
    const { key } = await mintKey(s);
    const unknown = await chat(s, key, { model: 'no-such-model' });
    expectError(unknown, 400, 'invalid_request_error');
    expect(unknown.body.error.param).toBe('model');
    expectError(await post(s, '/v1/chat/completions', '{"model": "m", "messages": [', bearer(key)), 400, 'invalid_request_error');
    const missing = await post(s, '/v1/chat/completions', { model: 'm' }, bearer(key));
    expectError(missing, 400, 'invalid_request_error');
    expect(missing.body.error.param).toBe('messages');
    expectError(await post(s, '/v1/embeddings', { model: 'emb' }, bearer(key)), 400, 'invalid_request_error');
  });
});

describe('429 budget_exceeded', () => {
  const refused = (r: { status: number; body: any; headers: Headers }, budget: RegExp) => {
    expectError(r, 429, 'budget_exceeded');
    expect(r.headers.get('x-should-retry')).toBe('false');
    expect(r.body.error.message).toMatch(budget);
    // names its spend (0.05 after one call) and its limit (0.01)
    expect(r.body.error.message).toContain('0.05');
    expect(r.body.error.message).toContain('0.01');
  };

  it('key budget, and the official SDK does not retry it', async () => {
    const k = await mintKey(s, { max_budget: 0.01, key_alias: 'small-key' });
    expect((await chat(s, k.key)).status).toBe(200);
    refused(await chat(s, k.key), /key small-key/i);
    const before = up.received.length;
    const { client, counter } = sdk(s, k.key);
    const err = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(429);
    expect(err.type ?? err.error?.type).toBe('budget_exceeded');
    expect(counter.requests).toBe(1);
    expect(up.received.length).toBe(before);
  });

  it("user budget: blocks the user's personal keys only", async () => {
    await admin(s, '/user/new', { user_id: 'u-budget', user_role: 'internal_user', max_budget: 0.01, auto_create_key: false });
    await admin(s, '/team/new', { team_id: 't-ub', members_with_roles: [{ user_id: 'u-budget', role: 'user' }] });
    const personal = await mintKey(s, { user_id: 'u-budget' });
    const teamKey = await mintKey(s, { user_id: 'u-budget', team_id: 't-ub' });
    expect((await chat(s, personal.key)).status).toBe(200);
    refused(await chat(s, personal.key), /user u-budget/i);
    // team-key spend is the team's business: twice over the user's max, still allowed
    expect((await chat(s, teamKey.key)).status).toBe(200);
    expect((await chat(s, teamKey.key)).status).toBe(200);
  });

  it('team budget and member budget', async () => {
    await admin(s, '/team/new', { team_id: 't-budget', max_budget: 0.01 });
    const tk = await mintKey(s, { team_id: 't-budget' });
    expect((await chat(s, tk.key)).status).toBe(200);
    refused(await chat(s, tk.key), /team t-budget/i);

    await admin(s, '/user/new', { user_id: 'u-member', user_role: 'internal_user', auto_create_key: false });
    await admin(s, '/team/new', { team_id: 't-member' });
    await admin(s, '/team/member_add', { team_id: 't-member', member: { user_id: 'u-member', role: 'user' }, max_budget_in_team: 0.01 });
    const mk = await mintKey(s, { user_id: 'u-member', team_id: 't-member' });
    expect((await chat(s, mk.key)).status).toBe(200);
    refused(await chat(s, mk.key), /member u-member/i);
    // another member's key in the same team is not blocked by that member budget
    await admin(s, '/user/new', { user_id: 'u-member2', user_role: 'internal_user', auto_create_key: false });
    await admin(s, '/team/member_add', { team_id: 't-member', member: { user_id: 'u-member2', role: 'user' } });
    expect((await chat(s, (await mintKey(s, { user_id: 'u-member2', team_id: 't-member' })).key)).status).toBe(200);
  });
});

describe('429 rate_limit_exceeded', () => {
  const limited = (r: { status: number; body: any; headers: Headers }) => {
    expectError(r, 429, 'rate_limit_exceeded');
    expect(r.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
  };

  it('rpm_limit: the third call in a window is refused, with the x-ratelimit headers', { timeout: 60_000 }, async () => {
    const k = await mintKey(s, { rpm_limit: 2 });
    await freshRateWindow();
    const r1 = await chat(s, k.key);
    const r2 = await chat(s, k.key);
    expect([r1.status, r2.status]).toEqual([200, 200]);
    expect(r1.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(r1.headers.get('x-ratelimit-remaining-requests')).toBe('1');
    expect(r2.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(r2.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/);
    const r3 = await chat(s, k.key);
    limited(r3);
    expect(r3.headers.get('x-ratelimit-limit-requests')).toBe('2');
    expect(r3.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    expect(r3.headers.get('x-ratelimit-reset-requests')).toMatch(/^\d+s$/);
  });

  it('tpm_limit: tokens are charged after the call; refused once the window reached the limit', { timeout: 60_000 }, async () => {
    // each call uses 30 tokens (USAGE)
    const k = await mintKey(s, { tpm_limit: 30, rpm_limit: 100 });
    await freshRateWindow();
    const r1 = await chat(s, k.key);
    expect(r1.status).toBe(200);
    expect(r1.headers.get('x-ratelimit-limit-tokens')).toBe('30');
    expect(r1.headers.get('x-ratelimit-remaining-tokens')).toBe('30');
    const r2 = await chat(s, k.key);
    limited(r2);
    expect(r2.body.error.message).toMatch(/tokens/);
    for (const h of ['limit', 'remaining', 'reset'])
      for (const unit of ['requests', 'tokens']) expect(r2.headers.get(`x-ratelimit-${h}-${unit}`), `${h}-${unit}`).not.toBeNull();
    expect(r2.headers.get('x-ratelimit-remaining-tokens')).toBe('0');
    expect(r2.headers.get('x-ratelimit-limit-requests')).toBe('100');
  });

  it('max_parallel_requests: concurrent calls beyond the limit are refused; slots come back', async () => {
    const k = await mintKey(s, { max_parallel_requests: 1 });
    const results = await Promise.all([1, 2, 3].map(() => chat(s, k.key, { model: 'slow' })));
    const ok = results.filter((r) => r.status === 200);
    const refusedCalls = results.filter((r) => r.status === 429);
    expect(ok.length).toBe(1);
    expect(refusedCalls.length).toBe(2);
    for (const r of refusedCalls) limited(r);
    // the slot was released when the call ended
    expect((await chat(s, k.key, { model: 'slow' })).status).toBe(200);
  });

  it('team rpm_limit counts the calls of every key of the team', { timeout: 60_000 }, async () => {
    await admin(s, '/team/new', { team_id: 't-rpm', rpm_limit: 1 });
    const a = await mintKey(s, { team_id: 't-rpm' });
    const b = await mintKey(s, { team_id: 't-rpm' });
    await freshRateWindow();
    expect((await chat(s, a.key)).status).toBe(200);
    const r = await chat(s, b.key);
    limited(r);
    expect(r.body.error.message).toMatch(/team/);
    expect(r.headers.get('x-ratelimit-limit-requests')).toBe('1');
  });
});

describe('models and embeddings', () => {
  it('GET /v1/models lists only what the key may use; /v1/models/{id} takes ids with slashes', async () => {
    const narrow = await mintKey(s, { models: ['m', 'openai/gpt-4o'] });
    const { client } = sdk(s, narrow.key);
    expect((await client.models.list()).data.map((m) => m.id).sort()).toEqual(['m', 'openai/gpt-4o']);
    const all = await fetch(`${s.url}/models`, { headers: bearer(s.masterKey) });
    expect((((await all.json()) as any).data as Array<{ id: string }>).map((m) => m.id).sort()).toEqual(['emb', 'm', 'm2', 'openai/gpt-4o', 'slow']);

    const raw = await fetch(`${s.url}/v1/models/openai/gpt-4o`, { headers: bearer(narrow.key) });
    expect(raw.status).toBe(200);
    expect(((await raw.json()) as any).id).toBe('openai/gpt-4o');
    expect((await client.models.retrieve('openai/gpt-4o')).id).toBe('openai/gpt-4o');
    const hidden = await fetch(`${s.url}/v1/models/m2`, { headers: bearer(narrow.key) });
    expect(hidden.status).toBe(404);
    // and the slash model answers
    const r = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] });
    expect(r.choices[0]!.message.content).toBe('slash');
  });

  it('embeddings work through the SDK and are billed', async () => {
    const k = await mintKey(s);
    const { client } = sdk(s, k.key);
    const r = await client.embeddings.create({ model: 'emb', input: ['one', 'two'] });
    expect(r.data.length).toBe(2);
    expect(up.received.at(-1)!.path).toBe('/v1/embeddings');
    expect(up.received.at(-1)!.body.model).toBe('text-embedding-3-small');
    await flush(s);
    const rows = await sql(s, 'select call_type, prompt_tokens, completion_tokens, cost_nanos, status from spend_logs where key_id = ?', [k.id]);
    // the fake upstream reports USAGE.prompt_tokens for embeddings: 10 × 0.001 USD
    expect(rows).toEqual([{ call_type: 'embedding', prompt_tokens: 10, completion_tokens: 0, cost_nanos: 10_000_000, status: 'success' }]);
    const [key] = await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]);
    expect(key.budget_spend).toBe(10_000_000);
  });
});
