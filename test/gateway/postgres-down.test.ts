/**
 * PostgreSQL away (issue 9 "Degraded modes"): the server reaches its database through a
 * loopback TCP proxy that the test cuts (the machine's PostgreSQL keeps running). While it is
 * cut, known keys keep calling from their cached snapshots, their spend rows go to the bounded
 * spill file and land in the database exactly once when it answers again; a full spill refuses
 * new calls with 503; sign-in, REST and GraphQL answer 503 with a clear message; readiness,
 * /metrics and the log show each state. A spill left by a stopped process is written at the
 * next start.
 */
import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPurser } from '../../api/src/app/bootstrap.js';
import { AppError } from '../../api/src/common/errors.js';
import { DB_UNREACHABLE } from '../../api/src/db/outage.js';
import { KeyCache } from '../../api/src/keys/key-cache.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CALL_NANOS, USAGE, chat, flush, mintKey, sha256, sql, until, upstreamModel } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { MASTER_KEY, captureLog, silentLog, startServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const SPILL_MAX = 5;
let db: Awaited<ReturnType<typeof freshPostgres>>;
let up: FakeUpstream;
let proxy: TcpProxy;
let A: TestServer;
const logA = captureLog();

/** the database URL with the proxy's port in place of PostgreSQL's */
const viaProxy = (url: string, p: TcpProxy) => url.replace('127.0.0.1:5432', p.address);

beforeAll(async () => {
  db = await freshPostgres();
  up = await startFakeUpstream({ usage: USAGE });
  proxy = await startTcpProxy('127.0.0.1', 5432);
  A = await startServer(
    { model_list: [upstreamModel('m', up)], general_settings: { spend_spill_max_rows: SPILL_MAX, proxy_batch_write_at: 0.05 } },
    { databaseUrl: viaProxy(db.url, proxy), log: logA.log },
  );
});
afterAll(async () => {
  proxy?.restore();
  await A?.close();
  await proxy?.close();
  await up?.close();
  await db?.drop();
});

const recorder = (s: TestServer) => s.running.app.gateway!.recorder;
const metric = async (s: TestServer, name: string) => {
  const text = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.masterKey}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.split(' ')[1]) : null;
};
const readiness = async (s: TestServer) => {
  const r = await fetch(`${s.url}/health/readiness`);
  return { status: r.status, body: (await r.json()) as Record<string, unknown> };
};

describe('PostgreSQL cut', () => {
  it('serves known keys from cache, spills their spend, answers 503 elsewhere, and writes the spill exactly once when the database returns', { timeout: 90_000 }, async () => {
    const k = await mintKey(A, { max_budget: 100 });
    // minted, never used: no snapshot cached
    const unseen = await mintKey(A);
    const first = await chat(A, k.key);
    expect(first.status).toBe(200);
    await flush(A);
    expect(await metric(A, 'purser_database_up')).toBe(1);
    expect(await metric(A, 'purser_spend_spill_rows')).toBe(0);

    proxy.cut();
    const ids = [first.headers.get('x-litellm-call-id')!];
    for (let i = 0; i < 3; i++) {
      const r = await chat(A, k.key);
      expect(r.status).toBe(200);
      expect(r.body.choices[0].message.content).toBeTruthy();
      ids.push(r.headers.get('x-litellm-call-id')!);
    }
    await until(() => recorder(A).spillRows() === 3, 'three rows in the spill');
    const spillPath = join(A.dataDir, 'spend-spill.jsonl');
    expect(readFileSync(spillPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).requestId)).toEqual(ids.slice(1));

    // a key never seen cannot be checked: 503, not 401
    const refused = await chat(A, unseen.key);
    expect(refused.status).toBe(503);
    expect(refused.body.error).toMatchObject({ message: DB_UNREACHABLE, type: 'service_unavailable', code: '503' });

    const anthropic = await fetch(`${A.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': unseen.key, 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'm', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(anthropic.status).toBe(503);
    expect(((await anthropic.json()) as any).error.message).toBe(DB_UNREACHABLE);

    // REST, GraphQL and sign-in: 503 with the message, no 500
    const rest = await A.rest('GET', '/key/list');
    expect(rest.status).toBe(503);
    expect(rest.body.error.message).toBe(DB_UNREACHABLE);
    const gql = await A.gql('{ keys(first: 5) { edges { node { id } } } }');
    expect(gql.status).toBe(503);
    expect(gql.code).toBe('SERVICE_UNAVAILABLE');
    expect(gql.errors![0]!.message).toBe(DB_UNREACHABLE);
    const login = await fetch(`${A.url}/v2/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: MASTER_KEY }) });
    expect(login.status).toBe(503);
    expect(((await login.json()) as any).error.message).toBe(DB_UNREACHABLE);

    const form = await fetch(`${A.url}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `username=admin&password=${MASTER_KEY}`, redirect: 'manual' });
    expect(form.status).toBe(503);
    expect(await form.text()).toContain(DB_UNREACHABLE);

    // readiness, /metrics and the log say so
    expect(await readiness(A)).toEqual({ status: 503, body: { status: 'unhealthy', db: 'disconnected', spend_spill_rows: 3 } });
    expect(await metric(A, 'purser_database_up')).toBe(0);
    expect(await metric(A, 'purser_spend_spill_rows')).toBe(3);

    // fill the spill: then new calls are refused rather than served unrecorded
    for (let i = 0; i < SPILL_MAX - 3; i++) {
      const r = await chat(A, k.key);
      expect(r.status).toBe(200);
      ids.push(r.headers.get('x-litellm-call-id')!);
    }
    await until(() => recorder(A).spillRows() === SPILL_MAX, 'the spill is full');
    expect(recorder(A).spillFull()).toBe(true);
    const full = await chat(A, k.key);
    expect(full.status).toBe(503);
    expect(full.body.error.type).toBe('service_unavailable');
    expect(full.body.error.message).toMatch(/spend spill is full \(general_settings\.spend_spill_max_rows\)/);
    expect(logA.lines.filter((l) => l.startsWith('database: unreachable'))).toHaveLength(1);
    expect(logA.lines.filter((l) => l.includes('spend spill: full'))).toHaveLength(1);

    proxy.restore();
    await until(() => recorder(A).spillRows() === 0, 'the spill written', 30_000);
    expect(existsSync(spillPath)).toBe(false);
    await until(async () => (await readiness(A)).status === 200, 'readiness healthy again');
    expect((await readiness(A)).body).toMatchObject({ status: 'healthy', db: 'connected', spend_spill_rows: 0 });
    expect(await metric(A, 'purser_database_up')).toBe(1);
    expect(logA.lines.filter((l) => l.startsWith('database: reachable again'))).toHaveLength(1);

    // every call that got a 200 is in the database exactly once; nothing else is
    const rows = await sql<{ request_id: string; n: string }>(A, 'select request_id, count(*) as n from spend_logs group by request_id');
    expect(rows.map((r) => r.request_id).sort()).toEqual([...ids].sort());
    expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
    const [key] = await sql<{ budget_spend: string }>(A, 'select budget_spend from virtual_keys where id = ?', [k.id]);
    expect(Number(key!.budget_spend)).toBe(ids.length * CALL_NANOS);
    const [rollup] = await sql<{ requests: string; spend_nanos: string }>(A, 'select sum(requests) as requests, sum(spend_nanos) as spend_nanos from daily_key_spend where key_id = ?', [k.id]);
    expect(Number(rollup!.requests)).toBe(ids.length);
    expect(Number(rollup!.spend_nanos)).toBe(ids.length * CALL_NANOS);
    // the ledger admission reads agrees with the database (no spend counted twice or lost)
    expect(A.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })).toMatchObject({ spend: ids.length * CALL_NANOS, reserved: 0 });

    // and calls flow again
    expect((await chat(A, k.key)).status).toBe(200);
    expect((await chat(A, unseen.key)).status).toBe(200);
  });

  it('serves an expired snapshot of a known key while the database is away; an unknown key is a 503', { timeout: 30_000 }, async () => {
    const k = await mintKey(A);
    // a cache with a 1 ms TTL on the server's own database connection
    const cache = new KeyCache(A.running.app.orm, sha256(MASTER_KEY), 1);
    cache.health = A.running.app.db;
    await flush(A);
    const snap = await cache.get(k.token);
    expect(snap?.keyId).toBe(k.id);
    proxy.cut();
    try {
      const loadedAt = Date.now();
      await until(() => Date.now() > loadedAt + 5, 'the snapshot expired');
      expect((await cache.get(k.token))?.keyId).toBe(k.id);
      const err = await cache.get(sha256('sk-never-seen')).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(503);
      expect((err as AppError).message).toBe(DB_UNREACHABLE);
      // the cache's failed load is what told the server: /metrics says so
      expect(A.running.app.db.up).toBe(false);
    } finally {
      proxy.restore();
    }
    // nothing calls, nothing is spilled: the recorder's tick asks the database and sees it back
    await until(() => A.running.app.db.up, 'the database seen back without traffic');
    expect(await metric(A, 'purser_database_up')).toBe(1);
  });
});

describe('spill left by a previous run', () => {
  it('is written at the next start, exactly once, with the budget right', { timeout: 90_000 }, async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'purser-spill-'));
    const p2 = await startTcpProxy('127.0.0.1', 5432);
    const config = { model_list: [upstreamModel('m', up)], general_settings: { master_key: MASTER_KEY, proxy_batch_write_at: 0.05, database_url: viaProxy(db.url, p2) } };
    const start = () => startPurser({ configObject: config, port: 0, host: '127.0.0.1', dataDir, env: { PATH: process.env.PATH }, log: silentLog, uiDir: null });
    try {
      let running = await start();
      const s = { url: running.url, masterKey: MASTER_KEY } as TestServer;
      const r = await fetch(`${running.url}/key/generate`, { method: 'POST', headers: { authorization: `Bearer ${MASTER_KEY}`, 'content-type': 'application/json' }, body: '{}' });
      const k = (await r.json()) as { key: string; key_id: string };
      const warm = await chat(s, k.key);
      expect(warm.status).toBe(200);
      const ids: string[] = [warm.headers.get('x-litellm-call-id')!];
      await running.app.gateway!.recorder.flush();
      p2.cut();
      for (let i = 0; i < 2; i++) {
        const c = await chat(s, k.key);
        expect(c.status).toBe(200);
        ids.push(c.headers.get('x-litellm-call-id')!);
      }
      const rec = running.app.gateway!.recorder;
      await until(() => rec.spillRows() === 2, 'two rows spilled');
      await running.close();
      const spillPath = join(dataDir, 'spend-spill.jsonl');
      // a row written twice (say the first replay's removal of the file never happened) counts once
      const lines = readFileSync(spillPath, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(2);
      appendFileSync(spillPath, `${lines[0]}\n`);
      // ...and so does a row already in the database
      const written = JSON.stringify({ ...JSON.parse(lines[0]!), requestId: ids[0] });
      appendFileSync(spillPath, `${written}\n`);

      p2.restore();
      running = await start();
      try {
        expect(existsSync(spillPath)).toBe(false);
        const q = (text: string, params: unknown[] = []) => running.app.orm.em.fork().getConnection().execute(text, params);
        const rows = (await q('select request_id from spend_logs where key_id = ?', [k.key_id])) as Array<{ request_id: string }>;
        expect(rows.map((x) => x.request_id).sort()).toEqual([...ids].sort());
        expect(ids).toHaveLength(3);
        const [key] = (await q('select budget_spend from virtual_keys where id = ?', [k.key_id])) as Array<{ budget_spend: string }>;
        expect(Number(key!.budget_spend)).toBe(3 * CALL_NANOS);
      } finally {
        await running.close();
      }
    } finally {
      await p2.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
