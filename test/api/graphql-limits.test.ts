/**
 * Issue 7, "Bad input and leaks": the GraphQL depth and cost limits. A cyclic or runaway
 * fragment is a 400 with a clear message (never a stack overflow, a 500 or a stack trace in
 * the log, even anonymously); the cost model lets a realistic dashboard page through with
 * room to spare and still refuses fan-out (lists inside lists inside lists).
 */
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureLog, startServer, type TestServer } from '../helpers/server.js';

const CYCLES = [
  `query { ...A } fragment A on Query { ...B } fragment B on Query { ...A }`,
  `query { ...A } fragment A on Query { ...A }`,
  `query { keys { edges { node { ...K } } } } fragment K on VirtualKey { team { keys { edges { node { ...K } } } } }`,
];

/** Every argument-free scalar field of a type, read from the server's own schema. */
async function scalarFields(s: TestServer, type: string): Promise<string> {
  const r = await s.gql(`{ __type(name: "${type}") { fields { name args { name } type { kind ofType { kind ofType { kind ofType { kind } } } } } } }`);
  const leaf = (t: any): boolean => (t.kind === 'NON_NULL' || t.kind === 'LIST' ? !!t.ofType && leaf(t.ofType) : t.kind === 'SCALAR' || t.kind === 'ENUM');
  return r.data.__type.fields.filter((f: any) => f.args.length === 0 && leaf(f.type)).map((f: any) => f.name).join(' ');
}

describe('GraphQL depth and cost limits', () => {
  let s: TestServer;
  let measuring: TestServer;
  const logged = captureLog();
  let keysPage: string;

  beforeAll(async () => {
    s = await startServer({}, { log: logged.log });
    // the same server with a limit of 1: its refusal tells the cost of any query
    measuring = await startServer({ general_settings: { graphql_max_cost: 1 } });
    await s.rest('POST', '/team/new', { team_id: 't1', team_alias: 'one' });
    await s.rest('POST', '/user/new', { user_id: 'alice', user_role: 'internal_user', teams: ['t1'], auto_create_key: false });
    for (let i = 0; i < 3; i++) await s.rest('POST', '/key/generate', { user_id: 'alice', team_id: 't1', key_alias: `k${i}` });
    const [key, user, team] = await Promise.all(['VirtualKey', 'User', 'Team'].map((t) => scalarFields(s, t)));
    keysPage = `query KeysPage { keys(first: 50) { totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ${key} user { ${user} } team { ${team} } } } } }`;
  });
  afterAll(async () => {
    await Promise.all([s?.close(), measuring?.close()]);
  });

  const costOf = async (query: string): Promise<number> => {
    const g = await measuring.gql(query);
    const m = /cost (\d+) exceeds/.exec(g.errors?.[0]?.message ?? '');
    if (!m) throw new Error(`no cost in ${JSON.stringify(g.errors)}`);
    return Number(m[1]);
  };

  it('cyclic fragments → 400 from NoFragmentCyclesRule, anonymous or signed in, nothing in the log', async () => {
    for (const q of CYCLES)
      for (const auth of [null, s.masterKey]) {
        const g = await s.gql(q, undefined, auth);
        expect(g.status, q).toBe(400);
        expect(g.code).toBe('GRAPHQL_VALIDATION_FAILED');
        expect(g.errors![0]!.message).toMatch(/^Cannot spread fragment "(A|B|K)" within itself/);
      }
  });

  it('runaway nesting and fragment chains → 400 with a clear message, not a stack overflow', async () => {
    const chainOf = (n: number) =>
      `query { ...G0 }\n${Array.from({ length: n }, (_, i) => `fragment G${i} on Query { ...G${i + 1} }`).join('\n')}\nfragment G${n} on Query { keys { totalCount } }`;
    const chained = await s.gql(chainOf(500), undefined, null);
    expect(chained.status).toBe(400);
    expect(chained.errors![0]!.message).toMatch(/^The operation nests selections .* more than 100 levels deep/);
    const longer = await s.gql(chainOf(3000), undefined, null);
    expect(longer.status).toBe(400);
    expect(longer.errors![0]!.message).toMatch(/more (than|that) 10000 tokens/);
    const inline = await s.gql(`{ ${'... on Query { '.repeat(500)} keys { totalCount } ${'} '.repeat(500)}}`, undefined, null);
    expect(inline.status).toBe(400);
    expect(inline.errors![0]!.message).toMatch(/more than 100 levels deep/);
    const wide = await s.gql(`{ ${'__typename '.repeat(10_001)}}`, undefined, null);
    expect(wide.status).toBe(400);
    expect(wide.errors![0]!.message).toMatch(/more (than|that) 10000 tokens/);
    // deeper than the parser's own stack: graphql-js refuses it while parsing, still a 400
    const huge = await s.gql(`{ ${'... on Query { '.repeat(5000)} keys { totalCount } ${'} '.repeat(5000)}}`, undefined, null);
    expect(huge.status).toBe(400);
    expect(huge.code).toBe('GRAPHQL_PARSE_FAILED');
    // a fragment spread twice at every level: each fragment is measured once, the cost is what it is
    const doubling = Array.from({ length: 40 }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join('\n');
    const bomb = await s.gql(`query { ...F0 }\n${doubling}\nfragment F40 on Query { keys { totalCount } }`);
    expect(bomb.status).toBe(400);
    expect(bomb.errors![0]!.message).toMatch(/Query is too expensive/);
  });

  it('the depth limit still counts fields, through fragments too', async () => {
    const deep = await s.gql(`{ ...A } fragment A on Query { keys { edges { node { team { keys { edges { node { team { keys { edges { node { id } } } } } } } } } } } }`);
    expect(deep.status).toBe(400);
    expect(deep.errors![0]!.message).toMatch(/^The operation exceeds maximum operation depth of 10/);
  });

  it('a dashboard page (50 keys, every scalar, their user and team) fits with room to spare', async () => {
    const page = await s.gql(keysPage);
    expect(page.status, JSON.stringify(page.errors)).toBe(200);
    expect(page.errors).toBeUndefined();
    expect(page.data.keys.edges).toHaveLength(3);
    expect(page.data.keys.edges[0].node.team.id).toBe('t1');
    expect(await costOf(keysPage)).toBe(151);
    // the largest keys page, a users page with their teams, a teams page with their members
    for (const q of [
      `{ keys(first: 100) { edges { node { id keyAlias spend user { id email } team { id teamAlias } } } } }`,
      `{ users(first: 25) { edges { node { id email spend teams { teamId role team { teamAlias } } } } } }`,
      `{ teams(first: 25) { edges { node { id teamAlias spend members { userId role spend user { email } } } } } }`,
    ]) {
      const g = await s.gql(q);
      expect(g.errors, q).toBeUndefined();
      expect(await costOf(q)).toBeLessThan(600);
    }
    // GraphQL clients and Apollo's landing page introspect: it stays allowed
    expect((await s.gql(getIntrospectionQuery(), undefined, null)).status).toBe(200);
  });

  it('fan-out is refused: lists inside lists inside lists', async () => {
    for (const q of [
      `{ users(first: 100) { edges { node { keys(first: 100) { edges { node { id } } } } } } }`,
      `{ teams(first: 20) { edges { node { members { user { keys(first: 20) { edges { node { id } } } } } } } } }`,
      `{ teams { edges { node { members { user { teams { user { teams { teamId } } } } } } } } }`,
      `{ keys(first: 100) { edges { node { team { members { user { keys { edges { node { id } } } } } } } } } }`,
    ]) {
      const g = await s.gql(q);
      expect(g.status, q).toBe(400);
      expect(g.code).toBe('QUERY_TOO_COMPLEX');
      expect(g.errors![0]!.message).toMatch(/^Query is too expensive: cost \d+ exceeds the limit of 1000/);
      expect(g.data).toBeUndefined();
    }
    // page sizes from variables count too
    const v = await s.gql(`query($n: Int) { users(first: $n) { edges { node { keys(first: $n) { edges { node { id } } } } } } }`, { n: 100 });
    expect(v.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('left no stack trace, RangeError or internal error in the log', () => {
    const text = logged.text();
    expect(text).not.toMatch(/RangeError|Maximum call stack|\n\s+at |Internal server error|graphql: /);
  });
});
