/**
 * Contract: `--num_workers N` (api/src/main.ts, api/src/app/cluster.ts) as an operator meets it,
 * the real CLI in a child process. N must be a positive integer; N > 1 needs PostgreSQL and
 * Redis and is refused otherwise with exit code 1 and one line naming what is missing. With
 * both, N workers share the port, the banner (and a generated master key) is printed once,
 * exactly one worker holds the reset job's leader lock, a worker killed with SIGKILL under
 * load is replaced while the others keep serving, its leadership passes on, spend lands once
 * per request id and loses at most the killed worker's unflushed batch; SIGTERM stops every
 * worker (each flushing its batch) and exits 0.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CALL_NANOS, upstreamModel, until, USAGE } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { dropPrefix, redisEnv, redisPrefix } from '../helpers/redis.js';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'api/src/main.ts');
// the swc hooks by absolute URL (the child's cwd is a temp dir); cluster workers inherit execArgv
const SWC_ESM = import.meta.resolve('@swc-node/register/esm');
const REGISTER = `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(SWC_ESM)})`;
const STACK_FRAME = /^\s+at .+[(:]/m;
// three processes compile the sources with swc on a shared machine
const START_TIMEOUT = 240_000;

const dirs: string[] = [];
const children: ChildProcess[] = [];
const cleanups: Array<() => Promise<unknown>> = [];

interface Cli {
  cwd: string;
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<number | null>;
  /** resolves once stdout (or stderr) holds a match of `re` (a pipe delivers lines in chunks) */
  printed: (re: RegExp, stream?: 'stdout' | 'stderr') => Promise<RegExpExecArray>;
}

function cli(env: Record<string, string>, extra: string[], yaml?: string): Cli {
  const cwd = mkdtempSync(join(tmpdir(), 'purser-workers-'));
  dirs.push(cwd);
  const args = ['--import', REGISTER, MAIN, '--host', '127.0.0.1', '--port', '0', ...extra];
  if (yaml !== undefined) {
    writeFileSync(join(cwd, 'config.yaml'), yaml);
    args.push('--config', 'config.yaml');
  }
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH!, HOME: cwd, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (err += b));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const printed = (re: RegExp, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<RegExpExecArray>((res, rej) => {
      const pipe = child[stream]!;
      const check = () => {
        const m = re.exec(stream === 'stdout' ? out : err);
        if (!m) return;
        pipe.off('data', check);
        res(m);
      };
      pipe.on('data', check);
      check();
      void exited.then((code) => rej(new Error(`exited with ${code} before printing ${re}\nstdout: ${out}\nstderr: ${err}`)));
    });
  return { cwd, child, stdout: () => out, stderr: () => err, exited, printed };
}

/** GET on a connection of its own: the cluster hands each new connection to the next worker. */
function getFresh(url: string): Promise<{ status: number; body: any }> {
  return new Promise((res, rej) => {
    const req = request(url, { agent: false }, (r) => {
      let text = '';
      r.on('data', (b) => (text += b));
      r.on('end', () => res({ status: r.statusCode!, body: JSON.parse(text) }));
    });
    req.on('error', rej);
    req.end();
  });
}

/** POST with a bearer key on a connection of its own. */
function postFresh(url: string, key: string, body: unknown): Promise<{ status: number }> {
  return new Promise((res, rej) => {
    const data = JSON.stringify(body);
    const req = request(url, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'content-length': Buffer.byteLength(data) } }, (r) => {
      r.resume();
      r.on('end', () => res({ status: r.statusCode! }));
    });
    req.on('error', rej);
    req.end(data);
  });
}

async function pgQuery<T = any>(url: string, text: string, params: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, params)).rows as T[];
  } finally {
    await c.end();
  }
}

/** The pid of the Purser process holding the reset job's leader lock (named in pg_stat_activity). */
async function leaderPid(url: string): Promise<number | null> {
  const rows = await pgQuery<{ name: string }>(
    url,
    `select a.application_name as name from pg_locks l join pg_stat_activity a on a.pid = l.pid
      where l.locktype = 'advisory' and l.objid = 7375902 and l.granted
        -- advisory locks are per database: other suites on the same server have leaders of their own
        and l.database = (select oid from pg_database where datname = current_database())`,
  );
  if (rows.length > 1) throw new Error(`more than one leader: ${rows.map((r) => r.name).join(', ')}`);
  const m = rows[0] ? / pid (\d+)$/.exec(rows[0].name) : null;
  return m ? Number(m[1]) : null;
}

const serving = (out: string) => [...out.matchAll(/worker (\d+) \(pid (\d+)\) is serving/g)].map((m) => ({ id: Number(m[1]), pid: Number(m[2]) }));

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.on('exit', r));
      c.kill('SIGKILL');
      await gone;
    }
  }
  for (const f of cleanups.splice(0)) await f().catch(() => {});
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('--num_workers refusals', () => {
  it('refuses N > 1 without PostgreSQL and Redis, naming exactly what is missing, and a worker count that is not a positive integer', async () => {
    const pgUrl = 'postgresql://postgres@127.0.0.1:5432/never_opened';
    const cases: Array<{ env: Record<string, string>; args: string[]; line: string }> = [
      { env: {}, args: ['--num_workers', '2'], line: 'purser: --num_workers 2 needs PostgreSQL (DATABASE_URL=postgresql://...) and Redis (REDIS_URL)' },
      { env: { DATABASE_URL: pgUrl }, args: ['--num_workers', '2'], line: 'purser: --num_workers 2 needs Redis (REDIS_URL)' },
      { env: redisEnv(), args: ['--num_workers', '3'], line: 'purser: --num_workers 3 needs PostgreSQL (DATABASE_URL=postgresql://...)' },
      { env: {}, args: ['--num_workers', '0'], line: 'purser: --num_workers must be a whole number of worker processes (1-1024), got "0"' },
      { env: {}, args: ['--num_workers', '1.5'], line: 'purser: --num_workers must be a whole number of worker processes (1-1024), got "1.5"' },
      { env: {}, args: ['--num_workers', 'two'], line: 'purser: --num_workers must be a whole number of worker processes (1-1024), got "two"' },
      { env: { NUM_WORKERS: '-1' }, args: [], line: 'purser: NUM_WORKERS must be a whole number of worker processes (1-1024), got "-1"' },
    ];
    const runs = cases.map((c) => ({ c, cli: cli({ LITELLM_MASTER_KEY: 'sk-refusal', ...c.env }, c.args) }));
    for (const { c, cli: r } of runs) {
      expect(await r.exited).toBe(1);
      expect(r.stderr().trim()).toBe(c.line);
      expect(r.stderr()).not.toMatch(STACK_FRAME);
      expect(r.stdout()).not.toContain('listening on');
    }
  }, START_TIMEOUT);
});

describe('--num_workers 2 on PostgreSQL + Redis', () => {
  it('serves from both workers, prints the banner once, has one reset leader, survives a kill -9 under load without double-counting, and stops with SIGTERM', async () => {
    const db = await freshPostgres();
    cleanups.push(db.drop);
    const prefix = redisPrefix();
    cleanups.push(() => dropPrefix(prefix));
    // a call (1 s upstream) outlasts a batch write (a few ms, a few hundred on a loaded machine):
    // while a batch is being written each client connection can end at most one more call on that worker
    const up: FakeUpstream = await startFakeUpstream({ delayMs: 1000, usage: USAGE });
    cleanups.push(() => up.close());
    // the README's bound ("What a kill -9 can lose"): the timer never fires here, so a worker
    // writes whenever MAX_ROWS rows are queued, and a kill -9 loses its queue: at most one batch
    // of MAX_ROWS plus the calls that ended while that batch was being written (at most one per
    // connection, LOOPS); the survivors' batches are written by the graceful stop
    const MAX_ROWS = 5;
    const yaml = JSON.stringify({
      model_list: [upstreamModel('m', up)],
      general_settings: { proxy_batch_write_at: 3600, spend_log_batch_max_rows: MAX_ROWS, proxy_budget_rescheduler_min_time: 1, proxy_budget_rescheduler_max_time: 1 },
    });
    const c = cli({ DATABASE_URL: db.url, ...redisEnv(prefix) }, ['--num_workers', '2'], yaml);
    const [, url] = await c.printed(/listening on (http:\/\/127\.0\.0\.1:\d+) \(database: postgresql, 2 workers\)/);

    // the generated master key: once on stdout, written once by the primary
    const keyLines = c.stdout().match(/^ {4}(sk-\S+)$/gm) ?? [];
    expect(keyLines).toHaveLength(1);
    const masterKey = keyLines[0]!.trim();
    expect(c.stdout().match(/Generated a master key/g)).toHaveLength(1);
    expect(c.stdout().match(/Dashboard: /g)).toHaveLength(1);
    expect(readFileSync(join(c.cwd, 'data/master_key'), 'utf8').trim()).toBe(masterKey);
    const started = serving(c.stdout());
    expect(started.map((w) => w.id).sort()).toEqual([1, 2]);
    expect(new Set(started.map((w) => w.pid)).size).toBe(2);

    // new connections go to each worker in turn: both answer
    const seen = new Set<number>();
    await until(async () => {
      const r = await getFresh(`${url}/health/readiness`);
      expect(r.body).toMatchObject({ status: 'healthy', db: 'connected', redis: 'connected' });
      seen.add(r.body.worker);
      return seen.size === 2;
    }, 'both workers to answer');

    // exactly one worker leads the reset job
    const leader = await until(() => leaderPid(db.url), 'a reset job leader');
    expect(started.map((w) => w.pid)).toContain(leader);
    expect(c.stdout().match(/budget reset job: this process \(pid \d+\) is the leader/g)).toHaveLength(1);

    const minted = await fetch(`${url}/key/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${masterKey}` },
      body: JSON.stringify({}),
    });
    expect(minted.status).toBe(200);
    const { key, key_id: keyId } = (await minted.json()) as { key: string; key_id: string };

    // load: four loops of calls until told to stop; count the 200s, keep their request ids
    let ok = 0;
    const okIds = new Set<string>();
    const okIdsSentBefore = new Set<string>();
    let other = 0;
    let running = true;
    // 200s of calls sent before the test saw the kill: only those can have been on the killed worker
    let dead = false;
    let okSentBefore = 0;
    const call = async () => {
      const sentAfter = dead;
      try {
        const r = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
          body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
        });
        await r.arrayBuffer();
        if (r.status === 200) {
          ok++;
          const id = r.headers.get('x-litellm-call-id')!;
          okIds.add(id);
          if (!sentAfter) {
            okSentBefore++;
            okIdsSentBefore.add(id);
          }
        } else other++;
      } catch {
        // the connection was on the killed worker: cut off, no 200
      }
    };
    const LOOPS = 4;
    const loops = Array.from({ length: LOOPS }, async () => {
      while (running) await call();
    });
    await until(() => ok >= 20, '20 calls answered');

    // kill -9 the leader under load
    const victim = started.find((w) => w.pid === leader)!;
    process.kill(victim.pid, 'SIGKILL');
    await c.printed(new RegExp(`worker ${victim.id} \\(pid ${victim.pid}\\) died \\(SIGKILL\\): starting a new one in 1s`), 'stderr');
    dead = true;
    const okAtKill = ok;
    // the other keeps serving while the replacement starts
    await until(() => ok >= okAtKill + 10, 'calls answered after the kill');
    const [, newId, newPid] = await c.printed(new RegExp(`worker (\\d+) \\(pid (\\d+)\\) is serving \\(replaces worker ${victim.id}\\)`));
    // the leadership passed to a live worker
    const survivors = [Number(newPid), ...started.filter((w) => w !== victim).map((w) => w.pid)];
    const nextLeader = await until(async () => {
      const p = await leaderPid(db.url);
      return p !== null && p !== victim.pid ? p : null;
    }, 'a new reset job leader');
    expect(survivors).toContain(nextLeader);
    // the replacement answers too
    await until(async () => (await getFresh(`${url}/health/readiness`)).body.worker === Number(newId), 'the replacement to answer');
    running = false;
    await Promise.all(loops);
    expect(other).toBe(0);
    expect(okIds.size).toBe(ok);
    // the workers wrote batches under load (every MAX_ROWS rows)
    expect((await pgQuery(db.url, 'select 1 from spend_logs limit 1')).length).toBe(1);

    // three calls on a second key, each on a new connection (so on both workers): exactly once each
    const minted2 = await fetch(`${url}/key/generate`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${masterKey}` },
      body: JSON.stringify({}),
    });
    const { key: key2, key_id: key2Id } = (await minted2.json()) as { key: string; key_id: string };
    for (let i = 0; i < 3; i++) {
      const r = await postFresh(`${url}/v1/chat/completions`, key2, { model: 'm', messages: [{ role: 'user', content: 'hi' }] });
      expect(r.status).toBe(200);
    }

    // SIGTERM: every worker flushes its batch, the primary exits 0
    c.child.kill('SIGTERM');
    expect(await c.exited).toBe(0);
    expect(c.stderr()).not.toMatch(STACK_FRAME);
    expect(c.stdout()).toMatch(/SIGTERM: stopping 2 worker\(s\)/);
    // a close of our own is no Redis outage
    expect(c.stderr()).not.toContain('is unreachable');

    const recorded = await pgQuery<{ id: string }>(db.url, `select request_id as id from spend_logs where key_id = $1 and status = 'success'`, [keyId]);
    // every row is a call that got a 200 (none counted that the client did not get)
    expect(recorded.filter((r) => !okIds.has(r.id))).toEqual([]);
    const recordedIds = new Set(recorded.map((r) => r.id));
    const lost = [...okIds].filter((id) => !recordedIds.has(id));
    // the lost calls are the killed worker's unflushed batch: sent before the kill, and at most
    // one batch plus one call per connection (the README's bound)
    expect(lost.filter((id) => !okIdsSentBefore.has(id))).toEqual([]);
    expect(lost.length).toBeLessThanOrEqual(MAX_ROWS + LOOPS);
    const [rows] = await pgQuery<{ n: string; ids: string; spend: string }>(
      db.url,
      `select count(*) as n, count(distinct request_id) as ids, coalesce(sum(cost_nanos), 0) as spend from spend_logs where key_id = $1 and status = 'success'`,
      [keyId],
    );
    const n = Number(rows!.n);
    // no request id twice; the key's budget moved by exactly the rows written
    expect(Number(rows!.ids)).toBe(n);
    const [k] = await pgQuery<{ spend: string }>(db.url, 'select budget_spend as spend from virtual_keys where id = $1', [keyId]);
    expect(Number(k!.spend)).toBe(n * CALL_NANOS);
    expect(Number(rows!.spend)).toBe(n * CALL_NANOS);
    // spend equals the calls that got a 200 less the lost ones, exactly
    expect(n).toBe(ok - lost.length);
    expect(ok - n).toBeLessThanOrEqual(okSentBefore);
    expect(n).toBeGreaterThan(0);
    const [l2] = await pgQuery<{ n: string; ids: string }>(db.url, 'select count(*) as n, count(distinct request_id) as ids from spend_logs where key_id = $1', [key2Id]);
    expect([Number(l2!.n), Number(l2!.ids)]).toEqual([3, 3]);
    const [k2] = await pgQuery<{ spend: string }>(db.url, 'select budget_spend as spend from virtual_keys where id = $1', [key2Id]);
    expect(Number(k2!.spend)).toBe(3 * CALL_NANOS);
  }, START_TIMEOUT * 2);
});
