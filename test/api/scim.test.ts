/**
 * SCIM 2.0 provisioning (issue 10): the request sequences Okta and Entra ID send, through a
 * running server: create, look up by userName, deactivate (keys stop at once), reactivate
 * (only what deactivation blocked comes back), delete; discovery; SCIM errors; token auth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintKey, sql, until } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { dropPrefix, redisEnv, redisPrefix } from '../helpers/redis.js';
import { sessionCookieOf } from '../helpers/jar.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';
const GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';

describe('SCIM 2.0', () => {
  let s: TestServer;
  let token: string;
  let tokenId: string;

  const scim = async (method: string, path: string, body?: unknown, auth: string | null = token) => {
    const res = await fetch(`${s.url}/scim/v2${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/scim+json' } : {}), ...(auth ? { authorization: `Bearer ${auth}` } : {}) },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body: text ? JSON.parse(text) : null };
  };
  const chat = (key: string) =>
    fetch(`${s.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }),
    }).then((r) => r.status);

  beforeAll(async () => {
    s = await startServer({
      litellm_settings: { default_internal_user_params: { user_role: 'internal_user' }, default_team_params: { max_budget: 5 } },
      general_settings: { sso_team_id_pattern: '^(Eng|purser-)' },
    });
    const r = await s.gql('mutation($i: CreateScimTokenInput!) { createScimToken(input: $i) { secret baseUrl token { id name hint revokedAt } } }', { i: { name: 'Okta' } });
    expect(r.errors).toBeUndefined();
    token = r.data.createScimToken.secret;
    tokenId = r.data.createScimToken.token.id;
    expect(r.data.createScimToken.baseUrl).toMatch(/\/scim\/v2$/);
  });
  afterAll(async () => {
    await s?.close();
  });

  it('stores only the hash, lists tokens to admins and refuses non-admins', async () => {
    const rows = await sql(s, 'select token_hash from scim_tokens');
    expect(rows).toHaveLength(1);
    expect(rows[0].token_hash).not.toContain(token);
    const list = await s.gql('{ scimTokens { id name hint } }');
    expect(list.data.scimTokens).toEqual([{ id: tokenId, name: 'Okta', hint: token.slice(-4) }]);
    expect(JSON.stringify(list)).not.toContain(token);
    const bad = await s.gql('mutation { createScimToken(input: { name: "  " }) { secret } }');
    expect(bad.code).toBe('BAD_USER_INPUT');
    // the dashboard's page: the base URL to paste into the IdP, and who made each token
    const page = await s.gql('{ scimBaseUrl scimTokens { createdBy createdByUser { id } } }');
    expect(page.errors).toBeUndefined();
    expect(page.data.scimBaseUrl).toBe(`${s.url}/scim/v2`);
    expect(page.data.scimTokens[0].createdByUser?.id ?? null).toBe(page.data.scimTokens[0].createdBy);
  });

  it('serves discovery documents as application/scim+json', async () => {
    const spc = await scim('GET', '/ServiceProviderConfig');
    expect(spc.status).toBe(200);
    expect(spc.type).toContain('application/scim+json');
    expect(spc.body.patch.supported).toBe(true);
    expect(spc.body.filter.supported).toBe(true);
    const rt = await scim('GET', '/ResourceTypes');
    expect(rt.body.Resources.map((r: any) => r.id)).toContain('User');
    const sc = await scim('GET', '/Schemas');
    expect(sc.body.Resources.map((r: any) => r.id)).toContain(USER);
    expect((await scim('GET', `/Schemas/${USER}`)).body.name).toBe('User');
  });

  it('authenticates only with a live SCIM token, and the token works nowhere else', async () => {
    for (const auth of [null, MASTER_KEY, 'scim_wrong', 'Basic abc']) {
      const r = await scim('GET', '/Users', undefined, auth);
      expect(r.status).toBe(401);
      expect(r.body.schemas).toEqual([ERROR]);
      expect(r.body.status).toBe('401');
    }
    const { key } = await mintKey(s, {});
    expect((await scim('GET', '/Users', undefined, key)).status).toBe(401);
    // the SCIM token on the gateway, REST and GraphQL: the generic 401
    expect(await chat(token)).toBe(401);
    expect((await s.rest('GET', '/user/list', undefined, token)).status).toBe(401);
    const g = await s.gql('{ me { id } }', {}, token);
    expect(g.code).toBe('UNAUTHENTICATED');
    // revoked: refused from the next request on
    const t2 = (await s.gql('mutation { createScimToken(input: { name: "Entra" }) { secret token { id } } }')).data.createScimToken;
    expect((await scim('GET', '/Users', undefined, t2.secret)).status).toBe(200);
    const rev = await s.gql('mutation($i: RevokeScimTokenInput!) { revokeScimToken(input: $i) { revokedAt } }', { i: { id: t2.token.id } });
    expect(rev.data.revokeScimToken.revokedAt).toBeTruthy();
    expect((await scim('GET', '/Users', undefined, t2.secret)).status).toBe(401);
  });

  it('runs the Okta user lifecycle: lookup, create, deactivate, reactivate, delete', async () => {
    // Okta first looks the user up by userName
    const none = await scim('GET', '/Users?filter=' + encodeURIComponent('userName eq "ada@example.com"') + '&startIndex=1&count=100');
    expect(none.status).toBe(200);
    expect(none.body).toMatchObject({ totalResults: 0, Resources: [] });
    const created = await scim('POST', '/Users', {
      schemas: [USER], userName: 'ada@example.com', externalId: 'okta-00u1', active: true,
      name: { givenName: 'Ada', familyName: 'Lovelace' }, emails: [{ primary: true, value: 'ada@example.com', type: 'work' }],
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ userName: 'ada@example.com', externalId: 'okta-00u1', active: true, displayName: 'Ada Lovelace' });
    const id = created.body.id;
    // the one creation rule: role from default_internal_user_params
    const [row] = await sql(s, 'select role, email, alias from users where id = ?', [id]);
    expect(row).toMatchObject({ role: 'internal_user', email: 'ada@example.com', alias: 'Ada Lovelace' });
    const dup = await scim('POST', '/Users', { schemas: [USER], userName: 'ADA@example.com' });
    expect(dup.status).toBe(409);
    expect(dup.body.scimType).toBe('uniqueness');
    const found = await scim('GET', '/Users?filter=' + encodeURIComponent('userName eq "Ada@Example.com"'));
    expect(found.body.totalResults).toBe(1);
    expect(found.body.Resources[0].id).toBe(id);
    const byExt = await scim('GET', '/Users?filter=' + encodeURIComponent('externalId eq "okta-00u1"'));
    expect(byExt.body.Resources.map((u: any) => u.id)).toEqual([id]);

    // keys: one live, one an admin blocked on their own
    const live = await mintKey(s, { user_id: id });
    const adminBlocked = await mintKey(s, { user_id: id });
    expect((await s.rest('POST', '/key/block', { key: adminBlocked.key })).status).toBe(200);
    expect(await chat(live.key)).toBe(200);

    // deactivate: Okta and Entra send a path-less replace
    const off = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(off.status).toBe(200);
    expect(off.body.active).toBe(false);
    expect(await chat(live.key)).toBe(401);
    const audit = await sql(s, "select actor_method from audit_log where action = 'user.scim_deactivate'");
    expect(audit.map((a: any) => a.actor_method)).toEqual(['scim']);

    // reactivate (Entra's form: capitalised op, a path and a string boolean)
    const on = await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'True' }] });
    expect(on.status).toBe(200);
    expect(on.body.active).toBe(true);
    expect(await chat(live.key)).toBe(200);
    expect(await chat(adminBlocked.key)).toBe(401);

    // PUT replaces the mapped fields
    const put = await scim('PUT', `/Users/${id}`, { schemas: [USER], userName: 'ada.l@example.com', displayName: 'Countess', externalId: 'okta-00u1', active: true });
    expect(put.body).toMatchObject({ userName: 'ada.l@example.com', displayName: 'Countess' });

    const del = await scim('DELETE', `/Users/${id}`);
    expect(del.status).toBe(204);
    expect(await sql(s, 'select id from users where id = ?', [id])).toEqual([]);
    expect(await chat(live.key)).toBe(401);
    expect((await scim('GET', `/Users/${id}`)).status).toBe(404);
  });

  it('links an existing account by email, but never a proxy admin', async () => {
    await s.rest('POST', '/user/new', { user_email: 'grace@example.com', user_role: 'internal_user', auto_create_key: false });
    const linked = await scim('POST', '/Users', { schemas: [USER], userName: 'grace@example.com', displayName: 'Grace' });
    expect(linked.status).toBe(201);
    const [u] = await sql(s, "select id from users where email_key = 'grace@example.com'");
    expect(linked.body.id).toBe(u.id);
    await s.rest('POST', '/user/new', { user_email: 'boss@example.com', user_role: 'proxy_admin', auto_create_key: false });
    const refused = await scim('POST', '/Users', { schemas: [USER], userName: 'boss@example.com' });
    expect(refused.status).toBe(409);
    expect(refused.body.scimType).toBe('uniqueness');
  });

  it('answers bad filters, paging and bodies with SCIM errors and changes nothing', async () => {
    const before = await sql(s, 'select count(*) as n from users');
    const cases: Array<[string, string, unknown, string]> = [
      ['GET', '/Users?filter=' + encodeURIComponent('userName eq'), undefined, 'invalidFilter'],
      ['GET', '/Users?filter=' + encodeURIComponent('title co "x"'), undefined, 'invalidFilter'],
      ['GET', '/Users?count=abc', undefined, 'invalidValue'],
      ['POST', '/Users', '{not json', 'invalidSyntax'],
      ['POST', '/Users', { schemas: [USER] }, 'invalidValue'],
      ['POST', '/Users', { schemas: [USER], userName: 'not-an-email' }, 'invalidValue'],
      ['POST', '/Users', { schemas: [USER], userName: 'x@example.com', active: 'maybe' }, 'invalidValue'],
      ['POST', '/Users', { schemas: [USER], userName: 'x\u0001@example.com' }, 'invalidValue'],
      ['POST', '/Users', [1, 2], 'invalidSyntax'],
    ];
    for (const [method, path, body, scimType] of cases) {
      const r = await scim(method, path, body);
      expect(r.status, `${method} ${path}`).toBe(400);
      expect(r.body).toMatchObject({ schemas: [ERROR], status: '400', scimType });
    }
    const some = (await scim('GET', '/Users')).body.Resources[0].id;
    const badPatch = await scim('PATCH', `/Users/${some}`, { schemas: [PATCH], Operations: [] });
    expect(badPatch.body.scimType).toBe('invalidSyntax');
    const badOp = await scim('PATCH', `/Users/${some}`, { schemas: [PATCH], Operations: [{ op: 'move', path: 'active' }] });
    expect(badOp.status).toBe(400);
    expect(await sql(s, 'select count(*) as n from users')).toEqual(before);
  });

  it('pages with startIndex and count', async () => {
    for (const n of [1, 2, 3]) await scim('POST', '/Users', { schemas: [USER], userName: `p${n}@example.com` });
    const all = await scim('GET', '/Users');
    const total = all.body.totalResults;
    expect(total).toBeGreaterThanOrEqual(3);
    const page = await scim('GET', '/Users?startIndex=2&count=2');
    expect(page.body).toMatchObject({ totalResults: total, startIndex: 2, itemsPerPage: 2 });
    expect(page.body.Resources.map((u: any) => u.id)).toEqual(all.body.Resources.slice(1, 3).map((u: any) => u.id));
    expect((await scim('GET', '/Users?count=0')).body).toMatchObject({ totalResults: total, Resources: [] });
  });

  it('pushes groups as teams (Okta group push) and patches members (add, remove by filter, Entra remove by value)', async () => {
    const mk = async (email: string) => (await scim('POST', '/Users', { schemas: [USER], userName: email })).body.id as string;
    const a = await mk('g.a@example.com');
    const b = await mk('g.b@example.com');
    const c = await mk('g.c@example.com');
    const pushed = await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering', members: [{ value: a, display: 'g.a@example.com' }] });
    expect(pushed.status).toBe(201);
    expect(pushed.body).toMatchObject({ id: 'Engineering', displayName: 'Engineering', members: [{ value: a }] });
    const [team] = await sql(s, "select id, alias, budget_max_budget from teams where id = 'Engineering'");
    // default_team_params applies as in SSO team sync (max_budget 5 USD)
    expect(team).toMatchObject({ alias: 'Engineering' });
    expect(Number(team.budget_max_budget)).toBe(5_000_000_000);
    const src = await sql(s, "select source from team_memberships where team_id = 'Engineering'");
    expect(src).toEqual([{ source: 'scim' }]);

    const byName = await scim('GET', '/Groups?filter=' + encodeURIComponent('displayName eq "Engineering"'));
    expect(byName.body.totalResults).toBe(1);
    expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Engineering' })).body.scimType).toBe('uniqueness');

    const add = await scim('PATCH', '/Groups/Engineering', { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: b }, { value: c }] }] });
    expect(add.status).toBe(200);
    expect(add.body.members.map((m: any) => m.value).sort()).toEqual([a, b, c].sort());

    // a key of b's in the team stops once b leaves it
    const teamKey = await mintKey(s, { user_id: b, team_id: 'Engineering' });
    expect(await chat(teamKey.key)).toBe(200);
    const rm = await scim('PATCH', '/Groups/Engineering', { schemas: [PATCH], Operations: [{ op: 'remove', path: `members[value eq "${b}"]` }] });
    expect(rm.status).toBe(200);
    expect(rm.body.members.map((m: any) => m.value).sort()).toEqual([a, c].sort());
    expect(await chat(teamKey.key)).toBe(401);

    // Entra: capitalised op, members removed by value list
    const rm2 = await scim('PATCH', '/Groups/Engineering', { schemas: [PATCH], Operations: [{ op: 'Remove', path: 'members', value: [{ value: c }] }] });
    expect(rm2.body.members.map((m: any) => m.value)).toEqual([a]);
    // a manual membership is never removed by the IdP
    await s.rest('POST', '/team/member_add', { team_id: 'Engineering', member: { user_id: c, role: 'user' } });
    const rename = await scim('PATCH', '/Groups/Engineering', { schemas: [PATCH], Operations: [{ op: 'replace', value: { displayName: 'Eng' } }] });
    expect(rename.body.displayName).toBe('Eng');
    const replaced = await scim('PUT', '/Groups/Engineering', { schemas: [GROUP], displayName: 'Eng', members: [] });
    expect(replaced.body.members.map((m: any) => m.value)).toEqual([c]);

    const unknown = await scim('PATCH', '/Groups/Engineering', { schemas: [PATCH], Operations: [{ op: 'add', path: 'members', value: [{ value: 'nobody' }] }] });
    expect(unknown).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });

    expect((await scim('DELETE', '/Groups/Engineering')).status).toBe(204);
    expect((await scim('GET', '/Groups/Engineering')).status).toBe(404);
    expect(await sql(s, "select id from teams where id = 'Engineering'")).toHaveLength(1);
    const audits = await sql(s, "select distinct actor_method from audit_log where action like 'team.%' and actor_method = 'scim'");
    expect(audits).toEqual([{ actor_method: 'scim' }]);
  });

  it('filters pushed groups by sso_team_id_pattern and takes Entra\'s externalId as the team id', async () => {
    const entra = await scim('POST', '/Groups', { schemas: [GROUP], externalId: 'purser-0c1f', displayName: 'Purser Admins', members: [] });
    expect(entra.status).toBe(201);
    expect(entra.body).toMatchObject({ id: 'purser-0c1f', externalId: 'purser-0c1f', displayName: 'Purser Admins' });
    const byExt = await scim('GET', '/Groups?filter=' + encodeURIComponent('externalId eq "purser-0c1f"'));
    expect(byExt.body.Resources.map((g: any) => g.id)).toEqual(['purser-0c1f']);
    const refused = await scim('POST', '/Groups', { schemas: [GROUP], externalId: 'Everyone', displayName: 'Everyone' });
    expect(refused).toMatchObject({ status: 400, body: { scimType: 'invalidValue' } });
    expect(await sql(s, "select id from teams where id = 'Everyone'")).toEqual([]);
  });

  it('a user or team an admin deleted can be provisioned again', async () => {
    const first = await scim('POST', '/Users', { schemas: [USER], userName: 'again@example.com', externalId: 'x-1' });
    expect((await s.rest('POST', '/user/delete', { user_ids: [first.body.id] })).status).toBe(200);
    expect(await sql(s, 'select user_id from scim_users where user_id = ?', [first.body.id])).toEqual([]);
    const second = await scim('POST', '/Users', { schemas: [USER], userName: 'again@example.com', externalId: 'x-1' });
    expect(second.status).toBe(201);
    expect(second.body.id).not.toBe(first.body.id);
    expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Eng-again' })).status).toBe(201);
    expect((await s.rest('POST', '/team/delete', { team_ids: ['Eng-again'] })).status).toBe(200);
    expect((await scim('GET', '/Groups/Eng-again')).status).toBe(404);
    expect((await scim('POST', '/Groups', { schemas: [GROUP], displayName: 'Eng-again' })).status).toBe(201);
  });

  it('deactivation ends sessions at once and refuses sign-in until reactivated', async () => {
    const PASSWORD = 'correct horse battery staple 42';
    expect((await s.rest('POST', '/user/new', { user_email: 'linus@example.com', user_role: 'internal_user', password: PASSWORD, auto_create_key: false })).status).toBe(200);
    const login = async () => {
      const res = await fetch(`${s.url}/v2/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'linus@example.com', password: PASSWORD }) });
      return { status: res.status, cookie: sessionCookieOf(res) };
    };
    const me = async (cookie: string) => (await s.gql('{ me { user { id } } }', {}, null, { cookie })).data?.me?.user?.id ?? null;
    const first = await login();
    expect(first.status).toBe(200);
    const id = await me(first.cookie!);
    expect(id).toBeTruthy();
    const linked = await scim('POST', '/Users', { schemas: [USER], userName: 'linus@example.com', active: true });
    expect(linked.body.id).toBe(id);
    await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: false } }] });
    expect(await me(first.cookie!)).toBeNull();
    const refused = await login();
    expect(refused.status).toBe(403);
    expect(refused.cookie).toBeNull();
    await scim('PATCH', `/Users/${id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] });
    const again = await login();
    expect(again.status).toBe(200);
    expect(await me(again.cookie!)).toBe(id);
  });
});

describe('SCIM deactivation on two processes (one PostgreSQL, one Redis)', () => {
  const prefix = redisPrefix();
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let a: TestServer;
  let b: TestServer;

  beforeAll(async () => {
    db = await freshPostgres();
    a = await startServer({}, { databaseUrl: db.url, env: redisEnv(prefix) });
    b = await startServer({}, { databaseUrl: db.url, env: redisEnv(prefix) });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await db?.drop();
    await dropPrefix(prefix);
  });

  it('a user deactivated through one process has their keys refused by the other', async () => {
    const token = (await a.gql('mutation { createScimToken(input: { name: "Entra" }) { secret } }')).data.createScimToken.secret;
    const call = (srv: TestServer, method: string, path: string, body?: unknown) =>
      fetch(`${srv.url}/scim/v2${path}`, { method, headers: { 'content-type': 'application/scim+json', authorization: `Bearer ${token}` }, body: body === undefined ? undefined : JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const chat = (srv: TestServer, key: string) =>
      fetch(`${srv.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }) }).then((r) => r.status);
    const created = await call(a, 'POST', '/Users', { schemas: [USER], userName: 'dual@example.com', externalId: 'e-1' });
    expect(created.status).toBe(201);
    const { key } = await mintKey(a, { user_id: created.body.id });
    // b has the key in its cache
    expect(await chat(b, key)).toBe(200);
    expect((await call(a, 'PATCH', `/Users/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'Replace', path: 'active', value: 'False' }] })).status).toBe(200);
    await until(async () => (await chat(b, key)) === 401, 'b refuses the key');
    expect((await call(b, 'PATCH', `/Users/${created.body.id}`, { schemas: [PATCH], Operations: [{ op: 'replace', value: { active: true } }] })).status).toBe(200);
    await until(async () => (await chat(a, key)) === 200, 'a accepts the key again');
  });
});
