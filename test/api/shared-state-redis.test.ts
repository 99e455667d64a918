/**
 * Issue 9 "Scale-out": two Purser processes on one PostgreSQL and one Redis share the response
 * cache (cache_params.type redis), SSO pending logins, the sign-in throttle and sessions; with
 * Redis cut calls are still served (a cache miss, counted in /metrics) and sign-in is still
 * throttled, in each process's memory. Without Redis nothing of this needs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../api/src/config/index.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { chat, mintKey, until, upstreamModel } from '../helpers/gateway.js';
import { sessionCookieOf } from '../helpers/jar.js';
import { freshPostgres } from '../helpers/postgres.js';
import { REDIS_HOST, REDIS_PORT, dropPrefix, redisEnv, redisPrefix } from '../helpers/redis.js';
import { freePort, startServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import { CLIENT_ID, CLIENT_SECRET, ssoFlow, startIdp, type TestIdp } from '../sso/idp.js';

const PW = 'correct-horse-battery-9';
const THROTTLE = { login_max_failures: 4, login_max_failures_per_address: 6, login_failure_window: '15m', login_lockout_duration: '10m' };

async function restLogin(s: TestServer, username: string, password: string, xff: string) {
  const res = await fetch(`${s.url}/v2/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': xff },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as any;
  return { status: res.status, message: body?.error?.message as string | undefined, retryAfter: res.headers.get('retry-after'), cookie: sessionCookieOf(res) };
}

const me = (s: TestServer, cookie: string) => s.gql(`{ me { authMethod user { id } } }`, {}, null, { cookie });
const metric = async (s: TestServer, name: string) => {
  const text = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.masterKey}` } })).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .reduce((n, l) => n + Number(l.split(' ').pop()), 0);
};

describe('two processes on one PostgreSQL and one Redis', () => {
  const prefix = redisPrefix();
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let up: FakeUpstream;
  let idp: TestIdp;
  let a: TestServer;
  let b: TestServer;
  let base: string;

  beforeAll(async () => {
    db = await freshPostgres();
    up = await startFakeUpstream();
    let port = 0;
    // one public address in front of both processes (as behind a load balancer): the IdP knows one redirect URI
    idp = await startIdp(async () => `http://127.0.0.1:${(port = await freePort())}`, [{ sub: 'sam', email: 'sam@example.com', email_verified: true, name: 'Sam' }]);
    base = `http://127.0.0.1:${port}`;
    const config = {
      model_list: [upstreamModel('m', up)],
      general_settings: THROTTLE,
      litellm_settings: { cache: true, cache_params: { type: 'redis', ttl: 600, namespace: 'answers' } },
    };
    const env = {
      ...redisEnv(prefix),
      FORWARDED_ALLOW_IPS: '127.0.0.1',
      PROXY_BASE_URL: base,
      GENERIC_CLIENT_ID: CLIENT_ID,
      GENERIC_CLIENT_SECRET: CLIENT_SECRET,
      GENERIC_ISSUER: idp.issuer,
      GENERIC_SCOPE: 'openid email profile',
    };
    a = await startServer(config, { databaseUrl: db.url, env, port });
    b = await startServer(config, { databaseUrl: db.url, env });
    for (const id of ['alice', 'bob', 'carol', 'erin'])
      expect((await a.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { userId: id, email: `${id}@example.com`, userRole: 'INTERNAL_USER', password: PW } })).errors).toBeUndefined();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await up?.close();
    await idp?.close();
    await db?.drop();
    await dropPrefix(prefix);
  });

  it('a response cached by A is a hit on B: the upstream sees one call; the entry is under the namespace', async () => {
    const { key } = await mintKey(a);
    const body = { messages: [{ role: 'user', content: 'shared across processes' }] };
    const first = await chat(a, key, body);
    expect(first.status).toBe(200);
    const before = up.received.length;
    const redis = a.running.app.redis!.client;
    // A writes the entry after answering: wait for it, not for a neighbouring event
    await until(async () => (await redis.keys(`${prefix}cache:answers:*`)).length === 1, 'the entry A cached');
    const onB = await chat(b, key, body);
    expect(onB.status).toBe(200);
    expect(up.received.length).toBe(before);
    expect(onB.body).toEqual(first.body);
    expect(await metric(b, 'litellm_cache_hits_metric_total')).toBeGreaterThanOrEqual(1);
    // the streamed form of the same question is the same entry
    const streamed = await chat(b, key, { ...body, stream: true });
    expect(streamed.status).toBe(200);
    expect(up.received.length).toBe(before);
    expect((await redis.keys(`${prefix}cache:answers:*`)).length).toBe(1);
  });

  it('an SSO login started on A finishes on B, once', async () => {
    const started = await ssoFlow(a.url, idp, 'sam', { stopAtCallback: true });
    const state = started.jar.get(a.url, 'purser_sso_state')!;
    expect(state).toBeTruthy();
    const callback = new URL(started.callbackUrl!);
    callback.port = new URL(b.url).port;
    const finish = () => fetch(callback.href, { headers: { cookie: `purser_sso_state=${state}` }, redirect: 'manual' });
    const res = await finish();
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/ui/?login=success');
    const cookie = sessionCookieOf(res)!;
    expect((await me(b, cookie)).data.me).toEqual({ authMethod: 'SESSION', user: { id: 'sam' } });
    // single use across processes: the same callback again, on either, finds nothing
    for (const again of [await finish(), await fetch(started.callbackUrl!, { headers: { cookie: `purser_sso_state=${state}` }, redirect: 'manual' })]) {
      expect(again.status).toBe(400);
      expect(await again.text()).toMatch(/Sign-in link expired or invalid/);
    }
  });

  it('a session made on A works on B, and a sign-out on B ends it on A', async () => {
    const signedIn = await restLogin(a, 'carol@example.com', PW, '10.70.0.1');
    expect(signedIn.status).toBe(200);
    expect((await me(b, signedIn.cookie!)).data.me.user.id).toBe('carol');
    expect((await fetch(`${b.url}/logout`, { headers: { cookie: signedIn.cookie! }, redirect: 'manual' })).status).toBe(303);
    expect((await me(a, signedIn.cookie!)).code).toBe('UNAUTHENTICATED');
  });

  it('failed sign-ins on A and B add up to one lockout, seen by both', async () => {
    for (const [i, s] of [a, b, a, b].entries()) expect((await restLogin(s, 'alice@example.com', 'wrong-guess', `10.71.0.${i + 1}`)).status).toBe(401);
    for (const s of [a, b]) {
      const locked = await restLogin(s, 'alice@example.com', PW, '10.71.1.1');
      expect(locked.status).toBe(429);
      expect(locked.message).toMatch(/^Too many failed sign-in attempts\. Try again in \d+ seconds\.$/);
      expect(Number(locked.retryAfter)).toBeGreaterThan(0);
      expect(Number(locked.retryAfter)).toBeLessThanOrEqual(600);
    }
    // per address too: 6 failures on other accounts from one office, split over A and B
    for (const [i, s] of [a, b, a, b, a, b].entries()) expect((await restLogin(s, `typo${i}@example.com`, PW, '10.72.0.1')).status).toBe(401);
    expect((await restLogin(a, 'bob@example.com', PW, '10.72.0.1')).status).toBe(429);
    expect((await restLogin(b, 'bob@example.com', PW, '10.72.0.2')).status).toBe(200);
  });

  it('20 parallel wrong passwords split over A and B: at most login_max_failures are checked, then locked', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => restLogin(i % 2 ? b : a, 'erin@example.com', `wrong-guess-${i}`, `10.73.0.${i + 1}`)));
    const statuses = all.map((r) => r.status);
    expect(statuses.filter((x) => x === 401).length).toBeLessThanOrEqual(THROTTLE.login_max_failures);
    expect(statuses.filter((x) => x === 401 || x === 429).length).toBe(20);
    // every answer is in: the lockout is set, on both, even for the right password
    for (const [i, s] of [a, b].entries()) expect((await restLogin(s, 'erin@example.com', PW, `10.73.1.${i + 1}`)).status).toBe(429);
  });
});

describe('Redis cut under two processes', () => {
  const prefix = redisPrefix();
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let up: FakeUpstream;
  let proxy: TcpProxy;
  let idp: TestIdp;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    db = await freshPostgres();
    up = await startFakeUpstream();
    proxy = await startTcpProxy(REDIS_HOST, REDIS_PORT);
    let port = 0;
    idp = await startIdp(async () => `http://127.0.0.1:${(port = await freePort())}`, [{ sub: 'sol', email: 'sol@example.com', email_verified: true }]);
    const sso = { PROXY_BASE_URL: `http://127.0.0.1:${port}`, GENERIC_CLIENT_ID: CLIENT_ID, GENERIC_CLIENT_SECRET: CLIENT_SECRET, GENERIC_ISSUER: idp.issuer, GENERIC_SCOPE: 'openid email' };
    const config = { model_list: [upstreamModel('m', up)], general_settings: THROTTLE, litellm_settings: { cache: true, cache_params: { type: 'redis', ttl: 600 } } };
    const env = { ...redisEnv(prefix, proxy.address), FORWARDED_ALLOW_IPS: '127.0.0.1' };
    a = await startServer(config, { databaseUrl: db.url, env: { ...env, ...sso }, port });
    b = await startServer(config, { databaseUrl: db.url, env });
    expect((await a.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { userId: 'dora', email: 'dora@example.com', userRole: 'INTERNAL_USER', password: PW } })).errors).toBeUndefined();
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await proxy?.close();
    await up?.close();
    await idp?.close();
    await db?.drop();
    await dropPrefix(prefix);
  });

  it('calls are still served (a miss, counted in /metrics), sign-in is still throttled per process, SSO finishes where it started', async () => {
    const { key } = await mintKey(a);
    const body = { messages: [{ role: 'user', content: 'cached before the cut' }] };
    expect((await chat(a, key, body)).status).toBe(200);
    const calls = up.received.length;
    await until(async () => (await a.running.app.redis!.client.keys(`${prefix}cache:*`)).length === 1, 'the entry A cached');
    expect((await chat(b, key, body)).status).toBe(200);
    expect(up.received.length).toBe(calls);

    proxy.cut();
    await until(async () => !a.running.app.redis!.up && !b.running.app.redis!.up, 'both processes see Redis away');
    for (const s of [a, b]) {
      const r = await chat(s, key, body);
      expect(r.status).toBe(200);
    }
    // both went upstream: a miss, not a failed call
    expect(up.received.length).toBe(calls + 2);
    for (const s of [a, b]) expect(await metric(s, 'purser_response_cache_unavailable_total')).toBeGreaterThanOrEqual(1);

    // throttled in memory: A locks after its own 4 failures; B, counting alone, has not seen them
    for (let i = 0; i < 4; i++) expect((await restLogin(a, 'dora@example.com', 'wrong-guess', `10.80.0.${i + 1}`)).status).toBe(401);
    const locked = await restLogin(a, 'dora@example.com', PW, '10.80.1.1');
    expect(locked.status).toBe(429);
    expect(locked.message).toMatch(/^Too many failed sign-in attempts/);
    expect((await restLogin(b, 'dora@example.com', PW, '10.80.1.2')).status).toBe(200);
    // and B still throttles on its own
    for (let i = 0; i < 4; i++) expect((await restLogin(b, 'dora@example.com', 'wrong-guess', `10.81.0.${i + 1}`)).status).toBe(401);
    expect((await restLogin(b, 'dora@example.com', PW, '10.81.1.1')).status).toBe(429);

    // an SSO login started while Redis is away finishes on the process that started it
    const sso = await ssoFlow(a.url, idp, 'sol');
    expect(sso.res.status).toBe(303);
    expect(sso.res.headers.get('location')).toBe('/ui/?login=success');
    expect((await me(a, sessionCookieOf(sso.res)!)).data.me.user.id).toBe('sol');

    proxy.restore();
    await until(async () => a.running.app.redis!.up && b.running.app.redis!.up, 'Redis back on both');
    // the entry cached before the cut is a hit again on both
    const back = up.received.length;
    for (const s of [a, b]) expect((await chat(s, key, body)).status).toBe(200);
    expect(up.received.length).toBe(back);
  });
});

describe('cache_params.type redis needs a Redis', () => {
  it('is a start-up error naming the settings', async () => {
    await expect(startServer({ litellm_settings: { cache: true, cache_params: { type: 'redis' } } })).rejects.toThrow(
      /cache_params\.type is redis but no Redis is configured: set REDIS_URL, router_settings\.redis_host or litellm_settings\.cache_params\.host/,
    );
  });

  it('refuses a namespace with spaces or control characters, and a ttl Redis cannot store', () => {
    expect(() => parseConfig({ litellm_settings: { cache_params: { type: 'redis', namespace: 'a b' } } }, {})).toThrow(/namespace[\s\S]*no spaces or control characters/);
    expect(() => parseConfig({ litellm_settings: { cache_params: { type: 'redis', namespace: 'x\u0001' } } }, {})).toThrow(/namespace/);
    expect(() => parseConfig({ litellm_settings: { cache_params: { type: 'redis', ttl: 1e300 } } }, {})).toThrow(/ttl/);
    expect(parseConfig({ litellm_settings: { cache_params: { type: 'redis', namespace: 'team:answers', ttl: 60 } } }, {}).config.litellm_settings.cache_params.namespace).toBe('team:answers');
  });

  it('without Redis the default local cache still serves hits in process', async () => {
    const up = await startFakeUpstream();
    const s = await startServer({ model_list: [upstreamModel('m', up)], litellm_settings: { cache: true } });
    try {
      const { key } = await mintKey(s);
      expect((await chat(s, key)).status).toBe(200);
      const calls = up.received.length;
      expect((await chat(s, key)).status).toBe(200);
      expect(up.received.length).toBe(calls);
      expect(s.running.app.redis).toBeNull();
    } finally {
      await s.close();
      await up.close();
    }
  });
});
