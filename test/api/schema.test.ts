/**
 * Contract: the GraphQL schema is the public API. The committed SDL (schema/schema.graphql)
 * is exactly what the code emits; every type, field, argument and input field is described;
 * introspection and Apollo's landing page are served; and every root field is guarded by an
 * operation of the permission map (deny-by-default must never hide a field by accident).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  getIntrospectionQuery,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLNamedType,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaseSchema, printSdl } from '../../api/src/graphql/schema.js';
import { rootFieldOperations } from '../../api/src/permissions/shield.js';
import { startServer, type TestServer } from '../helpers/server.js';

const SDL_FILE = resolve(import.meta.dirname, '../../schema/schema.graphql');

/** Built-in scalars come with graphql-js's own descriptions; everything else is ours. */
const BUILT_IN = new Set(['String', 'Int', 'Float', 'Boolean', 'ID']);

/** Every schema element without a description, as `Type`, `Type.field`, `Type.field(arg)`. */
function undescribed(): string[] {
  const missing: string[] = [];
  const described = (s: string | null | undefined) => typeof s === 'string' && s.trim() !== '';
  for (const type of Object.values(buildBaseSchema().getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith('__') || BUILT_IN.has(type.name)) continue;
    // root types are containers; their fields carry the descriptions
    const isRoot = ['Query', 'Mutation', 'Subscription'].includes(type.name);
    if (!isRoot && !described(type.description)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
        for (const arg of field.args) if (!described(arg.description)) missing.push(`${type.name}.${field.name}(${arg.name})`);
      }
    } else if (isInputObjectType(type)) {
      for (const field of Object.values(type.getFields()))
        if (!described(field.description)) missing.push(`${type.name}.${field.name}`);
    } else if (isEnumType(type)) {
      for (const value of type.getValues()) if (!described(value.description)) missing.push(`${type.name}.${value.name}`);
    }
  }
  return missing;
}

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
    expect(undescribed()).toEqual([]);
  });

  it('the walk above sees the public types (it is not vacuous)', () => {
    const names = Object.keys(buildBaseSchema().getTypeMap());
    for (const t of ['Query', 'Mutation', 'User', 'Team', 'VirtualKey', 'GenerateKeyInput']) expect(names).toContain(t);
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
    const res = await s.gql(getIntrospectionQuery({ descriptions: true }), {}, null);
    expect(res.status).toBe(200);
    expect(res.errors).toBeUndefined();
    const types = res.data.__schema.types.map((t: { name: string }) => t.name);
    const committed = readFileSync(SDL_FILE, 'utf8');
    // every named type in the committed SDL is visible through introspection
    const declared = [...committed.matchAll(/^(?:type|input|enum|scalar|interface|union) (\w+)/gm)].map((m) => m[1]);
    expect(declared.length).toBeGreaterThan(10);
    for (const name of declared) expect(types).toContain(name);
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
