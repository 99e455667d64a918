/**
 * A bounded fuzz run against a running server: malformed GraphQL documents, REST bodies,
 * gateway bodies, hostile headers, huge and deep payloads. The contract: never a 5xx, never a
 * crash (the server still answers afterwards), every answer is JSON in the surface's error
 * shape, and nothing is written (entity, audit and spend counts stay the same).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { upstreamModel } from '../helpers/gateway.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';

const COUNTS = `{ auditLog { totalCount } users { totalCount } teams { totalCount } keys { totalCount } invitations { totalCount } }`;
// bounded: enough to shake out a crash, small enough for every CI run
const RUNS = 60;

const REST_POSTS = [
  '/key/generate', '/key/update', '/key/delete', '/key/block', '/key/unblock', '/key/regenerate',
  '/team/new', '/team/update', '/team/delete', '/team/member_add', '/team/member_delete', '/team/member_update',
  '/user/new', '/user/update', '/user/delete', '/invitation/new', '/invitation/delete',
];
const REST_GETS = ['/key/info', '/key/list', '/team/info', '/team/list', '/user/info', '/user/list', '/spend/logs', '/global/spend/report', '/user/daily/activity', '/team/daily/activity', '/model/info', '/invitation/info'];
const GATEWAY = ['/v1/chat/completions', '/chat/completions', '/v1/embeddings', '/v1/messages', '/v1/messages/count_tokens', '/v1/responses', '/v1/completions'];

/** JSON values with the shapes that break parsers: deep, wide, huge numbers, odd strings. */
const hostileJson = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(null, true, false, 0, -0, -1, 1e308, -1e308, 2 ** 53 + 1, 1.5, ''),
    fc.double(),
    fc.integer(),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.constantFrom('\u0000', '\u202e', '../../etc/passwd', "' or 1=1 --", '__proto__', 'constructor', '%00', 'x'.repeat(5000)),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(fc.string({ maxLength: 12 }), fc.constantFrom('__proto__', 'constructor', 'model', 'messages', 'max_budget', 'user_id', 'team_id', 'key', 'models', 'metadata', 'input', 'stream')), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** Text that is mostly not valid JSON (or valid JSON of the wrong kind). */
const hostileText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  hostileJson.map((v) => JSON.stringify(v) ?? 'null'),
  hostileJson.map((v) => (JSON.stringify(v) ?? 'null').slice(0, -1)),
  fc.constantFrom('{', '[', '{"a":', '\u0000', '{"__proto__":{"admin":true}}', 'NaN', '1e99999', '{"a":1,"a":2}'),
);

const headerValue = fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)), maxLength: 300 });

describe('fuzz: hostile input never gets a 5xx and changes nothing', () => {
  let s: TestServer;
  let up: FakeUpstream;
  let viewerKey: string;
  let userKey: string;
  let before: unknown;
  let spendBefore: number;
  const counts = async () => (await s.gql(COUNTS)).data;
  const spendRows = async () => {
    const r = await s.rest<unknown[]>('GET', '/spend/logs');
    expect(r.status).toBe(200);
    return r.body.length;
  };

  async function send(method: string, path: string, body: string | undefined, headers: Record<string, string>) {
    const res = await fetch(`${s.url}${path}`, { method, headers, body });
    const text = await res.text();
    return { status: res.status, text, type: res.headers.get('content-type') ?? '' };
  }

  function expectClean(r: { status: number; text: string; type: string }, what: string) {
    expect(r.status, `${what} → ${r.status} ${r.text.slice(0, 300)}`).toBeLessThan(500);
    expect(r.text).not.toMatch(/\n\s+at |node_modules|SQLITE_|mikro-?orm/i);
  }

  beforeAll(async () => {
    up = await startFakeUpstream({}, { record: true });
    s = await startServer({ model_list: [upstreamModel('fuzz-model', up)] });
    await s.rest('POST', '/team/new', { team_id: 'fuzz-team', team_alias: 'fuzz' });
    viewerKey = await userWithKey(s, { user_id: 'vera', user_role: 'internal_user_viewer' });
    await s.rest('POST', '/user/new', { user_id: 'ulla', user_role: 'internal_user', auto_create_key: false });
    // a key that can reach the gateway's parsing but whose calls are never admitted: nothing is spent
    const k = await s.rest('POST', '/key/generate', { user_id: 'ulla', max_budget: 0 });
    expect(k.status).toBe(200);
    userKey = k.body.key;
    before = await counts();
    spendBefore = await spendRows();
  });

  afterAll(async () => {
    // still answering, and nothing was written
    expect((await fetch(`${s.url}/health/liveliness`)).status).toBe(200);
    expect(await counts()).toEqual(before);
    expect(await spendRows()).toBe(spendBefore);
    expect(up.received.length).toBe(0);
    await s?.close();
    await up?.close();
  });

  it('REST management routes: any JSON body from a caller who may change nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...REST_POSTS), hostileJson, async (path, body) => {
        const r = await send('POST', path, JSON.stringify(body) ?? 'null', { 'content-type': 'application/json', authorization: `Bearer ${viewerKey}` });
        expectClean(r, `POST ${path} ${JSON.stringify(body)?.slice(0, 200)}`);
        expect(r.status).toBeGreaterThanOrEqual(400);
        expect(JSON.parse(r.text)).toHaveProperty('error');
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('REST routes: malformed bodies and query strings, even with the master key', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...REST_POSTS), hostileText, fc.constantFrom('application/json', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x'), async (path, text, type) => {
        // only what cannot be a valid request: a valid JSON object could legitimately create something
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = undefined;
        }
        fc.pre(type !== 'application/json' || parsed === undefined || typeof parsed !== 'object' || parsed === null || Array.isArray(parsed));
        const r = await send('POST', path, text, { 'content-type': type, authorization: `Bearer ${s.masterKey}` });
        expectClean(r, `POST ${path} (${type}) ${text.slice(0, 200)}`);
        expect(r.status).toBeGreaterThanOrEqual(400);
      }),
      { numRuns: RUNS },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...REST_GETS), fc.dictionary(fc.constantFrom('key', 'team_id', 'user_id', 'page', 'size', 'page_size', 'start_date', 'end_date', 'group_by', 'api_key', 'token', 'email'), fc.string({ unit: 'binary', maxLength: 60 }), { maxKeys: 4 }), async (path, query) => {
        const qs = new URLSearchParams(query).toString();
        const r = await send('GET', `${path}?${qs}`, undefined, { authorization: `Bearer ${viewerKey}` });
        expectClean(r, `GET ${path}?${qs}`);
      }),
      { numRuns: RUNS },
    );
  });

  it('/graphql: random and mangled documents, hostile variables', async () => {
    const seeds = [
      `{ me { id email permissions } }`,
      `mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret } }`,
      `query($first: Int, $after: String) { keys(first: $first, after: $after) { edges { node { id keyAlias team { id } } } } }`,
      `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`,
      `query($r: UsageInput!) { usage(input: $r) { rows { spend } } }`,
    ];
    const mangled = fc.tuple(fc.constantFrom(...seeds), fc.nat(), fc.string({ unit: 'binary', maxLength: 8 })).map(([d, at, junk]) => {
      const i = at % (d.length + 1);
      return d.slice(0, i) + junk + d.slice(i + (at % 3));
    });
    const doc = fc.oneof(mangled, fc.constantFrom(...seeds), fc.string({ unit: 'binary', maxLength: 120 }), fc.nat({ max: 3000 }).map((n) => '{'.repeat(n) + '}'.repeat(n)), fc.nat({ max: 400 }).map((n) => `{ ${'me { '.repeat(n)}id${' }'.repeat(n)} }`), fc.nat({ max: 3000 }).map((n) => `{ ${'__typename '.repeat(n)}}`));
    await fc.assert(
      fc.asyncProperty(doc, fc.oneof(fc.constant(undefined), hostileJson), fc.constantFrom(viewerKey, userKey), async (query, variables, key) => {
        const body = JSON.stringify({ query, variables });
        const r = await send('POST', '/graphql', body, { 'content-type': 'application/json', authorization: `Bearer ${key}` });
        expectClean(r, `graphql ${body.slice(0, 300)}`);
        const json = JSON.parse(r.text);
        expect(json.data !== undefined || Array.isArray(json.errors)).toBe(true);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('gateway routes: hostile bodies from a key that is never admitted', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...GATEWAY), fc.oneof(hostileJson.map((v) => JSON.stringify(v) ?? 'null'), hostileText), async (path, body) => {
        const r = await send('POST', path, body, { 'content-type': 'application/json', authorization: `Bearer ${userKey}` });
        expectClean(r, `POST ${path} ${body.slice(0, 200)}`);
        expect(r.status).toBeGreaterThanOrEqual(400);
        const json = JSON.parse(r.text);
        expect(json.error ?? json.type).toBeTruthy();
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('hostile headers: authorization, api-key headers, content types, cookies', async () => {
    const paths = ['/graphql', '/v1/chat/completions', '/key/info', '/v1/messages', '/team/list', '/metrics'];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...paths), fc.constantFrom('authorization', 'x-api-key', 'api-key', 'x-litellm-api-key', 'cookie', 'content-type', 'x-forwarded-for', 'anthropic-version'), headerValue, async (path, name, value) => {
        const headers: Record<string, string> = { 'content-type': 'application/json', [name]: value };
        const r = await send(path === '/metrics' || path === '/team/list' || path === '/key/info' ? 'GET' : 'POST', path, path === '/metrics' || path === '/team/list' || path === '/key/info' ? undefined : '{"query":"{ me { id } }","model":"fuzz-model","messages":[]}', headers);
        expectClean(r, `${path} ${name}: ${value.slice(0, 100)}`);
      }),
      { numRuns: RUNS * 2 },
    );
  });

  it('huge and deep payloads are refused whole, and the server keeps answering', async () => {
    const big = JSON.stringify({ model: 'fuzz-model', messages: [{ role: 'user', content: 'x'.repeat(6 * 1024 * 1024) }] });
    for (const path of ['/v1/chat/completions', '/graphql', '/team/new']) {
      const r = await send('POST', path, big, { 'content-type': 'application/json', authorization: `Bearer ${userKey}` });
      expect(r.status, path).toBe(413);
    }
    const deep = '['.repeat(200_000) + ']'.repeat(200_000);
    for (const path of ['/v1/chat/completions', '/graphql', '/team/new']) {
      const r = await send('POST', path, deep, { 'content-type': 'application/json', authorization: `Bearer ${s.masterKey}` });
      expectClean(r, `deep ${path}`);
      expect(r.status).toBeGreaterThanOrEqual(400);
    }
    const heap = process.memoryUsage().heapUsed;
    // memory stays bounded: the server holds nothing of what it refused (generous: a GC may not have run)
    expect(heap).toBeLessThan(1024 * 1024 * 1024);
  });
});
