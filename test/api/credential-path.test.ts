/**
 * Issue 9, "one credential path": REST, GraphQL and /v1 authenticate a key through the same
 * cached lookup (keys/key-cache.ts), accept the same headers and refuse with the same 401.
 * "No database read on a cache hit" is proven by counting the SQL statements the server's
 * own database connection runs (knex's query events), not by a mock.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, post } from '../helpers/gateway.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { statementsDuring } from '../helpers/sql-count.js';

const REFUSED = 'Authentication Error: invalid, expired or blocked API key.';

type Headers = Record<string, string>;

/** One call per surface with the given headers: REST /user/info, GraphQL `me`, /v1/chat/completions. */
const surfaces = {
  async rest(s: TestServer, h: Headers) {
    const r = await fetch(`${s.url}/user/info`, { headers: h });
    const body = (await r.json()) as any;
    return { status: r.status, user: body.user_id as string | undefined, message: (body.error?.message ?? body.detail ?? body.message) as string | undefined };
  },
  async graphql(s: TestServer, h: Headers) {
    const r = await fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...h }, body: JSON.stringify({ query: '{ me { user { id } } }' }) });
    const body = (await r.json()) as any;
    const e = body.errors?.[0];
    return { status: e ? (e.extensions?.code === 'UNAUTHENTICATED' ? 401 : 500) : r.status, user: body.data?.me?.user?.id as string | undefined, message: e?.message as string | undefined };
  },
  async v1(s: TestServer, h: Headers) {
    const r = await post(s, '/v1/chat/completions', { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] }, h);
    return { status: r.status, user: r.status === 200 ? 'answered' : undefined, message: r.body?.error?.message as string | undefined };
  },
};

const HEADERS: Array<[string, (k: string) => Headers]> = [
  ['Authorization: Bearer', (k) => ({ authorization: `Bearer ${k}` })],
  ['Authorization (bare key)', (k) => ({ authorization: k })],
  ['x-api-key', (k) => ({ 'x-api-key': k })],
  ['api-key', (k) => ({ 'api-key': k })],
  ['x-litellm-api-key', (k) => ({ 'x-litellm-api-key': k })],
];

describe('one credential path for REST, GraphQL and /v1', () => {
  let s: TestServer;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    s = await startServer();
    await admin(s, '/team/new', { team_id: 'cp-team' });
    keys.alice = await userWithKey(s, { user_id: 'alice', user_role: 'internal_user', teams: [{ team_id: 'cp-team', role: 'admin' }] });
    keys.bob = await userWithKey(s, { user_id: 'bob', user_role: 'internal_user' });
    keys.carol = await userWithKey(s, { user_id: 'carol', user_role: 'internal_user' });
  });
  afterAll(() => s?.close());

  it('a REST and a GraphQL call read nothing from the database to authenticate a cached key, the cache the gateway fills', async () => {
    // REST refuses the page number after authenticating, GraphQL's __typename reads no data:
    // whatever SQL these calls run is the credential lookup
    const restProbe = () => fetch(`${s.url}/user/list?page=0`, { headers: { authorization: `Bearer ${keys.alice}` } }).then((r) => r.status);
    const gqlProbe = () =>
      fetch(`${s.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': keys.alice! }, body: JSON.stringify({ query: '{ __typename }' }) }).then(
        async (r) => ((await r.json()) as any).data?.__typename,
      );

    // a miss reads the key (and the owner's memberships)
    const miss = await statementsDuring(s, async () => expect(await restProbe()).toBe(400));
    expect(miss.some((q) => /virtual_keys/.test(q))).toBe(true);
    expect(miss.some((q) => /team_memberships/.test(q))).toBe(true);
    // a hit reads nothing
    expect(await statementsDuring(s, async () => expect(await restProbe()).toBe(400))).toEqual([]);
    expect(await statementsDuring(s, async () => expect(await gqlProbe()).toBe('Query'))).toEqual([]);

    // bob's key is loaded by the gateway: REST and GraphQL then find it in the same cache
    expect((await surfaces.v1(s, { authorization: `Bearer ${keys.bob}` })).status).toBe(200);
    const bobProbe = () => fetch(`${s.url}/user/list?page=0`, { headers: { 'api-key': keys.bob! } }).then((r) => r.status);
    // the key is not read again: only the owner's team roles, once (the gateway has no use for them)
    const first = await statementsDuring(s, async () => expect(await bobProbe()).toBe(400));
    expect(first.filter((q) => !/from [`"]team_memberships[`"]/.test(q))).toEqual([]); // SQLite quotes with backticks, PostgreSQL with double quotes
    expect(first).toHaveLength(1);
    expect(await statementsDuring(s, async () => expect(await bobProbe()).toBe(400))).toEqual([]);

    // an unknown key is refused the same way (and only then is the probe's 400 proof of a principal)
    expect((await fetch(`${s.url}/user/list?page=0`, { headers: { authorization: 'Bearer sk-not-a-key' } })).status).toBe(401);
  });

  it('the principal from the cache carries the owner, role and team roles', async () => {
    const r = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${keys.alice}` },
      body: JSON.stringify({ query: '{ me { user { id role: userRole } } }' }),
    });
    expect(((await r.json()) as any).data.me.user).toEqual({ id: 'alice', role: 'INTERNAL_USER' });
    // a team admin may read her team (the team role came from the cached memberships)
    const team = await fetch(`${s.url}/team/info?team_id=cp-team`, { headers: { 'x-litellm-api-key': keys.alice! } });
    expect(team.status).toBe(200);
    const other = await fetch(`${s.url}/team/info?team_id=cp-team`, { headers: { 'x-litellm-api-key': keys.carol! } });
    expect(other.status).not.toBe(200);
  });

  for (const [name, header] of HEADERS) {
    it(`${name} works on all three surfaces, and a wrong key in it gets the same 401`, async () => {
      expect(await surfaces.rest(s, header(keys.alice!))).toMatchObject({ status: 200, user: 'alice' });
      expect(await surfaces.graphql(s, header(keys.alice!))).toMatchObject({ status: 200, user: 'alice' });
      expect(await surfaces.v1(s, header(keys.alice!))).toMatchObject({ status: 200, user: 'answered' });
      for (const surface of Object.values(surfaces)) expect(await surface(s, header('sk-wrong-0123456789'))).toEqual({ status: 401, user: undefined, message: REFUSED });
    });
  }

  it('a blocked key is refused on all three surfaces right after the block; another key is not', async () => {
    const h = { authorization: `Bearer ${keys.carol}` };
    for (const surface of Object.values(surfaces)) expect((await surface(s, h)).status).toBe(200);
    await admin(s, '/key/block', { key: keys.carol });
    for (const surface of Object.values(surfaces)) expect(await surface(s, h)).toEqual({ status: 401, user: undefined, message: REFUSED });
    for (const surface of Object.values(surfaces)) expect((await surface(s, { authorization: `Bearer ${keys.bob}` })).status).toBe(200);
    await admin(s, '/key/unblock', { key: keys.carol });
    for (const surface of Object.values(surfaces)) expect((await surface(s, h)).status).toBe(200);
  });
});
