/**
 * Issue 9, "targeted invalidation": committed writes become change events (key, user, team,
 * membership) that purge exactly the cached key snapshots they affect, in this process at
 * once and, over Redis pub/sub, in every other process on the same database. Whether a key's
 * snapshot is still cached is read from the SQL the server runs to authenticate it (none on
 * a hit), through running servers.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, chat, until } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { dropPrefix, REDIS_HOST, REDIS_PORT, redisEnv, redisPrefix } from '../helpers/redis.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { authProbe } from '../helpers/sql-count.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';

const PW = 'copper-meadow-falcon-27';
/** Accepted from the cache: no SQL at all. */
const cachedHit = async (s: TestServer, key: string) => {
  const p = await authProbe(s, key);
  return p.accepted && p.statements.length === 0;
};
/** purser_key_cache_entries from /metrics */
const cachedEntries = async (s: TestServer) => {
  const text = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.masterKey}` } })).text();
  return Number(/^purser_key_cache_entries (\d+)$/m.exec(text)?.[1]);
};
const callModel = (s: TestServer, key: string, model: string) => chat(s, key, { model }).then((r) => r.status);

describe('one process: purges are targeted', () => {
  let s: TestServer;
  const keys: Record<string, string> = {};
  beforeAll(async () => {
    s = await startServer();
    await admin(s, '/team/new', { team_id: 'inv-team' });
    const r = await s.gql(`mutation($i: CreateUserInput!) { createUser(input: $i) { id } }`, { i: { userId: 'signer', email: 'signer@example.com', userRole: 'INTERNAL_USER', password: PW } });
    expect(r.errors).toBeUndefined();
    keys.a = (await admin(s, '/key/generate', { user_id: 'signer' })).key;
    keys.b = (await admin(s, '/key/generate', { user_id: 'signer' })).key;
    keys.team = (await admin(s, '/key/generate', { team_id: 'inv-team' })).key;
  });
  afterAll(() => s?.close());

  it('a sign-in purges no cached snapshot', async () => {
    for (const k of [keys.a!, keys.b!, keys.team!]) await authProbe(s, k);
    for (const k of [keys.a!, keys.b!, keys.team!]) expect(await cachedHit(s, k)).toBe(true);
    const before = await cachedEntries(s);
    expect(before).toBeGreaterThanOrEqual(3);
    const login = await fetch(`${s.url}/v2/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'signer@example.com', password: PW }) });
    expect(login.status).toBe(200);
    // the sign-in wrote the user's lastSignInAt and a session: no key of theirs was dropped
    expect(await cachedEntries(s)).toBe(before);
    for (const k of [keys.a!, keys.b!, keys.team!]) expect(await cachedHit(s, k)).toBe(true);
  });

  it('blocking key A purges A but not B, and not the team key', async () => {
    for (const k of [keys.a!, keys.b!, keys.team!]) await authProbe(s, k);
    const before = await cachedEntries(s);
    await admin(s, '/key/block', { key: keys.a });
    expect(await cachedEntries(s)).toBe(before - 1);
    expect((await authProbe(s, keys.a!)).accepted).toBe(false);
    expect(await cachedHit(s, keys.b!)).toBe(true);
    expect(await cachedHit(s, keys.team!)).toBe(true);
    await admin(s, '/key/unblock', { key: keys.a });
    expect((await authProbe(s, keys.a!)).accepted).toBe(true);
  });

  it("a team change purges the team's keys only; a user change the user's keys only", async () => {
    for (const k of [keys.a!, keys.b!, keys.team!]) await authProbe(s, k);
    await admin(s, '/team/update', { team_id: 'inv-team', models: ['gpt-4o'] });
    expect(await cachedHit(s, keys.team!)).toBe(false);
    expect(await cachedHit(s, keys.a!)).toBe(true);
    await admin(s, '/user/update', { user_id: 'signer', models: ['gpt-4o'] });
    expect(await cachedHit(s, keys.a!)).toBe(false);
    expect(await cachedHit(s, keys.b!)).toBe(false);
    expect(await cachedHit(s, keys.team!)).toBe(true);
  });

  it("changing a user's models takes effect on their keys at once", async () => {
    const key = await userWithKey(s, { user_id: 'modeler', user_role: 'internal_user' });
    await admin(s, '/user/update', { user_id: 'modeler', models: ['gpt-4o-mini'] });
    expect(await callModel(s, key, 'gpt-4o-mini')).toBe(200);
    expect(await callModel(s, key, 'gpt-4o')).not.toBe(200);
    await admin(s, '/user/update', { user_id: 'modeler', models: ['gpt-4o'] });
    expect(await callModel(s, key, 'gpt-4o')).toBe(200);
    expect(await callModel(s, key, 'gpt-4o-mini')).not.toBe(200);
  });

  it("removing a member purges that member's keys in the team, not their personal keys", async () => {
    await admin(s, '/team/new', { team_id: 'inv-team-2' });
    const personal = await userWithKey(s, { user_id: 'member', user_role: 'internal_user', teams: [{ team_id: 'inv-team-2', role: 'user' }] });
    const inTeam = (await admin(s, '/key/generate', { user_id: 'member', team_id: 'inv-team-2' })).key as string;
    for (const k of [personal, inTeam]) expect((await authProbe(s, k)).accepted).toBe(true);
    await admin(s, '/team/member_delete', { team_id: 'inv-team-2', user_id: 'member' });
    expect((await authProbe(s, inTeam)).accepted).toBe(false);
    // the personal key's snapshot stays; only the member's team roles are read again
    const p = await authProbe(s, personal);
    expect(p.accepted).toBe(true);
    expect(p.statements.filter((q) => /virtual_keys/.test(q))).toEqual([]);
    expect(p.statements.filter((q) => /team_memberships/.test(q))).toHaveLength(1);
  });
});

describe('two processes on one PostgreSQL and one Redis', () => {
  const cleanup: Array<() => Promise<unknown>> = [];
  let a: TestServer;
  let b: TestServer;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  const prefix = redisPrefix();
  beforeAll(async () => {
    const pg = await freshPostgres();
    cleanup.push(() => pg.drop());
    cleanup.push(() => dropPrefix(prefix));
    // B reaches Redis through a proxy the test can cut: a Redis restart as B sees it
    proxy = await startTcpProxy(REDIS_HOST, REDIS_PORT);
    cleanup.push(() => proxy.close());
    a = await startServer({}, { databaseUrl: pg.url, env: redisEnv(prefix) });
    cleanup.push(() => a.close());
    b = await startServer({}, { databaseUrl: pg.url, env: redisEnv(prefix, proxy.address) });
    cleanup.push(() => b.close());
  });
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('a key made on A works on B; blocked through A, B refuses it within 2 s', async () => {
    const key = (await admin(a, '/key/generate', {})).key as string;
    const other = (await admin(a, '/key/generate', {})).key as string;
    expect(await callModel(b, key, 'gpt-4o-mini')).toBe(200);
    expect(await callModel(b, other, 'gpt-4o-mini')).toBe(200);
    expect((await authProbe(b, other)).accepted).toBe(true);
    await admin(a, '/key/block', { key });
    await until(async () => (await callModel(b, key, 'gpt-4o-mini')) === 401, 'B refusing the key blocked on A', 2_000);
    // only the blocked key's snapshot went on B
    expect(await cachedHit(b, other)).toBe(true);
  });

  it('the bus survives a Redis outage: B publishes without failing, purges on its return and hears A again', async () => {
    const k1 = (await admin(a, '/key/generate', {})).key as string;
    const k2 = (await admin(a, '/key/generate', {})).key as string;
    const k3 = (await admin(a, '/key/generate', {})).key as string;
    for (const k of [k1, k2, k3]) expect(await callModel(b, k, 'gpt-4o-mini')).toBe(200);

    proxy.cut();
    await until(async () => !b.running.app.redis!.up, 'B losing Redis');
    // publishing while Redis is away does not fail the write, and B applies its own event at once
    await admin(b, '/key/block', { key: k3 });
    expect(await callModel(b, k3, 'gpt-4o-mini')).toBe(401);
    // an event B cannot hear now
    await admin(a, '/key/block', { key: k1 });

    proxy.restore();
    // back on Redis, B drops what it may have missed
    await until(async () => (await callModel(b, k1, 'gpt-4o-mini')) === 401, 'B refusing the key blocked during the outage');
    // and hears A's events again (ioredis subscribed anew)
    await until(async () => b.running.app.redis!.up, 'B back on Redis');
    expect(await callModel(b, k2, 'gpt-4o-mini')).toBe(200);
    await admin(a, '/key/block', { key: k2 });
    await until(async () => (await callModel(b, k2, 'gpt-4o-mini')) === 401, 'B refusing the key blocked on A after the outage', 2_000);
  });

  it('a malformed message on the channel is dropped; the next real event still applies', async () => {
    const key = (await admin(a, '/key/generate', {})).key as string;
    expect(await callModel(b, key, 'gpt-4o-mini')).toBe(200);
    const r = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
    try {
      for (const m of ['not json', '{"e":{"kind":"key"}}', JSON.stringify({ o: 'x', e: { kind: 'user', userId: 'a'.repeat(5000) } }), 'null'])
        await r.publish(`${prefix}events`, m);
    } finally {
      r.disconnect();
    }
    expect(await callModel(b, key, 'gpt-4o-mini')).toBe(200);
    await admin(a, '/key/block', { key });
    await until(async () => (await callModel(b, key, 'gpt-4o-mini')) === 401, 'B refusing the key blocked on A', 2_000);
  });
});
