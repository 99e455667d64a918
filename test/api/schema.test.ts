/**
 * Contract: the GraphQL schema is the public API. The committed SDL (schema/schema.graphql)
 * is exactly what the code emits; every type (Query and Mutation too), field, argument, input
 * field and enum value is described, each description a sentence (capital letter, full stop);
 * every mutation takes one `input: <MutationName>Input!` of its own; enum values are UPPER_CASE
 * names for the lower-case strings used inside; introspection and Apollo's landing page are
 * served; and every root field is guarded by an operation of the permission map
 * (deny-by-default must never hide a field by accident).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  buildClientSchema,
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isNonNullType,
  isObjectType,
  lexicographicSortSchema,
  printSchema,
  type GraphQLEnumType,
  type IntrospectionQuery,
  type GraphQLNamedType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseSchema, printSdl } from '../../api/src/graphql/schema.js';
import { rootFieldOperations } from '../../api/src/permissions/shield.js';
import { ROLES, TEAM_ROLES } from '../../api/src/permissions/roles.js';
import { MEMBERSHIP_SOURCES } from '../../api/src/teams/membership-source.js';
import { startServer, type TestServer } from '../helpers/server.js';

const SDL_FILE = resolve(import.meta.dirname, '../../schema/schema.graphql');

/** Built-in scalars come with graphql-js's own descriptions; everything else is ours. */
const BUILT_IN = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

/** Every schema element with its description, as `Type`, `Type.field`, `Type.field(arg)`, `Enum.VALUE`. */
function descriptions(): Array<[string, string | null | undefined]> {
  const out: Array<[string, string | null | undefined]> = [];
  for (const type of Object.values(buildBaseSchema().getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith('__') || BUILT_IN.has(type.name)) continue;
    out.push([type.name, type.description]);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        out.push([`${type.name}.${field.name}`, field.description]);
        for (const arg of field.args) out.push([`${type.name}.${field.name}(${arg.name})`, arg.description]);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) out.push([`${type.name}.${field.name}`, field.description]);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) out.push([`${type.name}.${value.name}`, value.description]);
    }
  }
  return out;
}

const described = (s: string | null | undefined) => typeof s === 'string' && s.trim() !== '';
/** A sentence: starts with a capital letter, ends with a full stop (what readers of an API reference expect). */
const sentence = (s: string) => /^[A-Z]/.test(s) && s.trimEnd().endsWith('.');

describe('schema: the committed SDL is what the code emits', () => {
  it('schema/schema.graphql equals printSdl() byte for byte', () => {
    const committed = readFileSync(SDL_FILE, 'utf8');
    const emitted = printSdl();
    if (committed !== emitted) {
      // a readable diff position instead of two multi-kilobyte strings
      let i = 0;
      while (i < committed.length && committed[i] === emitted[i]) i++;
      const line = committed.slice(0, i).split('\n').length;
      expect.fail(`schema/schema.graphql is out of date (first difference at line ${line}): run \`npm run schema\` and commit the result`);
    }
    expect(committed).toBe(emitted);
  });

  it('every type, field, argument, input field and enum value has a description', () => {
    expect(descriptions().filter(([, d]) => !described(d)).map(([name]) => name)).toEqual([]);
  });

  it('every description starts with a capital letter and ends with a full stop', () => {
    expect(descriptions().filter(([, d]) => described(d) && !sentence(d!))).toEqual([]);
  });

  it('the walk above sees the public types (it is not vacuous)', () => {
    const names = Object.keys(buildBaseSchema().getTypeMap());
    for (const t of ['Query', 'Mutation', 'User', 'Team', 'VirtualKey', 'GenerateKeyInput']) expect(names).toContain(t);
  });
});

describe('schema: conventions', () => {
  it('Query and Mutation are described', () => {
    const schema = buildBaseSchema();
    expect(schema.getQueryType()!.description).toMatch(/^Reads\./);
    expect(schema.getMutationType()!.description).toMatch(/^Writes\./);
  });

  it('every mutation takes exactly one argument, input: <MutationName>Input!, of its own (logout takes none)', () => {
    const fields = Object.values(buildBaseSchema().getMutationType()!.getFields());
    expect(fields.length).toBeGreaterThan(20);
    const wrong = fields
      .filter((f) => f.name !== 'logout')
      .filter((f) => {
        const [arg, ...more] = f.args;
        const expected = `${f.name[0].toUpperCase()}${f.name.slice(1)}Input`;
        return !arg || more.length > 0 || arg.name !== 'input' || !isNonNullType(arg.type) || String(arg.type.ofType) !== expected;
      })
      .map((f) => `${f.name}(${f.args.map((a) => `${a.name}: ${String(a.type)}`).join(', ')})`);
    expect(wrong).toEqual([]);
    expect(fields.find((f) => f.name === 'logout')!.args).toEqual([]);
  });

  it('enum values are UPPER_CASE names for the lower-case strings used inside (derived from the internal lists)', () => {
    const schema = buildBaseSchema();
    const internal = (name: string) => (schema.getType(name) as GraphQLEnumType).getValues().map((v) => [v.name, v.value]);
    const expected = (list: readonly string[]) => list.map((v) => [v.toUpperCase(), v]);
    expect(internal('UserRole')).toEqual(expected(ROLES));
    expect(internal('TeamRole')).toEqual(expected(TEAM_ROLES));
    expect(internal('MembershipSource')).toEqual(expected(MEMBERSHIP_SOURCES));
    expect(internal('AuthMethod')).toEqual(expected(['master_key', 'session', 'virtual_key']));
    // every enum of the schema, including ones added later
    const enums = Object.values(schema.getTypeMap()).filter((t) => isEnumType(t) && !t.name.startsWith('__')) as GraphQLEnumType[];
    expect(enums.flatMap((e) => e.getValues().filter((v) => !/^[A-Z][A-Z0-9_]*$/.test(v.name)).map((v) => `${e.name}.${v.name}`))).toEqual([]);
  });
});

describe('schema: every root field is mapped in the permission map', () => {
  it('each Query and Mutation field has at least one operation, and the map names no missing field', () => {
    const schema = buildBaseSchema();
    const mapped = rootFieldOperations();
    const rootFields = [
      ...Object.keys(schema.getQueryType()!.getFields()).map((f) => `Query.${f}`),
      ...Object.keys(schema.getMutationType()?.getFields() ?? {}).map((f) => `Mutation.${f}`),
    ];
    expect(rootFields.length).toBeGreaterThan(20);
    expect(rootFields.filter((f) => !(mapped.get(f)?.length ?? 0))).toEqual([]);
    // a stale entry in the map guards nothing (a renamed field would silently be denied)
    expect([...mapped.keys()].filter((f) => !rootFields.includes(f))).toEqual([]);
  });
});

describe('schema: served over HTTP', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer();
  });
  afterAll(() => s.close());

  it('introspection works, anonymously, and matches the committed SDL', async () => {
    const res = await s.gql(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, inputValueDeprecation: true }), {}, null);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    const types = res.data.__schema.types.map((t: { name: string }) => t.name);
    const committed = readFileSync(SDL_FILE, 'utf8');
    // every named type in the committed SDL is visible through introspection
    const declared = [...committed.matchAll(/^(?:type|input|enum|scalar|interface|union) (\w+)/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(10);
    for (const name of declared) expect(types).toContain(name);
    // the whole served schema, printed the way the committed SDL is, is that SDL
    const served = buildClientSchema(res.data as IntrospectionQuery);
    expect(printSchema(lexicographicSortSchema(served)) + '\n').toBe(committed);
    const mutation = res.data.__schema.types.find((t: { name: string }) => t.name === 'Mutation');
    expect(mutation.fields.map((f: { name: string }) => f.name)).toContain('generateKey');
    expect(mutation.fields.find((f: { name: string }) => f.name === 'generateKey').description).toBeTruthy();
  });

  it('a browser opening /graphql gets Apollo landing page', async () => {
    const res = await fetch(`${s.url}/graphql`, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toMatch(/apollo/i);
    expect(html).toMatch(/<html/i);
  });
});
