/**
 * `npm run bench:usage`: how fast `usage` and `cacheAnalytics` answer from the daily roll-ups.
 *
 * Seeds a fresh SQLite file (migrated by `openDatabase`, exactly as the server opens it) with
 * 1,000,000 spend log rows over 90 days (1,000 keys, 100 users, 20 teams, 10 models; 70% of
 * keys are team keys; ~8% cache hits, ~2% failures) and the roll-ups (five daily, four weekly)
 * computed in memory while generating, written with multi-row INSERTs in transactions. Then it times
 * the service functions in-process (no HTTP) over the last 30 days as a proxy_admin: `usage`
 * for each groupBy of interest and `cacheAnalytics`, 30 runs each after warm-up, p50/p95 in ms;
 * and, as the baseline, the same aggregation by a GROUP BY over raw spend_logs.
 * Target: p50 < 50 ms for every usage query.
 *
 * Options: --rows N (1000000) --days N (90) --range N (30) --runs N (30) --raw-runs N (5)
 *          --models-per-key N (how many of the 10 models each key calls; 10 = any; default 3)
 *          --keep (keep the database file and print its path) --db FILE (reuse a file seeded with --keep)
 */
import { METRICS, ROLLUPS } from '../api/src/spend/recorder.js';
import 'reflect-metadata';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { App, Ctx } from '../api/src/app/context.js';
import type { Principal } from '../api/src/auth/principal.js';
import { openDatabase } from '../api/src/db/orm.js';
import { cacheAnalytics, usage, type UsageDim } from '../api/src/spend/usage.service.js';

const { values: opt } = parseArgs({
  options: {
    rows: { type: 'string', default: '1000000' },
    days: { type: 'string', default: '90' },
    range: { type: 'string', default: '30' },
    runs: { type: 'string', default: '30' },
    'raw-runs': { type: 'string', default: '5' },
    'models-per-key': { type: 'string', default: '3' },
    keep: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});
const ROWS = Number(opt.rows);
const DAYS = Number(opt.days);
const RANGE = Number(opt.range);
const RUNS = Number(opt.runs);
const RAW_RUNS = Number(opt['raw-runs']);
const MODELS_PER_KEY = Math.min(10, Math.max(1, Number(opt['models-per-key'])));
const KEYS = 1000;
const USERS = 100;
const TEAMS = 20;
const MODELS = Array.from({ length: 10 }, (_, i) => `model-${i}`);
const PRICES = MODELS.map((_, i) => ({ input: (i + 1) * 0.25e-6, output: (i + 1) * 1e-6 }));

/** mulberry32: the same data on every run */
let seed = 0x5eed;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number) => Math.floor(rand() * n);
const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');

interface Key { id: string; token: string; user: string; team: string; models: number[] }
const keys: Key[] = Array.from({ length: KEYS }, (_, i) => {
  const user = i % USERS;
  const models = new Set<number>();
  while (models.size < MODELS_PER_KEY) models.add(int(MODELS.length));
  return {
    id: `00000000-0000-4000-8000-${hex(i, 12)}`,
    token: hex(i, 64),
    user: `user-${user}`,
    team: i % 10 < 7 ? `team-${user % TEAMS}` : '',
    models: [...models],
  };
});

const DAILY = ROLLUPS.filter((t) => t.dims[0] === 'day');
const WEEKLY = ROLLUPS.filter((t) => t.dims[0] === 'week');
/** the UTC Monday of the ISO week holding a day start */
const mondayOf = (dayStart: number) => new Date(dayStart - ((new Date(dayStart).getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
const LOG_COLS = [
  'request_id', 'key_token', 'key_id', 'user_id', 'team_id', 'model', 'deployment', 'call_type', 'prompt_tokens', 'completion_tokens',
  'cost_micros', 'cache_hit', 'saved_micros', 'status', 'http_status', 'error', 'estimated', 'unpriced', 'start_time', 'end_time',
  'duration_ms', 'end_user', 'request', 'response',
];

/** values are generated here (hex ids, numbers): quoting is all they need */
const lit = (v: string | number | null) => (v === null ? 'null' : typeof v === 'number' ? String(v) : `'${v}'`);

type Knex = ReturnType<SqlEntityManager['getKnex']>;
async function insertRollup(trx: Knex, t: (typeof ROLLUPS)[number], rollup: Map<string, number[]>) {
  const rows = [...rollup].map(([key, a]) => `(${[...key.split('|').map(lit), ...a].join(',')})`);
  for (let j = 0; j < rows.length; j += 1000)
    await trx.raw(`insert into ${t.table} (${[...t.dims, ...METRICS].join(',')}) values ${rows.slice(j, j + 1000).join(',')}`);
}

async function seedDatabase(em: SqlEntityManager) {
  const knex = em.getKnex();
  await knex.raw('pragma synchronous = off');
  await knex.transaction(async (trx) => {
    for (let t = 0; t < TEAMS; t++)
      await trx('teams').insert({ id: `team-${t}`, created_at: Date.now(), updated_at: Date.now(), alias: `Team ${t}`, models: '[]', member_permissions: '[]', metadata: '{}' });
    for (let u = 0; u < USERS; u++)
      await trx('users').insert({ id: `user-${u}`, created_at: Date.now(), updated_at: Date.now(), role: 'internal_user', models: '[]', metadata: '{}' });
    for (let i = 0; i < KEYS; i += 200)
      await trx('virtual_keys').insert(
        keys.slice(i, i + 200).map((k, j) => ({
          id: k.id, created_at: Date.now(), updated_at: Date.now(), token: k.token, key_name: `sk-...${hex(i + j, 4)}`, key_alias: `key-${i + j}`,
          user_id: k.user, team_id: k.team || null, models: '[]', metadata: '{}',
        })),
      );
  });

  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const firstDay = today - (DAYS - 1) * 86_400_000;
  const perDay = Math.floor(ROWS / DAYS);
  let requestNo = 0;
  /** weekly roll-ups accumulate across the days of the run and are written at the end */
  const weekly = WEEKLY.map(() => new Map<string, number[]>());
  const t0 = performance.now();
  for (let d = 0; d < DAYS; d++) {
    const dayStart = firstDay + d * 86_400_000;
    const dayStr = new Date(dayStart).toISOString().slice(0, 10);
    const n = d === DAYS - 1 ? ROWS - perDay * (DAYS - 1) : perDay;
    const times = Array.from({ length: n }, () => dayStart + int(86_400_000)).sort((a, b) => a - b);
    const rollups = DAILY.map(() => new Map<string, number[]>());
    const weekStr = mondayOf(dayStart);
    const logValues: string[] = [];
    for (let r = 0; r < n; r++) {
      const k = keys[int(KEYS)]!;
      const m = k.models[int(k.models.length)]!;
      const prompt = 50 + int(2000);
      const completion = 10 + int(800);
      const price = PRICES[m]!;
      const fullCost = Math.round((prompt * price.input + completion * price.output) * 1e6);
      const roll = rand();
      const failed = roll < 0.02;
      const hit = !failed && roll < 0.1;
      const cost = failed || hit ? 0 : fullCost;
      const saved = hit ? fullCost : 0;
      const pt = failed ? 0 : prompt;
      const ct = failed ? 0 : completion;
      const start = times[r]!;
      const duration = hit ? 2 : 200 + int(3000);
      logValues.push(
        `(${[
          lit(`req-${hex(requestNo++, 10)}`), lit(k.token), lit(k.id), lit(k.user), lit(k.team || null), lit(MODELS[m]!), lit(hit ? 'cache' : `deploy-${m}`), lit('chat'),
          pt, ct, cost, hit ? 1 : 0, saved, lit(failed ? 'failure' : 'success'), failed ? 500 : 200, failed ? lit('upstream error') : 'null', 0, 0,
          start, start + duration, duration, 'null', 'null', 'null',
        ].join(',')})`,
      );
      // the seeded calls name no customer (end_user null): '' in the customer roll-up
      const dims: Record<string, string> = { day: dayStr, week: weekStr, model: MODELS[m]!, team_id: k.team, user_id: k.user, key_id: k.id, end_user: '' };
      const tables = [...DAILY.map((t, i) => [t, rollups[i]!] as const), ...WEEKLY.map((t, i) => [t, weekly[i]!] as const)];
      tables.forEach(([t, map]) => {
        const key = t.dims.map((x) => dims[x]).join('|');
        let a = map.get(key);
        if (!a) map.set(key, (a = [0, 0, 0, 0, 0, 0, 0, 0, 0]));
        a[0]! += 1;
        a[failed ? 2 : 1]! += 1;
        a[3]! += pt;
        a[4]! += ct;
        a[5]! += cost;
        if (hit) {
          a[6]! += 1;
          a[7]! += saved;
          a[8]! += ct;
        }
      });
    }
    await knex.transaction(async (trx) => {
      for (let i = 0; i < logValues.length; i += 1000)
        await trx.raw(`insert into spend_logs (${LOG_COLS.join(',')}) values ${logValues.slice(i, i + 1000).join(',')}`);
      for (const [i, t] of DAILY.entries()) await insertRollup(trx, t, rollups[i]!);
    });
    if ((d + 1) % 15 === 0) process.stdout.write(`  seeded ${d + 1}/${DAYS} days (${requestNo.toLocaleString('en-US')} rows, ${((performance.now() - t0) / 1000).toFixed(0)} s)\n`);
  }
  await knex.transaction(async (trx) => {
    for (const [i, t] of WEEKLY.entries()) await insertRollup(trx, t, weekly[i]!);
  });
  await knex.raw('pragma synchronous = normal');
  await knex.raw('analyze');
  return { from: new Date(today - (RANGE - 1) * 86_400_000).toISOString().slice(0, 10), to: new Date(today).toISOString().slice(0, 10), seconds: (performance.now() - t0) / 1000 };
}

/** --db: the range ends on the last seeded day */
async function reuse(em: SqlEntityManager) {
  const [row] = (await em.getConnection().execute('select max(day) as last from daily_model_spend')) as Array<{ last: string }>;
  const today = Date.parse(`${row!.last}T00:00:00Z`);
  return { from: new Date(today - (RANGE - 1) * 86_400_000).toISOString().slice(0, 10), to: row!.last, seconds: 0 };
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
};
async function time(fn: () => Promise<unknown>, runs: number, warm = 3) {
  for (let i = 0; i < warm; i++) await fn();
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    ms.push(performance.now() - t);
  }
  return { p50: pct(ms, 50), p95: pct(ms, 95) };
}

/** The same aggregation straight from spend_logs: what the roll-ups save. */
function rawScan(em: SqlEntityManager, from: string, to: string, dims: UsageDim[]) {
  const col: Record<UsageDim, string> = { day: "strftime('%Y-%m-%d', start_time / 1000, 'unixepoch')", model: 'model', key: 'key_id', user: 'user_id', team: 'team_id', customer: 'end_user' };
  const sel = dims.map((d) => `${col[d]} as ${d}`);
  const sql = `select ${[...sel, 'count(*) as requests', "sum(status = 'success') as successes", "sum(status = 'failure') as failures",
    'sum(prompt_tokens) as prompt_tokens', 'sum(completion_tokens) as completion_tokens', 'sum(cost_micros) as spend_micros', 'sum(cache_hit) as cache_hits',
    'sum(saved_micros) as saved_micros'].join(', ')} from spend_logs where start_time >= ? and start_time < ?${dims.length ? ` group by ${dims.map((_, i) => i + 1).join(', ')}` : ''}`;
  const lo = Date.parse(`${from}T00:00:00Z`);
  const hi = Date.parse(`${to}T00:00:00Z`) + 86_400_000;
  return () => em.getConnection().execute(sql, [lo, hi]);
}

async function main() {
  const dir = opt.db ? null : mkdtempSync(join(tmpdir(), 'purser-bench-usage-'));
  const file = opt.db ?? join(dir!, 'usage.db');
  console.log(`bench:usage — ${ROWS.toLocaleString('en-US')} spend rows, ${KEYS} keys, ${USERS} users, ${TEAMS} teams, ${MODELS.length} models (${MODELS_PER_KEY} per key), ${DAYS} days; ${availableParallelism()} cores`);
  const orm = await openDatabase(`sqlite:${file}`);
  try {
    const em = orm.em.fork() as SqlEntityManager;
    const { from, to, seconds } = opt.db ? await reuse(em) : await seedDatabase(em);
    const counts = await Promise.all(
      ['spend_logs', ...ROLLUPS.map((r) => r.table)].map(async (t) => `${t} ${Number(((await em.getConnection().execute(`select count(*) as n from ${t}`)) as Array<{ n: number }>)[0]!.n).toLocaleString('en-US')}`),
    );
    console.log(`seeded in ${seconds.toFixed(1)} s; file ${(statSync(file).size / 1e6).toFixed(0)} MB; rows: ${counts.join(', ')}`);

    const admin: Principal = { method: 'master_key', userId: 'default_user_id', role: 'proxy_admin', email: null, teams: new Map() };
    const ctx: Ctx = { app: { orm } as unknown as App, em: orm.em.fork(), principal: admin };
    const filter = { from, to };
    console.log(`\nrange ${from} … ${to} (${RANGE} days), ${RUNS} runs after 3 warm-up runs; raw scan ${RAW_RUNS} runs\n`);
    const GROUPS: UsageDim[][] = [[], ['day'], ['model'], ['key'], ['user'], ['team'], ['day', 'model'], ['key', 'model']];
    const pad = (s: string, n: number) => s.padEnd(n);
    console.log(`${pad('query', 28)}${pad('rows', 8)}${pad('p50 ms', 10)}${pad('p95 ms', 10)}baseline`);
    let worst = 0;
    for (const g of GROUPS) {
      const label = `usage ${g.length ? g.map((x) => x.toUpperCase()).join('+') : '(totals)'}`;
      const res = await usage(ctx, filter, g);
      const roll = await time(() => usage(ctx, filter, g), RUNS);
      worst = Math.max(worst, roll.p50);
      const raw = await time(rawScan(em, from, to, g), RAW_RUNS, 1);
      console.log(
        `${pad(label, 28)}${pad(String(res.rows.length), 8)}${pad(roll.p50.toFixed(2), 10)}${pad(roll.p95.toFixed(2), 10)}roll-up p50 ${roll.p50.toFixed(1)} ms vs raw scan p50 ${raw.p50.toFixed(0)} ms (${(raw.p50 / roll.p50).toFixed(0)}× faster)`,
      );
    }
    const ca = await time(() => cacheAnalytics(ctx, filter), RUNS);
    console.log(`${pad('cacheAnalytics', 28)}${pad('', 8)}${pad(ca.p50.toFixed(2), 10)}${pad(ca.p95.toFixed(2), 10)}`);
    // scoped reads a dashboard makes: one user, one team
    const user = await time(() => usage(ctx, { ...filter, userId: 'user-7' }, ['day', 'model']), RUNS);
    console.log(`${pad('usage DAY+MODEL, one user', 36)}${pad(user.p50.toFixed(2), 10)}${pad(user.p95.toFixed(2), 10)}`);
    const team = await time(() => usage(ctx, { ...filter, teamId: 'team-3' }, ['day', 'user']), RUNS);
    console.log(`${pad('usage DAY+USER, one team', 36)}${pad(team.p50.toFixed(2), 10)}${pad(team.p95.toFixed(2), 10)}`);
    console.log(`\nslowest usage p50: ${worst.toFixed(1)} ms (target < 50 ms): ${worst < 50 ? 'met' : 'NOT met'}`);
  } finally {
    await orm.close(true);
    if (opt.keep || !dir) console.log(`database kept at ${file}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
