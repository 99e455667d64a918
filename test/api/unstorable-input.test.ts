/**
 * Issue 7, "Bad input and leaks": a NUL in any string input is refused (400 / BAD_USER_INPUT
 * naming the field) before the database sees it, on every surface, and nothing is written;
 * a database error, whatever path it takes, never puts SQL text or values into the log or
 * the response.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../helpers/sqlite-file.js';
import { captureLog, startServer, userWithKey, type RestResult, type TestServer } from '../helpers/server.js';

const NUL = '\u0000';
const COUNTS = `{ auditLog { totalCount } users { totalCount } teams { totalCount } keys { totalCount } }`;
const SQL = /\bselect\b|\binsert into\b|\bupdate\s+\S+\s+set\b|\bdelete from\b|\bvalues\s*\(/i;

function expectNulRefused(r: RestResult<any>, param: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(400);
  expect(r.body.error).toMatchObject({ type: 'invalid_request_error', param, code: '400' });
  expect(r.body.error.message).toBe(`${param} contains a NUL character (\\u0000), which cannot be stored.`);
}

describe('NUL in string inputs', () => {
  let s: TestServer;
  let alice: string;
  let keyId: string;
  let before: unknown;
  const logged = captureLog();
  const counts = async () => (await s.gql(COUNTS)).data;

  beforeAll(async () => {
    s = await startServer({}, { log: logged.log });
    await s.rest('POST', '/team/new', { team_id: 't1', team_alias: 'one' });
    await s.rest('POST', '/user/new', { user_id: 'bob', user_email: 'bob@example.com', password: 'a long passphrase', auto_create_key: false });
    alice = await userWithKey(s, { user_id: 'alice', user_role: 'internal_user', user_email: 'alice@example.com' });
    keyId = (await s.rest('POST', '/key/generate', { user_id: 'alice', key_alias: 'a1' })).body.key_id;
    before = await counts();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('REST and sign-in routes: 400 naming the field, before authentication, nothing written', async () => {
    const cases: Array<[string, unknown, string]> = [
      ['/v2/login', { username: `bob${NUL}@example.com`, password: 'a long passphrase' }, 'username'],
      ['/v2/login', { username: 'bob@example.com', password: `a long${NUL} passphrase` }, 'password'],
      ['/team/new', { team_alias: `a${NUL}b` }, 'team_alias'],
      ['/team/new', { team_alias: 'ok', members_with_roles: [{ user_id: `bob${NUL}` }] }, 'members_with_roles.0.user_id'],
      ['/user/new', { user_email: `x${NUL}@example.com` }, 'user_email'],
      ['/user/update', { user_id: 'bob', password: `another${NUL} long passphrase` }, 'password'],
      ['/key/generate', { key_alias: `k${NUL}` }, 'key_alias'],
      ['/key/generate', { metadata: { deep: { [`k${NUL}`]: 1 } } }, `metadata.deep.k${NUL}`],
      ['/key/generate', { metadata: { list: ['fine', `bad${NUL}`] } }, 'metadata.list.1'],
      ['/key/update', { key: keyId, key_alias: `${NUL}` }, 'key_alias'],
      ['/team/member_add', { team_id: 't1', member: { user_id: `bob${NUL}` } }, 'member.user_id'],
    ];
    for (const [path, body, param] of cases) {
      expectNulRefused(await s.rest('POST', path, body), param);
      // the same without a credential: refused as bad input, the database never asked
      expect((await s.rest('POST', path, body, null)).status).toBe(400);
    }
    expectNulRefused(await s.rest('POST', '/key/generate', { key_alias: `k${NUL}` }, alice), 'key_alias');
    expectNulRefused(await s.rest('GET', `/user/info?user_id=bob%00`), 'user_id');
    expectNulRefused(await s.rest('GET', `/team/info?team_id=t1%00`), 'team_id');
    expectNulRefused(await s.rest('POST', `/key/${encodeURIComponent(`x${NUL}`)}/regenerate`, {}), 'key');
    // the browser form
    const form = await fetch(`${s.url}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'username=bob%00%40example.com&password=a+long+passphrase',
      redirect: 'manual',
    });
    expect(form.status).toBe(400);
    expect(((await form.json()) as any).error.param).toBe('username');
    expect(await counts()).toEqual(before);
  });

  it('GraphQL: BAD_USER_INPUT naming the argument path, for literals and variables, anonymous or not', async () => {
    const cases: Array<[string, Record<string, unknown> | undefined, string, string | null]> = [
      [`mutation($e: String!) { login(input: { email: $e, password: "a long passphrase" }) { user { id } } }`, { e: `bob${NUL}@example.com` }, 'input.email', null],
      [`mutation($i: LoginInput!) { login(input: $i) { user { id } } }`, { i: { email: 'bob@example.com', password: `x${NUL}yyyyyyyy` } }, 'input.password', null],
      [`mutation { createTeam(input: { teamAlias: "a\\u0000b" }) { id } }`, undefined, 'input.teamAlias', s.masterKey],
      [`mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret } }`, { i: { metadata: { a: [{ b: `${NUL}` }] } } }, 'input.metadata.a.0.b', s.masterKey],
      [`mutation($i: UpdateMeInput!) { updateMe(input: $i) { id } }`, { i: { userAlias: `al${NUL}ice` } }, 'input.userAlias', alice],
      [`query($id: ID!) { user(id: $id) { id } }`, { id: `bob${NUL}` }, 'id', s.masterKey],
      [`query Q($id: ID = "t1\\u0000") { team(id: $id) { id } }`, {}, 'id', s.masterKey],
      [`query { ...F } fragment F on Query { keys(filter: { keyAlias: "a\\u0000" }) { totalCount } }`, undefined, 'filter.keyAlias', s.masterKey],
    ];
    for (const [query, variables, path, auth] of cases) {
      const g = await s.gql(query, variables, auth);
      expect(g.status, `${query} ${JSON.stringify(g.errors)}`).toBe(400);
      expect(g.code).toBe('BAD_USER_INPUT');
      expect(g.errors![0]!.message).toBe(`${path} contains a NUL character (\\u0000), which cannot be stored.`);
    }
    expect(await counts()).toEqual(before);
  });

  it('left nothing in the log: no error, no SQL', () => {
    expect(logged.lines.filter((l) => /^(http|graphql): |error|exception/i.test(l))).toEqual([]);
    expect(logged.text()).not.toMatch(SQL);
  });
});

describe('database errors: logged without SQL or values, answered without either', () => {
  let s: TestServer;
  let dbDir = '';
  const logged = captureLog();

  beforeAll(async () => {
    // SQLite triggers make the failure: this block runs on an own SQLite file in either test mode
    dbDir = mkdtempSync(join(tmpdir(), 'purser-unstorable-'));
    s = await startServer({}, { log: logged.log, databaseUrl: join(dbDir, 'purser.db') });
    await s.rest('POST', '/user/new', { user_id: 'bob', user_email: 'bob@example.com', password: 'a long passphrase', auto_create_key: false });
    // a real database failure on the writes below, made by the database itself
    const db = await openSqlite(join(dbDir, 'purser.db'));
    await db.run(`create trigger no_team_insert before insert on teams begin select raise(abort, 'teams are read-only'); end`);
    await db.run(`create trigger no_user_update before update on users begin select raise(abort, 'users are read-only'); end`);
    await db.close();
  });
  afterAll(async () => {
    await s?.close();
    rmSync(dbDir, { recursive: true, force: true });
  });

  it('REST, GraphQL: 500 with a generic message; the log names the failure but no SQL, values or hashes', async () => {
    const secret = 'sekrit-alias-0123';
    const rest = await s.rest('POST', '/team/new', { team_alias: secret });
    expect(rest.status).toBe(500);
    expect(rest.body.error.message).toBe('Internal server error.');
    const gql = await s.gql(`mutation($a: String) { createTeam(input: { teamAlias: $a }) { id } }`, { a: secret });
    expect(gql.code).toBe('INTERNAL_SERVER_ERROR');
    expect(gql.errors![0]!.message).toBe('Internal server error.');
    const pw = await s.rest('POST', '/user/update', { user_id: 'bob', password: 'another long passphrase' });
    expect(pw.status).toBe(500);
    const pw2 = await s.gql(`mutation { updateUser(input: { userId: "bob", password: "yet another passphrase" }) { id } }`);
    expect(pw2.code).toBe('INTERNAL_SERVER_ERROR');
    for (const r of [JSON.stringify(rest.body), JSON.stringify(gql.errors), JSON.stringify(pw.body), JSON.stringify(pw2.errors)]) {
      expect(r).not.toMatch(SQL);
      expect(r).not.toContain(secret);
    }

    const text = logged.text();
    // each failure is logged once per path, recognisably...
    expect(logged.lines.filter((l) => l.startsWith('http: database error')).length).toBe(2);
    expect(logged.lines.filter((l) => l.startsWith('graphql: database error')).length).toBe(2);
    expect(text).toContain('teams are read-only');
    // ...and without the statement or anything that was in it
    expect(text).not.toMatch(SQL);
    expect(text).not.toContain(secret);
    expect(text).not.toContain('$argon2');
    expect(text).not.toMatch(/passphrase/);
    expect(text).not.toContain('bob@example.com');
  });
});
