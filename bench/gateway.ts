/**
 * `npm run bench:gateway`: how much the gateway costs on top of what Node itself costs.
 *
 * Three servers, each in its own process on loopback (none shares an event loop with the load
 * generator): the fake OpenAI-compatible upstream of the tests; a bare Node keep-alive
 * pass-through proxy (the baseline); and Purser, the compiled build (api/dist), with every
 * check and spend recording on and the response cache off: a team key with key, team and
 * member budgets, key and team rpm/tpm limits and a parallel-request limit, all high enough
 * never to refuse; spend rows flushed every second (`proxy_batch_write_at: 1`).
 *
 * Each is driven by autocannon with a small non-streaming chat completion: throughput at 32
 * connections and latency at 1 connection, in interleaved rounds after a warm-up. Medians are
 * reported with the core count, then Purser's throughput as a percentage of the bare proxy and
 * its added p50 latency over it. Targets (2 cores): >= 70% and <= 1 ms. A benchmark, not a test:
 * it asserts nothing, but it checks every answer was a 200 and the spend was recorded.
 *
 * Then the other dialects on the same Purser, each as a ratio to Chat Completions measured in
 * the same rounds: /v1/messages passed through to an `anthropic/` deployment and translated to
 * Chat Completions, /v1/responses passed through (`responses_api: native`) and translated (the
 * fake upstream speaks all three protocols with the same answer).
 *
 * Options: --rounds N (3) --throughput-seconds S (8) --latency-seconds S (5) --connections N (32)
 *          --no-build (do not rebuild a stale api/dist) --profile DIR (CPU profile of Purser)
 *          --no-dialects (only the Chat Completions comparison)
 *          --baseline-dist DIR (also an earlier compiled build, DIR/main.js — e.g. a copy of api/dist
 *          taken before a change — in the same interleaved rounds: before/after ratios from one run)
 *          --redis URL (also a Purser sharing its limits and budgets through that Redis, e.g.
 *          redis://127.0.0.1:6379, under a key prefix of its own that is deleted afterwards:
 *          its added p50 over the in-memory Purser is the Redis round trips of admission and
 *          settlement, reported as a ratio to the in-memory run)
 */
import { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import autocannon, { type Result } from 'autocannon';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GUARD = join(ROOT, 'bench', 'child-guard.mjs');
const MASTER_KEY = 'sk-bench-master-key-0123456789';
const MODEL = 'bench-model';
const PRICE = { input: 0.000001, output: 0.000002 };
const CLAUDE = 'bench-claude';
const NATIVE = 'bench-responses';
const PROMPT = 'Say hello in one short sentence.';
const BODY = JSON.stringify({ model: MODEL, messages: [{ role: 'user', content: PROMPT }], max_tokens: 32 });
/** each dialect's request for the same prompt: [name, path, body] */
const DIALECTS: Array<[string, string, string]> = [
  ['chat completions', '/v1/chat/completions', BODY],
  ['messages native', '/v1/messages', JSON.stringify({ model: CLAUDE, max_tokens: 32, messages: [{ role: 'user', content: PROMPT }] })],
  ['messages→chat', '/v1/messages', JSON.stringify({ model: MODEL, max_tokens: 32, messages: [{ role: 'user', content: PROMPT }] })],
  ['responses native', '/v1/responses', JSON.stringify({ model: NATIVE, input: PROMPT, max_output_tokens: 32 })],
  ['responses→chat', '/v1/responses', JSON.stringify({ model: MODEL, input: PROMPT, max_output_tokens: 32 })],
];

const { values: opt } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    'throughput-seconds': { type: 'string', default: '8' },
    'latency-seconds': { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    'no-build': { type: 'boolean', default: false },
    profile: { type: 'string' },
    'no-dialects': { type: 'boolean', default: false },
    redis: { type: 'string' },
    'baseline-dist': { type: 'string' },
  },
});
const ROUNDS = Number(opt.rounds);
const TP_SECONDS = Number(opt['throughput-seconds']);
const LAT_SECONDS = Number(opt['latency-seconds']);
const CONNECTIONS = Number(opt.connections);

// ---------------------------------------------------------------- children

const children: ChildProcess[] = [];

/** Starts a child (with the parent-death guard) and resolves with its pid and first stdout line matching `ready`. */
function startChild(name: string, args: string[], cwd: string, ready: RegExp, timeoutMs = 60_000, env: Record<string, string> = {}): Promise<{ pid: number; match: RegExpMatchArray }> {
  const child = spawn(process.execPath, ['--import', GUARD, ...args], { cwd, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, NODE_ENV: 'production', ...env } });
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
    if (stderr.length > 20_000) stderr = stderr.slice(-10_000);
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
          const kill = setTimeout(() => c.kill('SIGKILL'), 10_000);
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
for (const sig of ['SIGINT', 'SIGTERM'] as const)
  process.on(sig, () => {
    console.error(`\n${sig}: stopping`);
    void stopChildren().then(() => process.exit(130));
  });

// ---------------------------------------------------------------- setup

const REDIS_PREFIX = `purser-bench-${randomBytes(4).toString('hex')}:`;

/** Deletes the benchmark's own Redis keys (SCAN, never FLUSHALL). */
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

/** Rebuilds api/dist when a source file is newer than the build (the benchmark measures the compiled build). */
function ensureBuild() {
  const newest = (dir: string): number =>
    readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
      const p = join(dir, e.name);
      return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
    }, 0);
  let built = 0;
  try {
    built = statSync(join(ROOT, 'api/dist/main.js')).mtimeMs;
  } catch {
    /* not built */
  }
  if (built > newest(join(ROOT, 'api/src'))) return;
  if (opt['no-build']) {
    console.log('warning: api/dist is older than api/src (--no-build: measuring it anyway)');
    return;
  }
  console.log('api/dist is stale: npm run build -w api');
  const r = spawnSync('npm', ['run', 'build', '-w', 'api'], { cwd: ROOT, stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build -w api failed');
}

async function rest(url: string, path: string, body: unknown): Promise<any> {
  const res = await fetch(url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${MASTER_KEY}` },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** A team, a member with a budget in it, and a team key with every limit set high enough never to refuse. */
async function mintKey(purser: string): Promise<string> {
  const big = { max_budget: 1_000_000, rpm_limit: 1_000_000_000, tpm_limit: 2_000_000_000 };
  const models = [MODEL, CLAUDE, NATIVE];
  await rest(purser, '/team/new', { team_id: 'bench-team', models, ...big });
  await rest(purser, '/user/new', { user_id: 'bench-user', user_role: 'internal_user', max_budget: 1_000_000, auto_create_key: false, teams: [{ team_id: 'bench-team', max_budget_in_team: 1_000_000 }] });
  const k = await rest(purser, '/key/generate', { user_id: 'bench-user', team_id: 'bench-team', key_alias: 'bench', models, max_parallel_requests: 10_000, ...big });
  return k.key as string;
}

// ---------------------------------------------------------------- load

interface Target {
  name: string;
  url: string;
  headers: Record<string, string>;
  /** the server's process, for its CPU time */
  pid: number;
  /** 2xx answers autocannon counted */
  served: number;
  /** the request (default: the chat completion) */
  path?: string;
  body?: string;
}

interface Sample {
  rps: number;
  /** server process CPU time per request at 32 connections (µs), NaN where /proc is missing */
  cpuUs: number;
  p50: number;
  p99: number;
}

/** CPU time (user + system) a process has used, in µs (Linux /proc; clock ticks of 10 ms). */
function cpuTimeUs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return NaN;
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

function check(t: Target, r: Result, what: string) {
  t.served += r['2xx'];
  if (r.non2xx || r.errors || r.timeouts) console.log(`warning: ${t.name} ${what}: ${r.non2xx} non-2xx, ${r.errors} errors, ${r.timeouts} timeouts`);
}

function cannon(t: Target, connections: number, seconds: number, onLatency?: (ms: number) => void): Promise<Result> {
  const inst = autocannon({
    url: `${t.url}${t.path ?? '/v1/chat/completions'}`,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...t.headers },
    body: t.body ?? BODY,
    connections,
    duration: seconds,
    pipelining: 1,
    timeout: 10,
  });
  // autocannon's own histogram has 1 ms resolution: keep the exact times for sub-ms figures
  if (onLatency) inst.on('response', (_c: unknown, _status: number, _bytes: number, ms: number) => onLatency(ms));
  return new Promise((res, rej) => inst.then(res, rej));
}

async function throughput(t: Target, seconds = TP_SECONDS): Promise<{ rps: number; cpuUs: number }> {
  const cpu0 = cpuTimeUs(t.pid);
  const r = await cannon(t, CONNECTIONS, seconds);
  const cpu = cpuTimeUs(t.pid) - cpu0;
  check(t, r, 'throughput run');
  return { rps: r['2xx'] / r.duration, cpuUs: cpu / (r['2xx'] + r.non2xx) };
}

async function latency(t: Target): Promise<{ p50: number; p99: number }> {
  const times: number[] = [];
  const r = await cannon(t, 1, LAT_SECONDS, (ms) => times.push(ms));
  check(t, r, 'latency run');
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length * 0.5)]!, p99: times[Math.floor(times.length * 0.99)]! };
}

// ---------------------------------------------------------------- main

async function main() {
  ensureBuild();
  const work = mkdtempSync(join(tmpdir(), 'purser-bench-'));
  try {
    const tsChild = ['--import', '@swc-node/register/esm-register'];
    const upstream = await startChild('fake upstream', [...tsChild, 'bench/upstream.ts'], ROOT, /"base":"([^"]+)"/);
    const upBase = upstream.match[1]!;
    const bareChild = await startChild('bare proxy', [...tsChild, 'bench/bare-proxy.ts', upBase], ROOT, /"url":"([^"]+)"/);
    const config = {
      model_list: [
        {
          model_name: MODEL,
          litellm_params: { model: 'openai/gpt-4o-mini', api_base: upBase, api_key: 'sk-up' },
          model_info: { input_cost_per_token: PRICE.input, output_cost_per_token: PRICE.output },
        },
        {
          model_name: CLAUDE,
          litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: upBase.replace(/\/v1$/, ''), api_key: 'sk-up' },
          model_info: { input_cost_per_token: PRICE.input, output_cost_per_token: PRICE.output },
        },
        {
          model_name: NATIVE,
          litellm_params: { model: 'openai/gpt-4.1-mini', api_base: upBase, api_key: 'sk-up', responses_api: 'native' },
          model_info: { input_cost_per_token: PRICE.input, output_cost_per_token: PRICE.output },
        },
      ],
      general_settings: { master_key: MASTER_KEY, proxy_batch_write_at: 1 },
      litellm_settings: { cache: false },
    };
    writeFileSync(join(work, 'config.yaml'), JSON.stringify(config, null, 2)); // JSON is YAML
    const profile = opt.profile ? ['--cpu-prof', `--cpu-prof-dir=${resolve(opt.profile)}`] : [];
    const purserChild = await startChild(
      'purser',
      [...profile, join(ROOT, 'api/dist/main.js'), '--config', join(work, 'config.yaml'), '--port', '0', '--host', '127.0.0.1'],
      work,
      /Purser listening on (http:\/\/[^\s]+)/,
    );
    const purserUrl = purserChild.match[1]!;
    const key = await mintKey(purserUrl);

    const auth = { authorization: `Bearer ${key}` };
    const direct: Target = { name: 'direct upstream', url: upBase.replace(/\/v1$/, ''), headers: auth, pid: upstream.pid, served: 0 };
    const bare: Target = { name: 'bare proxy', url: bareChild.match[1]!, headers: auth, pid: bareChild.pid, served: 0 };
    const purser: Target = { name: 'purser', url: purserUrl, headers: auth, pid: purserChild.pid, served: 0 };
    const targets = [bare, purser, direct];
    let before: Target | null = null;
    if (opt['baseline-dist']) {
      const work2 = join(work, 'before');
      mkdirSync(work2);
      writeFileSync(join(work2, 'config.yaml'), JSON.stringify(config, null, 2));
      const child = await startChild(
        'purser (baseline build)',
        [join(resolve(opt['baseline-dist']), 'main.js'), '--config', join(work2, 'config.yaml'), '--port', '0', '--host', '127.0.0.1'],
        work2,
        /Purser listening on (http:\/\/[^\s]+)/,
      );
      before = { name: 'purser before', url: child.match[1]!, headers: { authorization: `Bearer ${await mintKey(child.match[1]!)}` }, pid: child.pid, served: 0 };
      targets.splice(1, 0, before);
    }
    let shared: Target | null = null;
    if (opt.redis) {
      // the same Purser with its own SQLite, its admission shared through Redis
      const work2 = join(work, 'redis');
      mkdirSync(work2);
      writeFileSync(join(work2, 'config.yaml'), JSON.stringify(config, null, 2));
      const child = await startChild(
        'purser+redis',
        [join(ROOT, 'api/dist/main.js'), '--config', join(work2, 'config.yaml'), '--port', '0', '--host', '127.0.0.1'],
        work2,
        /Purser listening on (http:\/\/[^\s]+)/,
        60_000,
        { REDIS_URL: opt.redis, REDIS_KEY_PREFIX: REDIS_PREFIX },
      );
      shared = { name: 'purser+redis', url: child.match[1]!, headers: { authorization: `Bearer ${await mintKey(child.match[1]!)}` }, pid: child.pid, served: 0 };
      targets.push(shared);
    }

    // every target answers the same request with a 200 before anything is measured
    for (const t of targets) {
      const res = await fetch(`${t.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body: BODY });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${t.name} answered ${res.status}: ${text}`);
      t.served++;
      if (t === purser && !res.headers.get('x-litellm-overhead-duration-ms')) throw new Error('purser: no x-litellm-overhead-duration-ms header');
    }

    const cores = availableParallelism();
    console.log(
      `gateway benchmark: ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown cpu'}), node ${process.version}, autocannon 9; ` +
        `${ROUNDS} rounds of ${TP_SECONDS} s @ ${CONNECTIONS} connections + ${LAT_SECONDS} s @ 1 connection per server`,
    );
    process.stdout.write('warm-up...');
    for (const t of targets) await throughput(t, 3);
    console.log(' done');

    const samples = new Map<Target, Sample[]>(targets.map((t) => [t, []]));
    for (let round = 1; round <= ROUNDS; round++) {
      for (const t of targets) {
        const { rps, cpuUs } = await throughput(t);
        const { p50, p99 } = await latency(t);
        samples.get(t)!.push({ rps, cpuUs, p50, p99 });
        console.log(
          `round ${round}  ${t.name.padEnd(16)} ${rps.toFixed(0).padStart(6)} req/s @${CONNECTIONS} (server CPU ${cpuUs.toFixed(0)} µs/req)   p50 ${p50.toFixed(3)} ms  p99 ${p99.toFixed(3)} ms @1`,
        );
      }
    }

    // spend recording really ran: wait for a flush, then compare the key's spend with the calls served
    await new Promise((r) => setTimeout(r, 2_500));
    const info = await (await fetch(`${purserUrl}/key/info?key=${encodeURIComponent(key)}`, { headers: { authorization: `Bearer ${MASTER_KEY}` } })).json() as any;
    const spend = Number(info?.info?.spend ?? info?.spend ?? NaN);
    const promptTokens = Math.ceil(JSON.stringify(JSON.parse(BODY).messages).length / 4);
    const perCall = promptTokens * PRICE.input + Math.ceil('Hello from the fake upstream.'.length / 4) * PRICE.output;

    const med = (t: Target) => {
      const s = samples.get(t)!;
      return { rps: median(s.map((x) => x.rps)), cpuUs: median(s.map((x) => x.cpuUs)), p50: median(s.map((x) => x.p50)), p99: median(s.map((x) => x.p99)) };
    };
    const [b, p, d] = [med(bare), med(purser), med(direct)];
    console.log(`\nmedians over ${ROUNDS} rounds (${cores} cores):`);
    console.log(`  ${'server'.padEnd(16)} ${'req/s @' + CONNECTIONS}  CPU µs/req   p50 @1     p99 @1`);
    for (const [t, m] of [[direct, d], [bare, b], ...(before ? [[before, med(before)] as const] : []), [purser, p]] as const)
      console.log(`  ${t.name.padEnd(16)} ${m.rps.toFixed(0).padStart(9)}  ${m.cpuUs.toFixed(0).padStart(10)}   ${m.p50.toFixed(3)} ms  ${m.p99.toFixed(3)} ms`);
    const ratio = (100 * p.rps) / b.rps;
    const added = p.p50 - b.p50;
    // runs next to each other in time: a background load that comes and goes shows up here
    const pairs = samples.get(bare)!.map((x, i) => ({ bare: x, purser: samples.get(purser)![i]! }));
    console.log(
      `\nper round, Purser vs the bare proxy: throughput ${pairs.map((x) => `${((100 * x.purser.rps) / x.bare.rps).toFixed(0)}%`).join(', ')}; ` +
        `added p50 ${pairs.map((x) => `${(x.purser.p50 - x.bare.p50).toFixed(3)} ms`).join(', ')}; ` +
        `CPU per request ${pairs.map((x) => `${(x.purser.cpuUs / x.bare.cpuUs).toFixed(2)}x`).join(', ')}`,
    );
    console.log(`\nPurser throughput: ${ratio.toFixed(1)}% of the bare proxy (target >= 70%) ${ratio >= 70 ? 'MET' : 'MISSED'}`);
    console.log(`Purser added p50 latency: ${added.toFixed(3)} ms over the bare proxy (target <= 1 ms) ${added <= 1 ? 'MET' : 'MISSED'}`);
    console.log(
      `spend recorded: $${spend.toFixed(6)} on the key = ${(spend / perCall).toFixed(0)} calls at $${perCall.toFixed(6)}; ` +
        `autocannon counted ${purser.served} answered calls (calls still in flight when a run ended are billed but not counted)`,
    );
    if (before) {
      const r = med(before);
      const rounds = samples.get(before)!.map((x, i) => ({ bare: samples.get(bare)![i]!, before: x, after: samples.get(purser)![i]! }));
      console.log(
        `\nbaseline build (${opt['baseline-dist']}): ${((100 * r.rps) / b.rps).toFixed(1)}% of the bare proxy ` +
          `(rounds ${rounds.map((x) => `${((100 * x.before.rps) / x.bare.rps).toFixed(0)}%`).join(', ')}), CPU ${r.cpuUs.toFixed(0)} µs/req, ` +
          `added p50 ${(r.p50 - b.p50).toFixed(3)} ms; this build: ${ratio.toFixed(1)}% (rounds ${rounds.map((x) => `${((100 * x.after.rps) / x.bare.rps).toFixed(0)}%`).join(', ')}), ` +
          `CPU ${p.cpuUs.toFixed(0)} µs/req (${(p.cpuUs / r.cpuUs).toFixed(2)}x the baseline's)`,
      );
    }
    if (shared) {
      const r = med(shared);
      console.log(
        `\nRedis-shared admission: added p50 ${(r.p50 - p.p50).toFixed(3)} ms over the in-memory Purser ` +
          `(p50 ${r.p50.toFixed(3)} ms = ${(r.p50 / p.p50).toFixed(2)}x the in-memory ${p.p50.toFixed(3)} ms; ` +
          `throughput ${((100 * r.rps) / p.rps).toFixed(0)}% of it, CPU per request ${(r.cpuUs / p.cpuUs).toFixed(2)}x)`,
      );
    }
    if (!opt['no-dialects']) await dialects(purser);
  } finally {
    await stopChildren();
    rmSync(work, { recursive: true, force: true });
    if (opt.redis) await dropRedisPrefix(opt.redis);
  }
}

/** Every dialect on the same Purser in interleaved rounds; each as a ratio to Chat Completions. */
async function dialects(purser: Target) {
  const targets: Target[] = DIALECTS.map(([name, path, body]) => ({ ...purser, name, path, body, served: 0 }));
  for (const t of targets) {
    const res = await fetch(`${t.url}${t.path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...t.headers }, body: t.body });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${t.name} answered ${res.status}: ${text}`);
  }
  console.log(`\ndialects on the same Purser (${ROUNDS} rounds):`);
  for (const t of targets) await throughput(t, 2);
  const samples = new Map<Target, Sample[]>(targets.map((t) => [t, []]));
  for (let round = 1; round <= ROUNDS; round++)
    for (const t of targets) {
      const { rps, cpuUs } = await throughput(t);
      const { p50, p99 } = await latency(t);
      samples.get(t)!.push({ rps, cpuUs, p50, p99 });
      console.log(`round ${round}  ${t.name.padEnd(18)} ${rps.toFixed(0).padStart(6)} req/s @${CONNECTIONS} (server CPU ${cpuUs.toFixed(0)} µs/req)   p50 ${p50.toFixed(3)} ms @1`);
    }
  const chat = targets[0]!;
  const m = (t: Target, f: keyof Sample) => median(samples.get(t)!.map((x) => x[f]));
  // CPU per request is the steadiest figure on a shared machine: throughput moves with the neighbours' load
  console.log(`\n  ${'dialect'.padEnd(18)} ${'req/s @' + CONNECTIONS}  vs chat   CPU µs/req  vs chat   p50 @1     vs chat`);
  for (const t of targets)
    console.log(
      `  ${t.name.padEnd(18)} ${m(t, 'rps').toFixed(0).padStart(9)}  ${((100 * m(t, 'rps')) / m(chat, 'rps')).toFixed(0).padStart(6)}%  ` +
        `${m(t, 'cpuUs').toFixed(0).padStart(10)}  ${(m(t, 'cpuUs') / m(chat, 'cpuUs')).toFixed(2).padStart(6)}x   ` +
        `${m(t, 'p50').toFixed(3)} ms  ${(m(t, 'p50') - m(chat, 'p50') >= 0 ? '+' : '')}${(m(t, 'p50') - m(chat, 'p50')).toFixed(3)} ms`,
    );
}

main().then(
  () => process.exit(0),
  async (e) => {
    console.error(e instanceof Error ? e.message : e);
    await stopChildren();
    process.exit(1);
  },
);
