/**
 * Pins issue 4's SSO contract (ROLES.md "SSO defaults") against a real OpenID Provider
 * (oidc-provider on loopback) driven through the whole redirect flow: the creation rule, email
 * linking, IdP roles, PROXY_ADMIN_ID, team sync (join / create / pattern / authoritative),
 * audit, domain and admin_only refusals, state checks, readable failure pages, the debug page
 * and the logout redirect.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sessionCookieOf } from '../helpers/jar.js';
import { freePort, startServer, type TestServer } from '../helpers/server.js';
import { CLIENT_ID, CLIENT_SECRET, ssoFlow, startIdp, type IdpAccount, type TestIdp } from './idp.js';

const LOGOUT_URL = 'https://idp.example.com/logout?from=purser';

interface Pair {
  s: TestServer;
  idp: TestIdp;
}

/** An IdP and a Purser whose PROXY_BASE_URL is its own address. */
async function pair(config: Record<string, any>, env: Record<string, string>, accounts: IdpAccount[], manual = false): Promise<Pair> {
  let port = 0;
  const idp = await startIdp(async () => `http://127.0.0.1:${(port = await freePort())}`, accounts);
  const base = `http://127.0.0.1:${port}`;
  const where: Record<string, string> = manual
    ? { GENERIC_AUTHORIZATION_ENDPOINT: `${idp.issuer}/auth`, GENERIC_TOKEN_ENDPOINT: `${idp.issuer}/token`, GENERIC_USERINFO_ENDPOINT: `${idp.issuer}/me` }
    : { GENERIC_ISSUER: idp.issuer };
  const s = await startServer(config, {
    port,
    env: { PROXY_BASE_URL: base, GENERIC_CLIENT_ID: CLIENT_ID, GENERIC_CLIENT_SECRET: CLIENT_SECRET, GENERIC_SCOPE: 'openid email profile groups', ...where, ...env },
  });
  return { s, idp };
}

const USER = `query($id: ID!) { user(id: $id) { id email alias role: userRole ssoId maxBudget budgetDuration teams { teamId role source } } }`;
const counts = async (s: TestServer) => {
  const r = await s.gql(`{ users { totalCount } teams { totalCount } }`);
  return { users: r.data.users.totalCount as number, teams: r.data.teams.totalCount as number };
};
const userById = async (s: TestServer, id: string) => (await s.gql(USER, { id })).data?.user ?? null;
const me = (s: TestServer, cookie: string) => s.gql(`{ me { authMethod user { id role: userRole } } }`, {}, null, { cookie });
const auditOf = async (s: TestServer, targetId: string) => {
  const r = await s.gql(`query($t: String) { auditLog(filter: { targetId: $t }, first: 100) { edges { node { action actorMethod after } } } }`, { t: targetId });
  return r.data.auditLog.edges.map((e: any) => e.node) as Array<{ action: string; actorMethod: string; after: any }>;
};
/** a readable page: says what went wrong, offers a way on, never a stack trace */
const expectReadable = (html: string, title: RegExp) => {
  expect(html).toMatch(/^<!doctype html>/i);
  expect(html).toMatch(title);
  expect(html).toContain('Try again');
  expect(html).not.toMatch(/\n\s+at \S+ \(|node_modules/);
};

describe('SSO sign-in with discovery (GENERIC_ISSUER)', () => {
  let p: Pair;
  const accounts: IdpAccount[] = [
    { sub: 'vera', email: 'vera@example.com', email_verified: true, name: 'Vera', groups: ['team-new', 'team-existing', 'Everyone'] },
    { sub: 'dev', email: 'dev@example.com', email_verified: true, name: 'Dev', role: 'internal_user' },
    { sub: 'odd-role', email: 'odd@example.com', email_verified: true, role: 'superuser' },
    { sub: 'boss', email: 'boss@example.com', email_verified: true, name: 'Boss' },
    { sub: 'linker', email: 'Existing@Example.com', email_verified: true, name: 'Linked Person' },
    { sub: 'unverified', email: 'unv@example.com', email_verified: false },
    { sub: 'impostor', email: 'root@example.com', email_verified: true, role: 'internal_user' },
    { sub: 'tamper', email: 'tamper@example.com', email_verified: true },
    { sub: 'shy', email: 'shy@example.com', email_verified: false, name: 'Shy' },
    { sub: 'silent', email: 'silent@example.com', name: 'No verified claim at all' },
    { sub: 'peek', email: 'peek@example.com', email_verified: true, name: 'Peek', groups: ['team-debug', 'Everyone'], role: 'nonsense' },
  ];
  beforeAll(async () => {
    p = await pair(
      {
        general_settings: { litellm_jwtauth: { team_ids_jwt_field: 'groups' }, sso_team_id_pattern: '^team-' },
        litellm_settings: {
          max_internal_user_budget: 10,
          internal_user_budget_duration: '1mo',
          default_team_params: { models: ['gpt-4o-mini'], max_budget: 25, budget_duration: '30d' },
        },
      },
      { GENERIC_USER_ROLE_ATTRIBUTE: 'role', PROXY_ADMIN_ID: 'boss', PROXY_LOGOUT_URL: LOGOUT_URL },
      accounts,
    );
    const t = await p.s.gql(`mutation { createTeam(input: { teamId: "team-existing", teamAlias: "Existing", maxBudget: 3, models: ["gpt-4o"] }) { id } }`);
    expect(t.errors).toBeUndefined();
    for (const u of [
      { userId: 'existing-user', email: 'existing@example.com', userRole: 'INTERNAL_USER' },
      { userId: 'unv-user', email: 'unv@example.com', userRole: 'INTERNAL_USER' },
      { userId: 'root-admin', email: 'root@example.com', userRole: 'PROXY_ADMIN' },
    ]) expect((await p.s.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: u })).errors).toBeUndefined();
  });
  afterAll(async () => {
    await p?.s.close();
    await p?.idp.close();
  });

  it('first sign-in: creation rule defaults, team join and auto-create, pattern filter, session works, all audited', async () => {
    const r = await ssoFlow(p.s.url, p.idp, 'vera');
    expect(r.res.status).toBe(303);
    expect(r.res.headers.get('location')).toBe('/ui/?login=success');
    const cookie = sessionCookieOf(r.res)!;
    expect(cookie).toBeTruthy();
    const m = await me(p.s, cookie);
    expect(m.errors).toBeUndefined();
    expect(m.data.me).toEqual({ authMethod: 'SESSION', user: { id: 'vera', role: 'INTERNAL_USER_VIEWER' } });

    const u = await userById(p.s, 'vera');
    expect(u).toMatchObject({ email: 'vera@example.com', alias: 'Vera', ssoId: 'vera', maxBudget: null });
    // "Everyone" does not match sso_team_id_pattern: no team, no membership
    expect(u.teams.map((t: any) => [t.teamId, t.role, t.source]).sort()).toEqual([['team-existing', 'USER', 'SSO'], ['team-new', 'USER', 'SSO']]);
    const teams = await p.s.gql(`{ a: team(id: "team-existing") { maxBudget models } b: team(id: "team-new") { maxBudget models budgetDuration } }`);
    expect(teams.data.a).toEqual({ maxBudget: 3, models: ['gpt-4o'] }); // joined, untouched
    // created from default_team_params, models included for SSO-created teams
    expect(teams.data.b).toEqual({ maxBudget: 25, models: ['gpt-4o-mini'], budgetDuration: '30d' });
    expect((await p.s.gql(`{ team(id: "Everyone") { id } }`)).code).toBe('NOT_FOUND');

    const userAudit = await auditOf(p.s, 'vera');
    expect(userAudit.map((e) => [e.action, e.actorMethod])).toContainEqual(['user.create', 'system']);
    expect((await auditOf(p.s, 'team-new')).map((e) => e.action).sort()).toEqual(['team.create', 'team.member.add']);
    expect((await auditOf(p.s, 'team-existing')).filter((e) => e.action === 'team.member.add').map((e) => e.after.userId)).toContain('vera');
  });

  it('a later sign-in matches by SSO id and refreshes email and name', async () => {
    const before = await counts(p.s);
    p.idp.accounts.set('vera', { ...p.idp.accounts.get('vera')!, email: 'vera.new@example.com', name: 'Vera N.' });
    const r = await ssoFlow(p.s.url, p.idp, 'vera');
    expect(r.res.status).toBe(303);
    expect(await userById(p.s, 'vera')).toMatchObject({ email: 'vera.new@example.com', alias: 'Vera N.' });
    expect(await counts(p.s)).toEqual(before);
    expect((await auditOf(p.s, 'vera')).map((e) => e.action)).toContain('user.sso_update');
  });

  it('applies a valid IdP role (internal_user gets max_internal_user_budget) and ignores an unknown one', async () => {
    expect((await ssoFlow(p.s.url, p.idp, 'dev')).res.status).toBe(303);
    expect(await userById(p.s, 'dev')).toMatchObject({ role: 'INTERNAL_USER', maxBudget: 10, budgetDuration: '1mo' });
    expect((await ssoFlow(p.s.url, p.idp, 'odd-role')).res.status).toBe(303);
    expect(await userById(p.s, 'odd-role')).toMatchObject({ role: 'INTERNAL_USER_VIEWER', maxBudget: null });
  });

  it('PROXY_ADMIN_ID makes that SSO user a proxy_admin', async () => {
    const r = await ssoFlow(p.s.url, p.idp, 'boss');
    expect((await me(p.s, sessionCookieOf(r.res)!)).data.me.user).toEqual({ id: 'boss', role: 'PROXY_ADMIN' });
  });

  it('links a verified email to the existing account (audited), keeping its id and role', async () => {
    const before = await counts(p.s);
    const r = await ssoFlow(p.s.url, p.idp, 'linker');
    expect(r.res.status).toBe(303);
    expect((await me(p.s, sessionCookieOf(r.res)!)).data.me.user).toEqual({ id: 'existing-user', role: 'INTERNAL_USER' });
    expect(await userById(p.s, 'existing-user')).toMatchObject({ ssoId: 'linker', alias: 'Linked Person' });
    expect(await userById(p.s, 'linker')).toBeNull();
    expect(await counts(p.s)).toEqual(before);
    expect((await auditOf(p.s, 'existing-user')).map((e) => e.action)).toContain('user.sso_link');
  });

  it('never links an unverified email, nor to a proxy_admin: readable page, nothing changed', async () => {
    const before = await counts(p.s);
    const unv = await ssoFlow(p.s.url, p.idp, 'unverified');
    expect(unv.res.status).toBe(403);
    expectReadable(unv.html, /Account not linked/);
    expect(unv.html).toMatch(/not mark this email verified/);
    expect(sessionCookieOf(unv.res)).toBeNull();
    expect(await userById(p.s, 'unv-user')).toMatchObject({ ssoId: null, role: 'INTERNAL_USER' });

    const imp = await ssoFlow(p.s.url, p.idp, 'impostor');
    expect(imp.res.status).toBe(403);
    expectReadable(imp.html, /proxy admin account/);
    expect(await userById(p.s, 'root-admin')).toMatchObject({ ssoId: null, role: 'PROXY_ADMIN' });
    expect(await counts(p.s)).toEqual(before);
    expect((await auditOf(p.s, 'unv-user')).map((e) => e.action)).toEqual(['user.create']);
  });

  it('stores only emails the IdP marks verified: a user may sign in without one, and "add member by email" cannot find them', async () => {
    for (const sub of ['shy', 'silent']) {
      const r = await ssoFlow(p.s.url, p.idp, sub);
      expect(r.res.status, sub).toBe(303);
      expect(await userById(p.s, sub)).toMatchObject({ id: sub, ssoId: sub, email: null });
    }
    const add = await p.s.gql(`mutation { addTeamMember(input: { teamId: "team-existing", email: "shy@example.com" }) { userId } }`);
    expect(add.errors).toBeDefined();
    expect(add.code).not.toBe('INTERNAL_SERVER_ERROR');
    expect((await p.s.gql(`query($id: ID!) { user(id: $id) { teams { teamId } } }`, { id: 'shy' })).data.user.teams).toEqual([]);
    // a verified email is stored; a later unverified one does not replace it
    p.idp.accounts.set('shy', { sub: 'shy', email: 'shy@example.com', email_verified: true });
    expect((await ssoFlow(p.s.url, p.idp, 'shy')).res.status).toBe(303);
    expect(await userById(p.s, 'shy')).toMatchObject({ email: 'shy@example.com' });
    p.idp.accounts.set('shy', { sub: 'shy', email: 'shy.elsewhere@example.com', email_verified: false });
    expect((await ssoFlow(p.s.url, p.idp, 'shy')).res.status).toBe(303);
    expect(await userById(p.s, 'shy')).toMatchObject({ email: 'shy@example.com' });
  });

  it('a tampered, foreign or replayed state gets a readable 400 page and creates nothing', async () => {
    const before = await counts(p.s);
    const tampered = await ssoFlow(p.s.url, p.idp, 'tamper', { tamper: (u) => u.searchParams.set('state', `${u.searchParams.get('state')}x`) });
    expect(tampered.res.status).toBe(400);
    expectReadable(tampered.html, /expired or invalid/);
    expect(sessionCookieOf(tampered.res)).toBeNull();

    // a genuine callback URL opened in another browser (no state cookie) is refused
    const stolen = await ssoFlow(p.s.url, p.idp, 'tamper', { stopAtCallback: true });
    const foreign = await fetch(stolen.callbackUrl!, { redirect: 'manual' });
    expect(foreign.status).toBe(400);
    expectReadable(await foreign.text(), /expired or invalid/);
    expect(await userById(p.s, 'tamper')).toBeNull();
    expect(await counts(p.s)).toEqual(before);

    // single use: the same callback again, even with the state cookie put back, is refused
    const ok = await ssoFlow(p.s.url, p.idp, 'tamper');
    expect(ok.res.status).toBe(303);
    const afterFirst = await counts(p.s);
    const state = new URL(ok.callbackUrl!).searchParams.get('state');
    const replay = await fetch(ok.callbackUrl!, { headers: { cookie: `purser_sso_state=${state}` }, redirect: 'manual' });
    expect(replay.status).toBe(400);
    expectReadable(await replay.text(), /expired or invalid/);
    expect(sessionCookieOf(replay)).toBeNull();
    expect(await counts(p.s)).toEqual(afterFirst);
  });

  it('consent denied at the IdP ends on a readable page', async () => {
    const before = await counts(p.s);
    p.idp.denyNext = true;
    const r = await ssoFlow(p.s.url, p.idp, 'dev');
    expect(r.callbackUrl).toContain('error=access_denied');
    expect(r.res.status).toBe(400);
    expectReadable(r.html, /Sign-in cancelled/);
    expect(r.html).toContain('access_denied');
    expect(await counts(p.s)).toEqual(before);
  });

  it('the debug flow shows parsed claims with sources and raw claims, creates nothing and shows no token', async () => {
    const before = await counts(p.s);
    const r = await ssoFlow(p.s.url, p.idp, 'peek', { debug: true });
    expect(r.callbackUrl).toContain('/sso/debug/callback');
    expect(r.res.status).toBe(200);
    expect(r.html).toContain('<title>SSO Debug Info');
    expect(r.html).toMatch(/<th>email<\/th><td>peek@example\.com<\/td><td>id_token · email<\/td>/);
    expect(r.html).toMatch(/<th>team ids<\/th><td>team-debug, Everyone<\/td><td>id_token · groups<\/td>/);
    expect(r.html).toMatch(/nonsense \(not one of the four roles: ignored\)/);
    expect(r.html).toMatch(/filtered out by sso_team_id_pattern: Everyone/);
    expect(r.html).toContain('ID token claims');
    expect(r.html).toContain('Userinfo claims');
    expect(r.html).toContain('&quot;groups&quot;');
    expect(r.html).toContain('href="/sso/debug/login"');
    const tokens = p.idp.tokens.at(-1)!;
    expect(tokens.access_token && tokens.id_token).toBeTruthy();
    expect(r.html).not.toContain(tokens.access_token!);
    expect(r.html).not.toContain(tokens.id_token!);
    expect(sessionCookieOf(r.res)).toBeNull();
    expect(await userById(p.s, 'peek')).toBeNull();
    expect((await p.s.gql(`{ team(id: "team-debug") { id } }`)).code).toBe('NOT_FOUND');
    expect(await counts(p.s)).toEqual(before);
  });

  it('the sign-in settings are public and the same on GraphQL (uiConfig) and REST (/ui-config)', async () => {
    const g = await p.s.gql(`{ uiConfig { ssoEnabled ssoProvider autoRedirectToSso ssoLoginUrl logoutUrl uiAccessMode } }`, {}, null);
    expect(g.errors).toBeUndefined();
    expect(g.data.uiConfig).toEqual({ ssoEnabled: true, ssoProvider: 'generic', autoRedirectToSso: false, ssoLoginUrl: '/sso/key/generate', logoutUrl: LOGOUT_URL, uiAccessMode: 'all' });
    const r = await p.s.rest('GET', '/ui-config', undefined, null);
    expect(r.body).toEqual({ sso_enabled: true, sso_provider: 'generic', auto_redirect_to_sso: false, sso_login_url: '/sso/key/generate', logout_url: LOGOUT_URL, ui_access_mode: 'all' });
  });

  it('the logout mutation ends the session; uiConfig names PROXY_LOGOUT_URL as where to go', async () => {
    const cookie = sessionCookieOf((await ssoFlow(p.s.url, p.idp, 'dev')).res)!;
    const out = await fetch(`${p.s.url}/graphql`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json', origin: p.s.url },
      body: JSON.stringify({ query: 'mutation { logout }' }),
    });
    expect(await out.json()).toEqual({ data: { logout: true } });
    expect((await me(p.s, cookie)).code).toBe('UNAUTHENTICATED');
  });

  it('logout ends the session and redirects to PROXY_LOGOUT_URL', async () => {
    const cookie = sessionCookieOf((await ssoFlow(p.s.url, p.idp, 'dev')).res)!;
    expect((await me(p.s, cookie)).errors).toBeUndefined();
    const out = await fetch(`${p.s.url}/logout`, { headers: { cookie }, redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe(LOGOUT_URL);
    expect((await me(p.s, cookie)).code).toBe('UNAUTHENTICATED');
  });
});

describe('SSO: authoritative team sync, default_internal_user_params, ALLOWED_EMAIL_DOMAINS', () => {
  let p: Pair;
  beforeAll(async () => {
    p = await pair(
      {
        general_settings: { litellm_jwtauth: { team_ids_jwt_field: 'groups' }, sso_team_sync: 'authoritative' },
        litellm_settings: { max_internal_user_budget: 5, default_internal_user_params: { user_role: 'internal_user' } },
      },
      { ALLOWED_EMAIL_DOMAINS: 'example.com' },
      [
        { sub: 'mover', email: 'mover@example.com', email_verified: true, groups: ['alpha', 'beta'] },
        { sub: 'outsider', email: 'out@other.org', email_verified: true, groups: ['alpha'] },
      ],
    );
    expect((await p.s.gql(`mutation { createTeam(input: { teamId: "manual-team" }) { id } }`)).errors).toBeUndefined();
  });
  afterAll(async () => {
    await p?.s.close();
    await p?.idp.close();
  });

  it('removes sso memberships the IdP no longer lists and spares manual ones (audited)', async () => {
    expect((await ssoFlow(p.s.url, p.idp, 'mover')).res.status).toBe(303);
    // role from default_internal_user_params; internal_user → budget from max_internal_user_budget
    expect(await userById(p.s, 'mover')).toMatchObject({ role: 'INTERNAL_USER', maxBudget: 5 });
    const add = await p.s.gql(`mutation { addTeamMember(input: { teamId: "manual-team", userId: "mover" }) { source } }`);
    expect(add.data.addTeamMember.source).toBe('MANUAL');

    p.idp.accounts.set('mover', { ...p.idp.accounts.get('mover')!, groups: ['beta'] });
    expect((await ssoFlow(p.s.url, p.idp, 'mover')).res.status).toBe(303);
    const teams = (await userById(p.s, 'mover')).teams.map((t: any) => [t.teamId, t.source]).sort();
    expect(teams).toEqual([['beta', 'SSO'], ['manual-team', 'MANUAL']]);
    const removed = (await auditOf(p.s, 'alpha')).filter((e) => e.action === 'team.member.remove');
    expect(removed).toHaveLength(1);
    expect(removed[0]!.actorMethod).toBe('system');
    // the team itself stays
    expect((await p.s.gql(`{ team(id: "alpha") { id } }`)).data.team.id).toBe('alpha');
  });

  it('refuses an email outside ALLOWED_EMAIL_DOMAINS with a readable page and creates nothing', async () => {
    const before = await counts(p.s);
    const r = await ssoFlow(p.s.url, p.idp, 'outsider');
    expect(r.res.status).toBe(403);
    expectReadable(r.html, /Email domain not allowed/);
    expect(r.html).toContain('out@other.org');
    expect(await userById(p.s, 'outsider')).toBeNull();
    expect(await counts(p.s)).toEqual(before);
  });
});

describe('SSO: ui_access_mode admin_only', () => {
  let p: Pair;
  beforeAll(async () => {
    p = await pair(
      { general_settings: { ui_access_mode: 'admin_only', litellm_jwtauth: { team_ids_jwt_field: 'groups' } } },
      { GENERIC_USER_ROLE_ATTRIBUTE: 'role' },
      [
        { sub: 'member', email: 'member@example.com', email_verified: true, groups: ['team-x'] },
        { sub: 'chief', email: 'chief@example.com', email_verified: true, role: 'proxy_admin_viewer' },
      ],
    );
  });
  afterAll(async () => {
    await p?.s.close();
    await p?.idp.close();
  });

  it('refuses a non-admin with a readable page and creates no user or team; admits an admin role', async () => {
    const before = await counts(p.s);
    const r = await ssoFlow(p.s.url, p.idp, 'member');
    expect(r.res.status).toBe(403);
    expectReadable(r.html, /limited to admins/);
    expect(sessionCookieOf(r.res)).toBeNull();
    expect(await counts(p.s)).toEqual(before);

    const ok = await ssoFlow(p.s.url, p.idp, 'chief');
    expect(ok.res.status).toBe(303);
    expect((await me(p.s, sessionCookieOf(ok.res)!)).data.me.user).toEqual({ id: 'chief', role: 'PROXY_ADMIN_VIEWER' });
  });
});

describe('SSO: explicit endpoints (no GENERIC_ISSUER) and an unreachable IdP', () => {
  let p: Pair;
  let down: TestServer;
  beforeAll(async () => {
    p = await pair({ general_settings: { litellm_jwtauth: { team_ids_jwt_field: 'groups' } } }, {}, [
      { sub: 'manual', email: 'manual@example.com', email_verified: true, name: 'Manual', groups: ['team-m'] },
    ], true);
    const closed = await freePort();
    down = await startServer({}, { env: { GENERIC_CLIENT_ID: CLIENT_ID, GENERIC_CLIENT_SECRET: CLIENT_SECRET, GENERIC_ISSUER: `http://127.0.0.1:${closed}` } });
  });
  afterAll(async () => {
    await p?.s.close();
    await p?.idp.close();
    await down?.close();
  });

  it('signs in with GENERIC_AUTHORIZATION/TOKEN/USERINFO_ENDPOINT', async () => {
    const r = await ssoFlow(p.s.url, p.idp, 'manual');
    expect(r.res.status).toBe(303);
    expect((await me(p.s, sessionCookieOf(r.res)!)).data.me.user).toEqual({ id: 'manual', role: 'INTERNAL_USER_VIEWER' });
    expect(await userById(p.s, 'manual')).toMatchObject({ email: 'manual@example.com', alias: 'Manual', teams: [{ teamId: 'team-m', role: 'USER', source: 'SSO' }] });
  });

  it('an unreachable issuer ends on a readable page', async () => {
    const r = await ssoFlow(down.url, null, null);
    expect(r.res.status).toBe(502);
    expectReadable(r.html, /Identity provider unreachable/);
    expect(await counts(down)).toEqual({ users: 1, teams: 0 });
  });
});
