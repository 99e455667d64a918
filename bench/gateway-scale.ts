/**
 * `npm run bench:gateway-scale`: the gateway on PostgreSQL + Redis, one worker against two.
 *
 * Three Purser servers (the compiled build, api/dist), each on a fresh PostgreSQL database of
 * its own, in front of the fake OpenAI-compatible upstream of the tests (its own process):
 *  - PostgreSQL alone, one process: limits and budgets in the process's memory (the baseline);
 *  - PostgreSQL + Redis, one worker: limits and budgets shared through Redis;
 *  - PostgreSQL + Redis, `--num_workers 2`: two worker processes sharing the port.
 * Each has a team key with key, team and member budgets, rpm/tpm and parallel limits (all high
 * enough never to refuse), spend flushed every second, cache off: the setup of bench:gateway.
 * autocannon sends a small chat completion: throughput at 32 connections and latency at one
 * connection, interleaved rounds after a warm-up, medians. Reported: 2 workers / 1 worker
 * (throughput), and the p50 that Redis adds at one connection (its admission and settlement
 * round trips: Redis one worker against PostgreSQL alone). Server CPU per request counts every
 * process of a server (the primary and its workers). A benchmark, not a test: it checks every
 * answer was a 200 and that the spend of every answered call was recorded once.
 *
 * Options: --rounds N (3) --throughput-seconds S (8) --latency-seconds S (5) --connections N (32)
 *          --redis URL (redis://127.0.0.1:6379; keys under a prefix of its own, deleted after)
 *          PostgreSQL: DATABASE_URL_PG names the server's admin database
 *          (default postgres://postgres@127.0.0.1:5432/postgres); the databases are dropped after.
 */
import autocannon, { type Result } from 'autocannon';
import { Redis } from 'ioredis';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GUARD = join(ROOT, 'bench', 'child-guard.mjs');
const MASTER_KEY = 'sk-bench-master-key-0123456789';
const MODEL = 'bench-model';
const BODY = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: 'Say hello in one short sentence.' }], max_tokens: 32 });
const PG_ADMIN = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'throughput-seconds': { type: 'string', default: '8' },
    'latency-seconds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    redis: { type: 'string', default: 'redis://127.0.0.1:6379' },
  },
});
const ROUNDS = Number(opt.rounds);
const TP_SECONDS = Number(opt['throughput-seconds']);
const LAT_SECONDS = Number(opt['latency-seconds']);
const CONNECTIONS = Number(opt.connections);
const REDIS_PREFIX = `purser-bench-scale-${randomBytes(4).toString('hex')}:`;

// ---------------------------------------------------------------- children and databases

const children: ChildProcess[] = [];
const databases: string[] = [];

function startChild(name: string, args: string[], cwd: string, ready: RegExp, env: Record<string, string> = {}, timeoutMs = 120_000): Promise<{ pid: number; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--import', GUARD, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production', ...env } });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr = (stderr + d).slice(-10_000);
  });
  return new Promise((res, rej) => {
    let out = '';
    const timer = setTimeout(() => rej(new Error(`${name} did not start in ${timeoutMs} ms:\n${out}\n${stderr}`)), timeoutMs);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        res({ pid: child.pid!, match: m });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      rej(new Error(`${name} exited (${code}):\n${out}\n${stderr}`));
    });
  });
}

async function stopChildren() {
  await Promise.all(
    children.map(
      (c) =>
        new Promise<void>((res) => {
          if (c.exitCode !== null || c.signalCode !== null) return res();
          const kill = setTimeout(() => c.kill('SIGKILL'), 40_000);
          c.once('exit', () => {
            clearTimeout(kill);
            res();
          });
          c.kill('SIGTERM');
        }),
    ),
  );
}
process.on('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

async function pgAdmin<T = any>(sql: string, url = PG_ADMIN): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql)).rows as T[];
  } finally {
    await c.end();
  }
}

async function freshDatabase(): Promise<string> {
  const name = `purser_bench_scale_${randomBytes(4).toString('hex')}`;
  await pgAdmin(`create database ${name}`);
  databases.push(name);
  return PG_ADMIN.replace(/\/[^/]*$/, `/${name}`);
}

async function dropRedisPrefix(url: string) {
  const r = new Redis(url, { lazyConnect: true });
  try {
    await r.connect();
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${REDIS_PREFIX}*`, 'COUNT', 500);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const a = srv.address();
      srv.close(() => res(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

function ensureBuild() {
  const newest = (dir: string): number =>
    spawnSync('find', [dir, '-type', 'f', '-newer', join(ROOT, 'api/dist/main.js')], { encoding: 'utf8' }).stdout.trim() ? Infinity : 0;
  let built = true;
  try {
    statSync(join(ROOT, 'api/dist/main.js'));
  } catch {
    built = false;
  }
  if (built && newest(join(ROOT, 'api/src')) === 0) return;
  console.log('api/dist is missing or stale: npm run build -w api');
  const r = spawnSync('npm', ['run', 'build', '-w', 'api'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build -w api failed');
}

async function rest(url: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` }, body: JSON.stringify(body) });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** bench:gateway's key: a team key of a member with a budget, every limit too high to refuse. */
async function mintKey(url: string): Promise<{ key: string; id: string }> {
  const big = { max_budget: 1_000_000, rpm_limit: 1_000_000_000, tpm_limit: 2_000_000_000 };
  await rest(url, '/team/new', { team_id: 'bench-team', models: [MODEL], ...big });
  await rest(url, '/user/new', { user_id: 'bench-user', user_role: 'internal_user', max_budget: 1_000_000, auto_create_key: false, teams: [{ team_id: 'bench-team', max_budget_in_team: 1_000_000 }] });
  const k = await rest(url, '/key/generate', { user_id: 'bench-user', team_id: 'bench-team', key_alias: 'bench', models: [MODEL], max_parallel_requests: 10_000, ...big });
  return { key: k.key, id: k.key_id };
}

// ---------------------------------------------------------------- load

interface Target {
  name: string;
  url: string;
  db: string;
  key: string;
  keyId: string;
  /** the server's top process; its children (workers) are counted with it */
  pid: number;
  served: number;
  tp: Array<{ rps: number; cpuUs: number }>;
  lat: Array<{ p50: number; p99: number }>;
}

/** CPU time (user + system) of a process and its children, in µs (Linux /proc, 10 ms ticks). */
function cpuTimeUs(pid: number): number {
  const own = (p: number) => {
    try {
      const f = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]!.split(' ');
      return (Number(f[11]) + Number(f[12])) * 10_000;
    } catch {
      return 0;
    }
  };
  let kids: number[] = [];
  try {
    kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    /* no /proc */
  }
  return own(pid) + kids.reduce((s, k) => s + cpuTimeUs(k), 0);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function cannon(t: Target, connections: number, seconds: number, onLatency?: (ms: number) => void): Promise<Result> {
  const inst = autocannon({
    url: `${t.url}/v1/chat/completions`,
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.key}` },
    body: BODY,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
  });
  if (onLatency) inst.on('response', (_c: unknown, _s: number, _b: number, ms: number) => onLatency(ms));
  return new Promise((res, rej) => inst.then(res, rej));
}

function check(t: Target, r: Result, what: string) {
  t.served += r['2xx'];
  if (r.non2xx || r.errors || r.timeouts) console.log(`warning: ${t.name} ${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
}

async function throughput(t: Target, seconds = TP_SECONDS) {
  const cpu0 = cpuTimeUs(t.pid);
  const r = await cannon(t, CONNECTIONS, seconds);
  const cpu = cpuTimeUs(t.pid) - cpu0;
  check(t, r, 'throughput run');
  return { rps: r['2xx'] / r.duration, cpuUs: cpu / (r['2xx'] + r.non2xx) };
}

async function latency(t: Target) {
  const times: number[] = [];
  const r = await cannon(t, 1, LAT_SECONDS, (ms) => times.push(ms));
  check(t, r, 'latency run');
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

// ---------------------------------------------------------------- main

async function main() {
  ensureBuild();
  const work = mkdtempSync(join(tmpdir(), 'purser-bench-scale-'));
  const targets: Target[] = [];
  try {
    const ts = ['--import', '@swc-node/register/esm-register'];
    const upstream = await startChild('fake upstream', [...ts, 'bench/upstream.ts'], ROOT, /"base":"([^"]+)"/);
    const upBase = upstream.match[1]!;
    const config = {
      model_list: [{ model_name: MODEL, litellm_params: { model: 'openai/gpt-4o-mini', api_base: upBase, api_key: 'sk-up' }, model_info: { input_cost_per_token: 0.000001, output_cost_per_token: 0.000002 } }],
      general_settings: { master_key: MASTER_KEY, proxy_batch_write_at: 1 },
      litellm_settings: { cache: false },
    };
    const kinds: Array<{ name: string; redis: boolean; workers: number }> = [
      { name: 'PostgreSQL, 1 process', redis: false, workers: 1 },
      { name: 'PostgreSQL + Redis, 1 worker', redis: true, workers: 1 },
      { name: 'PostgreSQL + Redis, 2 workers', redis: true, workers: 2 },
    ];
    for (const [i, k] of kinds.entries()) {
      const dir = join(work, String(i));
      spawnSync('mkdir', ['-p', dir]);
      writeFileSync(join(dir, 'config.yaml'), JSON.stringify(config, null, 2)); // JSON is YAML
      const db = await freshDatabase();
      const port = await freePort();
      const env: Record<string, string> = { DATABASE_URL: db, ...(k.redis ? { REDIS_URL: opt.redis!, REDIS_KEY_PREFIX: `${REDIS_PREFIX}${i}:` } : {}) };
      const args = [join(ROOT, 'api/dist/main.js'), '--config', join(dir, 'config.yaml'), '--port', String(port), '--host', '127.0.0.1', ...(k.workers > 1 ? ['--num_workers', String(k.workers)] : [])];
      const child = await startChild(k.name, args, dir, /listening on (http:\/\/[^\s]+)/, env);
      const url = child.match[1]!;
      const minted = await mintKey(url);
      targets.push({ name: k.name, url, db, key: minted.key, keyId: minted.id, pid: child.pid, served: 0, tp: [], lat: [] });
    }
    console.log(`bench:gateway-scale — ${availableParallelism()} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}; ${ROUNDS} rounds of ${TP_SECONDS} s @${CONNECTIONS} and ${LAT_SECONDS} s @1\n`);
    for (const t of targets) {
      await throughput(t, 2); // warm-up: JIT, pools, Redis scripts loaded
      await latency(t);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      // interleaved, the order rotated each round: the machine's noise falls on all alike
      const order = targets.map((_, i) => targets[(i + round) % targets.length]!);
      for (const t of order) t.tp.push(await throughput(t));
      for (const t of order) t.lat.push(await latency(t));
      console.log(`round ${round}: ${targets.map((t) => `${t.name} ${t.tp.at(-1)!.rps.toFixed(0)} req/s, p50 ${t.lat.at(-1)!.p50.toFixed(2)} ms`).join('; ')}`);
    }
    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(`\n${pad('server (medians)', 34)}${pad(`req/s @${CONNECTIONS}`, 14)}${pad('CPU/req', 10)}${pad('p50 @1', 10)}p99 @1`);
    for (const t of targets)
      console.log(`${pad(t.name, 34)}${pad(median(t.tp.map((x) => x.rps)).toFixed(0), 14)}${pad(`${median(t.tp.map((x) => x.cpuUs)).toFixed(0)} µs`, 10)}${pad(`${median(t.lat.map((x) => x.p50)).toFixed(2)} ms`, 10)}${median(t.lat.map((x) => x.p99)).toFixed(2)} ms`);
    const [alone, one, two] = targets as [Target, Target, Target];
    const ratios = two.tp.map((x, i) => x.rps / one.tp[i]!.rps);
    const added = one.lat.map((x, i) => x.p50 - alone.lat[i]!.p50);
    console.log(`\n2 workers / 1 worker (throughput): ${median(ratios).toFixed(2)}× (rounds: ${ratios.map((r) => r.toFixed(2)).join(', ')})`);
    console.log(`Redis round trips, added p50 @1 (Redis 1 worker − PostgreSQL alone): ${median(added) >= 0 ? '+' : ''}${median(added).toFixed(2)} ms (rounds: ${added.map((a) => a.toFixed(2)).join(', ')})`);

    // every answered call is recorded once: SIGTERM flushes every worker's batch
    await stopChildren();
    for (const t of targets) {
      const [row] = await pgAdmin<{ n: string; ids: string }>(`select count(*) as n, count(distinct request_id) as ids from spend_logs where key_id = '${t.keyId}'`, t.db);
      const n = Number(row!.n);
      const note = n === Number(row!.ids) && n >= t.served ? 'ok' : 'MISMATCH';
      console.log(`spend rows (${t.name}): ${n} for ${t.served} answers counted by autocannon (${note}; calls in flight when a run ended are recorded, not counted)`);
    }
  } finally {
    await stopChildren();
    for (const name of databases) await pgAdmin(`drop database if exists ${name} with (force)`).catch(() => undefined);
    await dropRedisPrefix(opt.redis!).catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
