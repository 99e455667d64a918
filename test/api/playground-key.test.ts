/**
 * playgroundKey (the dashboard's Try it): a personal key of the caller's, valid 15 minutes,
 * left out of key lists, counted against the personal budget, and refused exactly where
 * generateKey refuses a personal key (key_generation_settings.personal_key_generation).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { USAGE, admin, chat, flush, mintKey, sql, sqlTime, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
/** personal keys only for internal_user (so not for the master key's proxy_admin) */
let restricted: TestServer;
let up: FakeUpstream;

const PLAYGROUND = `mutation { playgroundKey(input: {}) { secret key { id expires userId teamId playground } } }`;
const PERSONAL = `mutation { generateKey(input: {}) { secret } }`;

beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE, text: 'hello from upstream' });
  s = await startServer({ model_list: [upstreamModel('m', up)] });
  restricted = await startServer({
    model_list: [upstreamModel('m', up)],
    litellm_settings: { key_generation_settings: { personal_key_generation: { allowed_user_roles: ['internal_user'] } } },
  });
  await admin(s, '/user/new', { user_id: 'pg-u', user_role: 'internal_user', max_budget: 1, auto_create_key: false });
  await admin(s, '/user/new', { user_id: 'pg-v', user_role: 'internal_user_viewer', auto_create_key: false });
});
afterAll(async () => {
  await s?.close();
  await restricted?.close();
  await up?.close();
});

describe('playgroundKey', () => {
  it('mints a 15-minute personal key of the caller that calls the gateway, counts as personal spend and is not listed', async () => {
    const own = await mintKey(s, { user_id: 'pg-u' });
    const t0 = Date.now();
    const r = await s.gql(PLAYGROUND, {}, own.key);
    expect(r.errors).toBeUndefined();
    const { secret, key } = r.data.playgroundKey;
    expect(secret).toMatch(/^sk-/);
    expect(key).toMatchObject({ userId: 'pg-u', teamId: null, playground: true });
    const ttl = new Date(key.expires).getTime() - t0;
    expect(ttl).toBeGreaterThan(14 * 60_000);
    expect(ttl).toBeLessThanOrEqual(15 * 60_000 + 5_000);

    const call = await chat(s, secret);
    expect(call.status).toBe(200);
    expect(call.body.choices[0].message.content).toBe('hello from upstream');
    await flush(s);
    const [u] = await sql(s, 'select personal_spend_nanos as p from users where id = ?', ['pg-u']);
    expect(Number(u.p)).toBe(50_000_000);

    // hidden from every key list (GraphQL as owner and admin, REST), readable by id
    const mine = await s.gql(`{ keys { edges { node { id } } } }`, {}, own.key);
    expect(mine.data.keys.edges.map((e: any) => e.node.id)).toEqual([own.id]);
    const all = await s.gql(`query($u: ID) { keys(filter: { userId: $u }) { totalCount } }`, { u: 'pg-u' });
    expect(all.data.keys.totalCount).toBe(1);
    const rest = await s.rest('GET', '/key/list?user_id=pg-u');
    expect(JSON.stringify(rest.body)).not.toContain(key.id);
    expect((await s.gql(`query($id: ID!) { key(id: $id) { id } }`, { id: key.id }, own.key)).data.key.id).toBe(key.id);
  });

  it('is refused where a personal key is, with the same message', async () => {
    // personal_key_generation.allowed_user_roles excludes proxy_admin there (it applies to admins too)
    const personal = await restricted.gql(PERSONAL, {});
    const playground = await restricted.gql(PLAYGROUND, {});
    expect(personal.code).toBe('FORBIDDEN');
    expect(playground.code).toBe('FORBIDDEN');
    expect(playground.errors![0]!.message).toBe(personal.errors![0]!.message);
    expect(playground.errors![0]!.message).toContain('Personal key creation has been restricted');

    // viewers may mint no key, so no playground key either
    const viewerKey = await mintKey(s, { user_id: 'pg-v' });
    const viewer = await s.gql(PLAYGROUND, {}, viewerKey.key);
    expect(viewer.code).toBe('FORBIDDEN');
    expect(viewer.errors![0]!.message).toContain('internal_user_viewer');
    const [n] = await sql(restricted, 'select count(*) as n from virtual_keys', []);
    expect(Number(n.n)).toBe(0);
  });

  it('keeps one Try it key per person: a later call gives it a new secret and 15 minutes, the old secret stops, older ones are deleted', async () => {
    await admin(s, '/user/new', { user_id: 'pg-w', user_role: 'internal_user', auto_create_key: false });
    const own = await mintKey(s, { user_id: 'pg-w' });
    const first = (await s.gql(PLAYGROUND, {}, own.key)).data.playgroundKey;
    expect((await chat(s, first.secret)).status).toBe(200);
    await flush(s);
    // an expired playground key left over next to it (as minted before one-per-person): a copy
    // of the row with its own id and hash, expired a minute ago
    // the column names from the row itself: the same on both dialects (no pragma, no information_schema)
    const cols = Object.keys((await sql(s, 'select * from virtual_keys where id = ?', [first.key.id]))[0]!);
    const leftover = { id: '00000000-0000-4000-8000-00000000aaaa', token: 'f'.repeat(64) };
    const params = cols.filter((c) => c === 'id' || c === 'token').map((c) => leftover[c as 'id' | 'token']);
    await sql(s, `insert into virtual_keys (${cols.map((c) => `"${c}"`).join(', ')}) select ${cols.map((c) => (c === 'id' || c === 'token' ? '?' : `"${c}"`)).join(', ')} from virtual_keys where id = ?`, [...params, first.key.id]);
    await sql(s, 'update virtual_keys set expires_at = ?, created_at = ? where id = ?', [sqlTime(s, Date.now() - 60_000), sqlTime(s, Date.now() - 3_600_000), leftover.id]);

    const second = (await s.gql(PLAYGROUND, {}, own.key)).data.playgroundKey;
    expect(second.key.id).toBe(first.key.id);
    expect(second.secret).not.toBe(first.secret);
    expect(new Date(second.key.expires).getTime()).toBeGreaterThan(Date.now() + 14 * 60_000);
    expect((await chat(s, second.secret)).status).toBe(200);
    expect((await chat(s, first.secret)).status).toBe(401);
    await flush(s);
    const rows = await sql(s, 'select id from virtual_keys where user_id = ? and playground = ?', ['pg-w', 1]);
    expect(rows.map((r: any) => r.id)).toEqual([first.key.id]);
    const audit = await s.gql(`query($t: String) { auditLog(filter: { targetId: $t }) { edges { node { action } } } }`, { t: leftover.id });
    expect(audit.data.auditLog.edges.map((e: any) => e.node.action)).toEqual(['key.delete']);

    // usage and cache by key name it as a Try it key: one row with both sessions' calls
    const today = new Date().toISOString().slice(0, 10);
    const f = { from: today, to: today, userId: 'pg-w' };
    const usage = await s.gql(`query($f: UsageFilter!) { usage(filter: $f, groupBy: [KEY]) { rows { keyId keyPlayground requests } } cacheAnalytics(filter: $f) { byKey { keyId keyPlayground } } }`, { f }, own.key);
    expect(usage.errors).toBeUndefined();
    expect(usage.data.usage.rows).toEqual([{ keyId: first.key.id, keyPlayground: true, requests: 2 }]);
    expect(usage.data.cacheAnalytics.byKey).toEqual([{ keyId: first.key.id, keyPlayground: true }]);
  });
});
