/**
 * Pins issue 4's password sign-in hardening and session rules: one generic error for unknown
 * email and wrong password; throttling per account and per client address (429 /
 * TOO_MANY_REQUESTS with retry-after, on REST and GraphQL); X-Forwarded-For only from a
 * trusted peer (FORWARDED_ALLOW_IPS); admin_only; session lifetime; sessions ended on logout,
 * password change, role change and deletion; the form sign-in; cookies never count on REST or /v1.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieOf } from '../helpers/jar.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const PW = 'copper-meadow-falcon-27';
const PW2 = 'silent-orchard-piano-64';
// the per-address limit as low as the per-account one here, to see each lock on its own
const THROTTLE = { login_max_failures: 3, login_max_failures_per_address: 3, login_failure_window: '15m', login_lockout_duration: '10m' };

async function createUsers(s: TestServer, users: Array<[string, string]>) {
  for (const [id, role] of users) {
    const r = await s.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { userId: id, email: `${id}@example.com`, userRole: role, password: PW } });
    expect(r.errors).toBeUndefined();
  }
}

/** POST /v2/login, optionally claiming a client address through X-Forwarded-For. */
async function restLogin(s: TestServer, username: string, password: string, xff?: string) {
  const res = await fetch(`${s.url}/v2/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(xff ? { 'x-forwarded-for': xff } : {}) },
    body: JSON.stringify({ username, password }),
  });
  return { status: res.status, body: (await res.json()) as any, retryAfter: res.headers.get('retry-after'), cookie: sessionCookieOf(res) };
}

/** the GraphQL `login` mutation, keeping the HTTP response headers */
async function gqlLogin(s: TestServer, email: string, password: string, xff?: string) {
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(xff ? { 'x-forwarded-for': xff } : {}) },
    body: JSON.stringify({ query: `mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { user { id } } }`, variables: { e: email, p: password } }),
  });
  const json = (await res.json()) as any;
  return { code: json.errors?.[0]?.extensions?.code as string | undefined, message: json.errors?.[0]?.message as string | undefined, retryAfter: res.headers.get('retry-after'), cookie: sessionCookieOf(res) };
}

const me = (s: TestServer, cookie: string) => s.gql(`{ me { user { id role: userRole } } }`, {}, null, { cookie });
const expectLocked = (r: { status?: number; retryAfter: string | null }) => {
  expect(Number(r.retryAfter)).toBeGreaterThan(0);
  expect(Number(r.retryAfter)).toBeLessThanOrEqual(600);
};

describe('sign-in behind a trusted proxy (FORWARDED_ALLOW_IPS=127.0.0.1)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ general_settings: THROTTLE }, { env: { FORWARDED_ALLOW_IPS: '127.0.0.1' } });
    await createUsers(s, [['alice', 'INTERNAL_USER'], ['bob', 'INTERNAL_USER'], ['gina', 'INTERNAL_USER'], ['carol', 'INTERNAL_USER'], ['dave', 'INTERNAL_USER'], ['erin', 'INTERNAL_USER']]);
  });
  afterAll(() => s?.close());

  it('answers unknown email and wrong password alike', async () => {
    const unknown = await restLogin(s, 'nobody@example.com', PW, '10.1.0.1');
    const wrong = await restLogin(s, 'gina@example.com', 'not-the-password', '10.1.0.2');
    expect(unknown.status).toBe(401);
    expect(wrong).toEqual(unknown);
    expect(unknown.body.error.message).toBe('Invalid email or password.');
    const g1 = await gqlLogin(s, 'nobody@example.com', PW, '10.1.0.3');
    const g2 = await gqlLogin(s, 'gina@example.com', 'not-the-password', '10.1.0.4');
    expect(g1).toEqual(g2);
    expect(g1.code).toBe('UNAUTHENTICATED');
  });

  it('locks an account after login_max_failures from any addresses; other accounts still sign in', async () => {
    for (const ip of ['10.2.0.1', '10.2.0.2', '10.2.0.3']) expect((await restLogin(s, 'alice@example.com', 'wrong-guess', ip)).status).toBe(401);
    const locked = await restLogin(s, 'alice@example.com', PW, '10.2.0.4');
    expect(locked.status).toBe(429);
    expect(locked.body.error).toMatchObject({ type: 'too_many_requests', code: '429' });
    expect(locked.body.error.message).toMatch(/Too many failed sign-in attempts/);
    expect(locked.cookie).toBeNull();
    expectLocked(locked);
    const g = await gqlLogin(s, 'alice@example.com', PW, '10.2.0.5');
    expect(g.code).toBe('TOO_MANY_REQUESTS');
    expect(g.cookie).toBeNull();
    expectLocked(g);
    expect((await restLogin(s, 'bob@example.com', PW, '10.2.0.6')).status).toBe(200);
  });

  it('locks a client address (from X-Forwarded-For) after failures on any accounts', async () => {
    for (const email of ['x1@example.com', 'x2@example.com', 'x3@example.com']) expect((await restLogin(s, email, PW, '10.3.0.1')).status).toBe(401);
    const locked = await restLogin(s, 'bob@example.com', PW, '10.3.0.1');
    expect(locked.status).toBe(429);
    expectLocked(locked);
    expect((await gqlLogin(s, 'bob@example.com', PW, '10.3.0.1')).code).toBe('TOO_MANY_REQUESTS');
    // another address behind the same trusted proxy is not locked
    expect((await restLogin(s, 'bob@example.com', PW, '10.3.0.2')).status).toBe(200);
  });

  it('POST /login (form) answers 303 to /ui/ with a session cookie; a wrong password gets a page', async () => {
    const res = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ username: 'bob@example.com', password: PW }), redirect: 'manual' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/ui/');
    expect((await me(s, sessionCookieOf(res)!)).data.me.user.id).toBe('bob');
    const bad = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '10.4.0.1' }, body: new URLSearchParams({ username: 'bob@example.com', password: 'nope-nope' }), redirect: 'manual' });
    expect(bad.status).toBe(401);
    expect(sessionCookieOf(bad)).toBeNull();
    expect(await bad.text()).toMatch(/Sign-in failed[\s\S]*Invalid email or password/);
  });

  it('the session cookie counts on /graphql only: REST and /v1 answer 401', async () => {
    const { cookie } = await restLogin(s, 'bob@example.com', PW);
    expect((await me(s, cookie!)).errors).toBeUndefined();
    for (const [method, path] of [['GET', '/user/info'], ['GET', '/key/list'], ['GET', '/v1/models'], ['POST', '/v1/chat/completions'], ['POST', '/key/generate']]) {
      const res = await fetch(`${s.url}${path}`, { method, headers: { cookie: cookie!, 'content-type': 'application/json' }, body: method === 'POST' ? JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) : undefined });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  it('logout (GET /logout and the GraphQL mutation) ends the session', async () => {
    const a = (await restLogin(s, 'bob@example.com', PW)).cookie!;
    const out = await fetch(`${s.url}/logout`, { headers: { cookie: a }, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/ui/login');
    expect((await me(s, a)).code).toBe('UNAUTHENTICATED');

    const b = (await restLogin(s, 'bob@example.com', PW)).cookie!;
    const gql = await s.gql(`mutation { logout }`, {}, null, { cookie: b });
    expect(gql.data.logout).toBe(true);
    expect((await me(s, b)).code).toBe('UNAUTHENTICATED');
  });

  it('changePassword keeps the current session and ends the others', async () => {
    const current = (await restLogin(s, 'carol@example.com', PW)).cookie!;
    const other = (await restLogin(s, 'carol@example.com', PW)).cookie!;
    const wrong = await s.gql(`mutation { changePassword(input: { currentPassword: "not-it-at-all", newPassword: "${PW2}" }) }`, {}, null, { cookie: current });
    expect(wrong.code).toBe('BAD_USER_INPUT');
    expect((await me(s, other)).errors).toBeUndefined();
    const ok = await s.gql(`mutation { changePassword(input: { currentPassword: "${PW}", newPassword: "${PW2}" }) }`, {}, null, { cookie: current });
    expect(ok.data.changePassword).toBe(true);
    expect((await me(s, current)).data.me.user.id).toBe('carol');
    expect((await me(s, other)).code).toBe('UNAUTHENTICATED');
    expect((await restLogin(s, 'carol@example.com', PW2)).status).toBe(200);
    expect((await restLogin(s, 'carol@example.com', PW, '10.5.0.1')).status).toBe(401);
  });

  it('a role change by an admin ends the user sessions at once', async () => {
    const c = (await restLogin(s, 'dave@example.com', PW)).cookie!;
    expect((await me(s, c)).data.me.user.role).toBe('INTERNAL_USER');
    const upd = await s.gql(`mutation { updateUser(input: { userId: "dave", userRole: INTERNAL_USER_VIEWER }) { role: userRole } }`);
    expect(upd.data.updateUser.role).toBe('INTERNAL_USER_VIEWER');
    expect((await me(s, c)).code).toBe('UNAUTHENTICATED');
    const again = (await restLogin(s, 'dave@example.com', PW)).cookie!;
    expect((await me(s, again)).data.me.user.role).toBe('INTERNAL_USER_VIEWER');
  });

  it('deleting a user ends their sessions', async () => {
    const c = (await restLogin(s, 'erin@example.com', PW)).cookie!;
    expect((await me(s, c)).errors).toBeUndefined();
    expect((await s.gql(`mutation { deleteUser(input: { userId: "erin" }) { userId } }`)).errors).toBeUndefined();
    expect((await me(s, c)).code).toBe('UNAUTHENTICATED');
  });
});

describe('sign-in with no trusted proxy (FORWARDED_ALLOW_IPS unset)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ general_settings: THROTTLE });
    await createUsers(s, [['bob', 'INTERNAL_USER']]);
  });
  afterAll(() => s?.close());

  it('ignores X-Forwarded-For: rotating it does not escape the per-address lock', async () => {
    for (const [i, email] of ['y1@example.com', 'y2@example.com', 'y3@example.com'].entries())
      expect((await restLogin(s, email, PW, `10.9.0.${i + 1}`)).status).toBe(401);
    const locked = await restLogin(s, 'bob@example.com', PW, '10.9.0.99');
    expect(locked.status).toBe(429);
    expectLocked(locked);
    expect((await gqlLogin(s, 'bob@example.com', PW, '10.9.1.1')).code).toBe('TOO_MANY_REQUESTS');
  });
});

describe('ui_access_mode admin_only and LITELLM_UI_SESSION_DURATION', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ general_settings: { ui_access_mode: 'admin_only' } }, { env: { LITELLM_UI_SESSION_DURATION: '3s' } });
    await createUsers(s, [['worker', 'INTERNAL_USER'], ['watcher', 'PROXY_ADMIN_VIEWER']]);
  });
  afterAll(() => s?.close());

  it('refuses a non-admin password sign-in with 403 and a clear message; admins sign in', async () => {
    const r = await restLogin(s, 'worker@example.com', PW);
    expect(r.status).toBe(403);
    expect(r.body.error.message).toMatch(/limited to admins.*admin_only.*internal_user/);
    expect(r.cookie).toBeNull();
    expect((await gqlLogin(s, 'worker@example.com', PW)).code).toBe('FORBIDDEN');
    expect((await restLogin(s, 'watcher@example.com', PW)).status).toBe(200);
    expect((await restLogin(s, 'admin', MASTER_KEY)).status).toBe(200);
  });

  it('a session stops working after LITELLM_UI_SESSION_DURATION', async () => {
    const res = await fetch(`${s.url}/v2/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'watcher@example.com', password: PW }) });
    expect(res.headers.getSetCookie().join()).toMatch(/Max-Age=3/);
    const cookie = sessionCookieOf(res)!;
    expect((await me(s, cookie)).data.me.user.id).toBe('watcher');
    await new Promise((r) => setTimeout(r, 3500));
    expect((await me(s, cookie)).code).toBe('UNAUTHENTICATED');
  });
});
