/**
 * Pins the bad-input contract: malformed JSON, wrong types, oversize values, unknown ids, bad
 * GraphQL variables and over-deep / over-costly queries all get a 4xx with a clear error
 * (REST: `{"error":{message,type,param,code}}`; GraphQL: a typed `extensions.code`), never a
 * 5xx, never a stack trace or SQL text, and nothing is written (audit log and entity counts
 * stay the same).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type RestResult, type TestServer } from '../helpers/server.js';

const COUNTS = `{ auditLog { totalCount } users { totalCount } teams { totalCount } keys { totalCount } }`;
const GEN = `mutation($i: GenerateKeyInput!) { generateKey(input: $i) { secret } }`;
const CREATE_TEAM = `mutation($i: CreateTeamInput!) { createTeam(input: $i) { id } }`;

/** No stack frames, no SQL, no driver names in what a caller reads. */
function expectCleanMessage(message: string) {
  expect(message.length).toBeGreaterThan(5);
  expect(message).not.toMatch(/\n\s*at |\bat .*\(.*:\d+:\d+\)/);
  expect(message).not.toMatch(/\bselect\b|\binsert\b|\bupdate\s+\S+\s+set\b|\bdelete from\b/i);
  expect(message).not.toMatch(/sqlite|SQLITE_|mikro-?orm|knex|node_modules/i);
}

/** A request /graphql could not read: a GraphQL response with errors only. */
function expectGraphqlRequestError(r: RestResult<any>, status: number, message?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(Object.keys(r.body)).toEqual(['errors']);
  expect(r.body.errors[0].extensions.code).toBe('BAD_REQUEST');
  if (message) expect(r.body.errors[0].message).toBe(message);
}

function expectRestError(r: RestResult<any>, status: number, param?: string) {
  expect(r.status, JSON.stringify(r.body)).toBe(status);
  expect(Object.keys(r.body)).toEqual(['error']);
  expect(Object.keys(r.body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
  expect(r.body.error).toMatchObject({ message: expect.any(String), type: expect.any(String), code: String(status) });
  expectCleanMessage(r.body.error.message);
  if (param) {
    expect(r.body.error.param).toBe(param);
    expect(r.body.error.message).toContain(param);
  }
}

describe('bad input: 4xx with a clear error, nothing written', () => {
  let s: TestServer;
  let alice: string;
  let keyId: string;
  let before: unknown;
  const counts = async () => (await s.gql(COUNTS)).data;
  const rawPost = async (path: string, body: string, contentType = 'application/json') => {
    const res = await fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${s.masterKey}` },
      body,
    });
    const text = await res.text();
    return { status: res.status, body: JSON.parse(text), headers: res.headers };
  };

  beforeAll(async () => {
    s = await startServer({});
    await s.rest('POST', '/team/new', { team_id: 't1', team_alias: 'one' });
    alice = await userWithKey(s, { user_id: 'alice', user_role: 'internal_user', user_email: 'alice@example.com' });
    keyId = (await s.rest('POST', '/key/generate', { user_id: 'alice', key_alias: 'a1' })).body.key_id;
    before = await counts();
    expect(before).toMatchObject({ users: { totalCount: 2 }, teams: { totalCount: 1 }, keys: { totalCount: 2 } });
  });
  afterAll(async () => {
    // nothing any test below sent was written
    expect(await counts()).toEqual(before);
    await s.close();
  });

  it('malformed JSON → 400 "not valid JSON" on every REST route and on /graphql', async () => {
    for (const path of ['/team/new', '/user/new', '/key/generate', '/key/update', '/team/member_add']) {
      const r = await rawPost(path, '{"team_alias": "x",');
      expectRestError(r, 400);
      expect(r.body.error.message).toBe('Request body is not valid JSON.');
    }
    // /graphql answers in GraphQL's shape (GraphQL over HTTP)
    expectGraphqlRequestError(await rawPost('/graphql', '{"team_alias": "x",'), 400, 'Request body is not valid JSON.');
    expectRestError(await rawPost('/key/generate', '{"max_budget": NaN}'), 400);
    expectRestError(await s.rest('POST', '/team/new', [{ team_alias: 'x' }]), 400);
    expectRestError(await s.rest('POST', '/team/new', '"just a string"'), 400);
    expectRestError(await rawPost('/team/new', 'team_alias: x', 'text/plain'), 400);
    expect(await counts()).toEqual(before);
  });

  it('wrong types → 400 naming the field (REST)', async () => {
    const cases: Array<[string, Record<string, unknown>, string]> = [
      ['/key/generate', { max_budget: '10' }, 'max_budget'],
      ['/key/generate', { key_alias: 5 }, 'key_alias'],
      ['/key/generate', { metadata: [1, 2] }, 'metadata'],
      ['/key/generate', { models: 'gpt-4o' }, 'models'],
      ['/key/generate', { tpm_limit: 1.5 }, 'tpm_limit'],
      ['/team/new', { max_budget: '10' }, 'max_budget'],
      ['/team/new', { metadata: 'x' }, 'metadata'],
      ['/team/new', { blocked: 'yes' }, 'blocked'],
      ['/user/new', { user_role: 'god' }, 'user_role'],
      ['/user/new', { max_budget: true }, 'max_budget'],
      ['/team/delete', { team_ids: 't1' }, 'team_ids'],
      ['/user/delete', { user_ids: [] }, 'user_ids'],
      ['/key/update', { key: keyId, max_budget: '1' }, 'max_budget'],
    ];
    for (const [path, body, param] of cases) expectRestError(await s.rest('POST', path, body), 400, param);
    expectRestError(await s.rest('GET', '/key/list?page=abc'), 400, 'page');
    expectRestError(await s.rest('GET', '/key/list?size=1000'), 400, 'size');
    expect(await counts()).toEqual(before);
  });

  it('wrong types → BAD_USER_INPUT (GraphQL variables answer HTTP 400, literals 400 too)', async () => {
    const vars: Array<[string, Record<string, unknown>]> = [
      [GEN, { i: { maxBudget: 'ten' } }],
      [GEN, { i: { keyAlias: 5 } }],
      [GEN, { i: { metadata: [1] } }],
      [GEN, { i: { tpmLimit: 1e20 } }],
      [GEN, {}],
      [CREATE_TEAM, { i: { maxBudget: 'ten' } }],
      [CREATE_TEAM, { i: { unknownField: 1 } }],
    ];
    for (const [q, v] of vars) {
      const g = await s.gql(q, v);
      expect(g.status, JSON.stringify(g.errors)).toBe(400);
      expect(g.code).toBe('BAD_USER_INPUT');
      expectCleanMessage(g.errors![0]!.message);
    }
    const literal = await s.gql(`mutation { createTeam(input: { maxBudget: "ten" }) { id } }`);
    expect(literal.status).toBe(400);
    expect(literal.errors![0]!.message).toMatch(/Float/);
    const syntax = await s.gql(`{ me { `);
    expect(syntax.status).toBe(400);
    expectCleanMessage(syntax.errors![0]!.message);
    // values the schema accepts but the rules refuse
    for (const i of [{ maxBudget: -5 }, { maxBudget: 1e12 }, { budgetDuration: 'monthly' }, { duration: '0d' }, { metadata: { a: 'x'.repeat(70_000) } }]) {
      const g = await s.gql(GEN, { i });
      expect(g.code, JSON.stringify(i)).toBe('BAD_USER_INPUT');
      expectCleanMessage(g.errors![0]!.message);
    }
    expect(await counts()).toEqual(before);
  });

  it('oversize strings and bodies → 400 / 413, deep JSON → 400', async () => {
    const long = 'a'.repeat(10_000);
    // REST names the field as LiteLLM does (GraphQL's camelCase below)
    expectRestError(await s.rest('POST', '/key/generate', { key_alias: long }), 400, 'key_alias');
    expectRestError(await s.rest('POST', '/team/new', { team_alias: long }), 400, 'team_alias');
    expectRestError(await s.rest('POST', '/user/new', { user_id: long }), 400, 'user_id');
    expectRestError(await s.rest('POST', '/user/new', { user_email: `${long}@example.com` }), 400, 'user_email');
    expectRestError(await s.rest('POST', '/key/generate', { models: [long] }), 400, 'models');
    const g = await s.gql(GEN, { i: { keyAlias: long } });
    expect(g.code).toBe('BAD_USER_INPUT');
    expect(g.errors![0]!.message).toMatch(/keyAlias is too long/);
    // 2 MB: refused as too long or as too large, depending on the server's body limit
    const twoMb = 'x'.repeat(2 * 1024 * 1024);
    const r2 = await s.rest('POST', '/team/new', { team_alias: twoMb });
    expectRestError(r2, r2.status === 413 ? 413 : 400);
    const g2 = await rawPost('/graphql', JSON.stringify({ query: GEN, variables: { i: { keyAlias: twoMb } } }));
    if (g2.status === 413) expectGraphqlRequestError(g2, 413);
    else expect(g2.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    // far above any body limit
    const huge = 'x'.repeat(32 * 1024 * 1024);
    expectRestError(await s.rest('POST', '/team/new', { team_alias: huge }), 413);
    expectGraphqlRequestError(await rawPost('/graphql', JSON.stringify({ query: GEN, variables: { i: { keyAlias: huge } } })), 413);
    // metadata nested far deeper than anyone means (would overflow a recursive walk)
    const deep = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    expectRestError(await rawPost('/key/generate', `{"metadata":${deep}}`), 400, 'metadata');
    const gd = await rawPost('/graphql', `{"query":"mutation($m: JSONObject) { generateKey(input: {metadata: $m}) { secret } }","variables":{"m":${deep}}}`);
    expect(gd.status).toBeLessThan(500);
    expect(gd.body.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(await counts()).toEqual(before);
  });

  it('unknown ids → 404 (REST) / NOT_FOUND (GraphQL)', async () => {
    // an unknown user_id named by an admin on key/generate, member_add or user/update is
    // created instead, as LiteLLM does (issue 11: test/api/litellm-compat-users.test.ts)
    const rest: Array<['GET' | 'POST', string, unknown?]> = [
      ['GET', '/team/info?team_id=nope'],
      ['GET', '/user/info?user_id=nope'],
      ['GET', '/key/info?key=nope'],
      ['GET', '/key/info?key=00000000-0000-4000-8000-000000000000'],
      ['GET', `/key/info?key=${'0'.repeat(64)}`],
      ['POST', '/team/update', { team_id: 'nope', max_budget: 1 }],
      ['POST', '/team/delete', { team_ids: ['t1', 'nope'] }],
      ['POST', '/team/member_add', { team_id: 'nope', member: { user_id: 'alice' } }],
      ['POST', '/team/member_delete', { team_id: 't1', user_id: 'alice' }],
      ['POST', '/user/delete', { user_ids: ['alice', 'nope'] }],
      ['POST', '/key/update', { key: 'sk-nope', max_budget: 1 }],
      ['POST', '/key/regenerate', { key: 'nope' }],
      ['POST', '/key/delete', { keys: [keyId, 'nope'] }],
      ['POST', '/key/block', { key: 'nope' }],
      ['POST', '/key/generate', { team_id: 'nope' }],
    ];
    for (const [method, path, body] of rest) {
      const r = await s.rest(method, path, body);
      expectRestError(r, 404);
      expect(r.body.error.type).toBe('not_found_error');
    }
    const gql = [
      `{ team(id: "nope") { id } }`,
      `{ user(id: "nope") { id } }`,
      `{ key(id: "nope") { id } }`,
      `mutation { updateTeam(input: { teamId: "nope", maxBudget: 1 }) { id } }`,
      `mutation { deleteTeam(input: { teamId: "nope" }) { teamId } }`,
      `mutation { deleteUser(input: { userId: "nope" }) { userId } }`,
      `mutation { updateUser(input: { userId: "nope", maxBudget: 1 }) { id } }`,
      `mutation { deleteKey(input: { id: "nope" }) { id } }`,
      `mutation { updateKey(input: { id: "nope", maxBudget: 1 }) { id } }`,
      `mutation { regenerateKey(input: { id: "nope" }) { secret } }`,
      `mutation { addTeamMember(input: { teamId: "nope", userId: "alice" }) { userId } }`,
      `mutation { generateKey(input: { teamId: "nope" }) { secret } }`,
    ];
    for (const q of gql) {
      const g = await s.gql(q);
      expect(g.code, q).toBe('NOT_FOUND');
      expect(g.status).toBeLessThan(500);
      expectCleanMessage(g.errors![0]!.message);
    }
    // a key the caller may not read is as unknown as a missing one
    const other = await s.rest('GET', `/key/info?key=${keyId}`, undefined, await userWithKey(s, { user_id: 'bob', user_role: 'internal_user' }));
    expectRestError(other, 404);
    await s.rest('POST', '/user/delete', { user_ids: ['bob'] });
    before = await counts(); // bob's creation and deletion are audited on purpose
  });

  it('depth and cost limits → HTTP 400 with a clear message', async () => {
    const deep = await s.gql(
      `{ keys { edges { node { team { keys { edges { node { team { keys { edges { node { id } } } } } } } } } } } }`,
    );
    expect(deep.status).toBe(400);
    expect(deep.errors![0]!.message).toMatch(/exceeds maximum operation depth of 10/);
    const costly = await s.gql(`{ users(first: 100) { edges { node { keys(first: 100) { edges { node { id } } } } } } }`);
    expect(costly.status).toBe(400);
    expect(costly.errors![0]!.message).toMatch(/Query is too expensive: cost \d+ exceeds the limit of 1000/);
    expect(costly.data).toBeUndefined();
    // the same shape with small pages is fine
    const cheap = await s.gql(`{ users(first: 5) { edges { node { keys(first: 5) { edges { node { id } } } } } } }`);
    expect(cheap.errors).toBeUndefined();
    const page = await s.gql(`{ keys(first: -1) { totalCount } }`);
    expect(page.code).toBe('BAD_USER_INPUT');
    expect((await s.gql(`{ keys(after: "junk") { totalCount } }`)).code).toBe('BAD_USER_INPUT');
  });

  it('refuses bad input from a non-admin the same way, without writing', async () => {
    expectRestError(await s.rest('POST', '/key/generate', { max_budget: -1 }, alice), 400, 'max_budget');
    expectRestError(await s.rest('POST', '/key/update', { key: keyId, duration: 'soon' }, alice), 400, 'duration');
    const g = await s.gql(`mutation($i: UpdateKeyInput!) { updateKey(input: $i) { id } }`, { i: { id: keyId, budgetDuration: '1 month' } }, alice);
    expect(g.code).toBe('BAD_USER_INPUT');
    expect(g.errors![0]!.message).toContain('budgetDuration');
    expect(await counts()).toEqual(before);
  });
});
