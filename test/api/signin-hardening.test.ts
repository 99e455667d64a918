/**
 * Pins issue 7's sign-in hardening: one rule decides who may hold a session
 * (ui_access_mode: admin_only) on every path that creates one (password, invitation,
 * password reset) and on every request that uses one; the throttle counts an attempt before
 * the slow hash (parallel guesses cannot pass it); the per-address limit is separate and much
 * higher than the per-account one (a whole office behind one NAT address keeps signing in);
 * sign-in routes refuse foreign Origins and `Sec-Fetch-Site: cross-site` (login CSRF).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieOf } from '../helpers/jar.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const PW = 'copper-meadow-falcon-27';
const STRONG = 'violet-harbor-trombone-58';

async function createUsers(s: TestServer, users: Array<[string, string]>) {
  for (const [id, role] of users) {
    const r = await s.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { userId: id, email: `${id}@example.com`, userRole: role, password: PW } });
    expect(r.errors).toBeUndefined();
  }
}

/** POST /v2/login with any extra headers (X-Forwarded-For, Origin, Sec-Fetch-Site). */
async function restLogin(s: TestServer, username: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/v2/login`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ username, password }) });
  return { status: res.status, body: (await res.json()) as any, cookie: sessionCookieOf(res) };
}

async function gqlLogin(s: TestServer, email: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ query: `mutation($e: String!, $p: String!) { login(input: { email: $e, password: $p }) { user { id } } }`, variables: { e: email, p: password } }),
  });
  const json = (await res.json()) as any;
  return { status: res.status, code: json.errors?.[0]?.extensions?.code as string | undefined, message: json.errors?.[0]?.message as string | undefined, cookie: sessionCookieOf(res) };
}

const ACCEPT = `mutation($t: String!, $p: String!) { acceptInvitation(input: { token: $t, password: $p }) { user { id } } }`;
async function accept(s: TestServer, token: string, password: string, headers: Record<string, string> = {}) {
  const res = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: ACCEPT, variables: { t: token, p: password } }) });
  const json = (await res.json()) as any;
  return { cookie: sessionCookieOf(res), code: json.errors?.[0]?.extensions?.code as string | undefined, message: json.errors?.[0]?.message as string | undefined };
}
const tokenOf = (link: string) => link.split('/ui/invite/')[1]!;
const invitationInfo = async (s: TestServer, token: string) => (await s.gql(`query($t: String!) { invitation(token: $t) { status valid } }`, { t: token }, null)).data.invitation;
const hasPassword = async (s: TestServer, id: string) => (await s.gql(`query($id: ID!) { user(id: $id) { hasPassword } }`, { id })).data.user.hasPassword;
const me = (s: TestServer, cookie: string) => s.gql(`{ me { user { id } } }`, {}, null, { cookie });

describe('admin_only: no session for a non-admin on any path', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ general_settings: { ui_access_mode: 'admin_only' } });
  });
  afterAll(() => s?.close());

  it('accepting an invitation is refused before anything changes: no session, no password, the link still valid', async () => {
    const inv = (await s.gql(`mutation { inviteUser(input: { email: "ivy@example.com", userRole: INTERNAL_USER }) { link invitation { userId } } }`)).data.inviteUser;
    const r = await accept(s, tokenOf(inv.link), STRONG);
    expect(r.code).toBe('FORBIDDEN');
    expect(r.message).toMatch(/limited to admins.*admin_only.*internal_user.*invitation was not used/);
    expect(r.cookie).toBeNull();
    expect(await hasPassword(s, inv.invitation.userId)).toBe(false);
    expect(await invitationInfo(s, tokenOf(inv.link))).toEqual({ status: 'pending', valid: true });
    // once made an admin viewer, the same link works
    expect((await s.gql(`mutation($id: ID!) { updateUser(input: { userId: $id, userRole: PROXY_ADMIN_VIEWER }) { id } }`, { id: inv.invitation.userId })).errors).toBeUndefined();
    const ok = await accept(s, tokenOf(inv.link), STRONG);
    expect(ok.code).toBeUndefined();
    expect((await me(s, ok.cookie!)).data.me.user.id).toBe(inv.invitation.userId);
  });

  it('a password-reset link for a non-admin is refused the same way; for an admin viewer it signs in', async () => {
    await createUsers(s, [['worker', 'INTERNAL_USER'], ['watcher', 'PROXY_ADMIN_VIEWER']]);
    const reset = async (userId: string) => (await s.gql(`mutation($u: ID!) { sendPasswordReset(input: { userId: $u }) { link } }`, { u: userId })).data.sendPasswordReset.link as string;
    const link = await reset('worker');
    const r = await accept(s, tokenOf(link), STRONG);
    expect(r.code).toBe('FORBIDDEN');
    expect(r.message).toMatch(/limited to admins.*password-reset link was not used/);
    expect(r.cookie).toBeNull();
    expect(await invitationInfo(s, tokenOf(link))).toEqual({ status: 'pending', valid: true });
    // the old password still works as before (and is still refused a session)
    expect((await restLogin(s, 'worker@example.com', PW)).status).toBe(403);
    const ok = await accept(s, tokenOf(await reset('watcher')), STRONG);
    expect(ok.code).toBeUndefined();
    expect((await me(s, ok.cookie!)).data.me.user.id).toBe('watcher');
  });
});

describe('a session from before ui_access_mode became admin_only', () => {
  const dir = mkdtempSync(join(tmpdir(), 'purser-mode-'));
  const databaseUrl = join(dir, 'purser.db');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('stops working after a restart with admin_only; an admin viewer session keeps working', async () => {
    const open = await startServer({}, { databaseUrl });
    await createUsers(open, [['worker', 'INTERNAL_USER'], ['watcher', 'PROXY_ADMIN_VIEWER']]);
    const worker = (await restLogin(open, 'worker@example.com', PW)).cookie!;
    const watcher = (await restLogin(open, 'watcher@example.com', PW)).cookie!;
    expect((await me(open, worker)).data.me.user.id).toBe('worker');
    await open.close();
    const closed = await startServer({ general_settings: { ui_access_mode: 'admin_only' } }, { databaseUrl });
    try {
      expect((await me(closed, worker)).code).toBe('UNAUTHENTICATED');
      expect((await me(closed, watcher)).data.me.user.id).toBe('watcher');
    } finally {
      await closed.close();
    }
  });
});

describe('throttle: attempts counted before the hash, per account strict, per address separate', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer(
      { general_settings: { login_max_failures: 5, login_max_failures_per_address: 8, login_failure_window: '15m', login_lockout_duration: '10m' } },
      { env: { FORWARDED_ALLOW_IPS: '127.0.0.1' } },
    );
    await createUsers(s, [['alice', 'INTERNAL_USER'], ['bob', 'INTERNAL_USER'], ['carol', 'INTERNAL_USER']]);
  });
  afterAll(() => s?.close());

  it('20 parallel wrong passwords for one account: at most login_max_failures are checked, the rest get 429', async () => {
    const all = await Promise.all(Array.from({ length: 20 }, (_, i) => restLogin(s, 'alice@example.com', `wrong-guess-${i}`, { 'x-forwarded-for': `10.20.0.${i + 1}` })));
    const statuses = all.map((r) => r.status);
    expect(statuses.filter((x) => x === 401).length).toBeLessThanOrEqual(5);
    expect(statuses.filter((x) => x === 401).length + statuses.filter((x) => x === 429).length).toBe(20);
    expect(all.every((r) => r.cookie === null)).toBe(true);
    // the account is locked now, even for the right password
    expect((await restLogin(s, 'alice@example.com', PW, { 'x-forwarded-for': '10.20.1.1' })).status).toBe(429);
  });

  it('a success clears the account failures', async () => {
    for (let i = 0; i < 4; i++) expect((await restLogin(s, 'carol@example.com', 'nope-nope', { 'x-forwarded-for': `10.21.0.${i + 1}` })).status).toBe(401);
    expect((await restLogin(s, 'carol@example.com', PW, { 'x-forwarded-for': '10.21.1.1' })).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await restLogin(s, 'carol@example.com', 'nope-nope', { 'x-forwarded-for': `10.21.2.${i + 1}` })).status).toBe(401);
    expect((await restLogin(s, 'carol@example.com', PW, { 'x-forwarded-for': '10.21.3.1' })).status).toBe(200);
  });

  it('failures of many people behind one address do not lock the others out until login_max_failures_per_address', async () => {
    const office = { 'x-forwarded-for': '10.30.0.1' };
    // more failures than the per-account limit, each on another account
    for (let i = 0; i < 7; i++) expect((await restLogin(s, `typo${i}@example.com`, PW, office)).status).toBe(401);
    expect((await restLogin(s, 'bob@example.com', PW, office)).status).toBe(200);
    expect((await gqlLogin(s, 'bob@example.com', PW, office)).code).toBeUndefined();
    expect((await restLogin(s, 'typo7@example.com', PW, office)).status).toBe(401); // the 8th: the address locks
    expect((await restLogin(s, 'bob@example.com', PW, office)).status).toBe(429);
    expect((await restLogin(s, 'bob@example.com', PW, { 'x-forwarded-for': '10.30.0.2' })).status).toBe(200);
  });
});

describe('throttle defaults: the per-address limit is much higher than the per-account one', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
    await createUsers(s, [['bob', 'INTERNAL_USER']]);
  });
  afterAll(() => s?.close());

  it('20 failures on 20 accounts from one address leave another person signing in', async () => {
    for (let i = 0; i < 20; i++) expect((await restLogin(s, `someone${i}@example.com`, PW)).status).toBe(401);
    expect((await restLogin(s, 'bob@example.com', PW)).status).toBe(200);
    // the per-account limit (default 5) is still strict
    for (let i = 0; i < 5; i++) expect((await restLogin(s, 'bob@example.com', 'nope-nope')).status).toBe(401);
    expect((await restLogin(s, 'bob@example.com', PW)).status).toBe(429);
  });
});

describe('login CSRF: sign-in routes refuse cross-site requests', () => {
  let s: TestServer;
  const evil = { origin: 'https://evil.example.net' };
  beforeAll(async () => {
    s = await startServer();
    await createUsers(s, [['bob', 'INTERNAL_USER']]);
  });
  afterAll(() => s?.close());

  it('a form POST to /login from a foreign Origin gets a readable 403 and no session', async () => {
    const res = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...evil }, body: new URLSearchParams({ username: 'bob@example.com', password: PW }), redirect: 'manual' });
    expect(res.status).toBe(403);
    expect(sessionCookieOf(res)).toBeNull();
    expect(await res.text()).toMatch(/Sign-in failed[\s\S]*Cross-site sign-in refused/);
    const nullOrigin = await fetch(`${s.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'null' }, body: new URLSearchParams({ username: 'bob@example.com', password: PW }), redirect: 'manual' });
    expect(nullOrigin.status).toBe(403);
  });

  it('/v2/login refuses a foreign Origin and Sec-Fetch-Site: cross-site; same origin and header-less scripts sign in', async () => {
    const foreign = await restLogin(s, 'bob@example.com', PW, evil);
    expect(foreign.status).toBe(403);
    expect(foreign.body.error).toMatchObject({ type: 'permission_error', code: '403' });
    expect(foreign.cookie).toBeNull();
    const crossSite = await restLogin(s, 'bob@example.com', PW, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    expect(crossSite.cookie).toBeNull();
    expect((await restLogin(s, 'bob@example.com', PW, { origin: s.url, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect((await restLogin(s, 'bob@example.com', PW)).status).toBe(200);
  });

  it('GraphQL login: a simple cross-site form is stopped by CSRF prevention, a foreign Origin is refused', async () => {
    const form = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...evil }, body: `query=${encodeURIComponent(`mutation { login(input: { email: "bob@example.com", password: "${PW}" }) { user { id } } }`)}` });
    expect(form.status).toBe(400);
    expect(sessionCookieOf(form)).toBeNull();
    const g = await gqlLogin(s, 'bob@example.com', PW, evil);
    expect(g.code).toBe('FORBIDDEN');
    expect(g.cookie).toBeNull();
    expect((await gqlLogin(s, 'bob@example.com', PW, { origin: s.url })).cookie).not.toBeNull();
  });

  it('acceptInvitation (it signs in too) refuses a foreign Origin and leaves the link valid', async () => {
    const link = (await s.gql(`mutation { inviteUser(input: { email: "newbie@example.com" }) { link } }`)).data.inviteUser.link;
    const r = await accept(s, tokenOf(link), STRONG, { 'sec-fetch-site': 'cross-site' });
    expect(r.code).toBe('FORBIDDEN');
    expect(r.cookie).toBeNull();
    expect(await invitationInfo(s, tokenOf(link))).toEqual({ status: 'pending', valid: true });
  });

  it('POST /logout refuses a foreign Origin; the dashboard own POST ends the session; GET /logout stays', async () => {
    const cookie = (await restLogin(s, 'bob@example.com', PW)).cookie!;
    const foreign = await fetch(`${s.url}/logout`, { method: 'POST', headers: { cookie, ...evil } });
    expect(foreign.status).toBe(403);
    expect((await me(s, cookie)).data.me.user.id).toBe('bob');
    const own = await fetch(`${s.url}/logout`, { method: 'POST', headers: { cookie, origin: s.url } });
    expect(own.status).toBe(200);
    expect(await own.json()).toEqual({ ok: true, redirect_url: '/ui/login' });
    expect((await me(s, cookie)).code).toBe('UNAUTHENTICATED');
    const again = (await restLogin(s, 'bob@example.com', PW)).cookie!;
    expect((await fetch(`${s.url}/logout`, { headers: { cookie: again }, redirect: 'manual' })).status).toBe(303);
    expect((await me(s, again)).code).toBe('UNAUTHENTICATED');
  });
});

describe('login CSRF behind a proxy: PROXY_BASE_URL is our own origin', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({}, { env: { PROXY_BASE_URL: 'https://purser.example.com' } });
  });
  afterAll(() => s?.close());

  it('an Origin equal to PROXY_BASE_URL signs in although the Host differs', async () => {
    expect((await restLogin(s, 'admin', MASTER_KEY, { origin: 'https://purser.example.com' })).status).toBe(200);
    expect((await restLogin(s, 'admin', MASTER_KEY, { origin: 'https://purser.example.com.evil.net' })).status).toBe(403);
  });
});
