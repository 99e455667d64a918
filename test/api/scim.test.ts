/**
 * SCIM 2.0 provisioning (issue 10): the request sequences Okta and Entra ID send, through a
 * running server: create, look up by userName, deactivate (keys stop at once), reactivate
 * (only what deactivation blocked comes back), delete; discovery; SCIM errors; token auth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintKey, sql } from '../helpers/gateway.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';
const ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

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
    s = await startServer({ litellm_settings: { default_internal_user_params: { user_role: 'internal_user' } } });
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
    const audit = await sql(s, "select actor_method from audit_entries where action = 'user.scim_deactivate'");
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
});
