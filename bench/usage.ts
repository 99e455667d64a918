/**
 * `npm run bench:usage`: how fast `usage` and `cacheAnalytics` answer from the daily roll-ups.
 *
 * Seeds a fresh SQLite file (bench/seed.ts: migrated by `openDatabase`, exactly as the server opens it) with
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
 *          --pg (a fresh PostgreSQL database instead: DATABASE_URL_PG names the server's admin
 *          database, default postgres://postgres@127.0.0.1:5432/postgres; dropped after the run)
 *          --keep (keep the database and print its path or URL) --db FILE|URL (reuse one seeded with --keep)
 */
import 'reflect-metadata';
import { ROLLUPS } from '../api/src/spend/recorder.js';
import { MODELS, seedDatabase } from './seed.js';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { App, Ctx } from '../api/src/app/context.js';
import type { Principal } from '../api/src/auth/principal.js';
import { dialectOf, openDatabase } from '../api/src/db/orm.js';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
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
    pg: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});
const ROWS = Number(opt.rows);
const DAYS = Number(opt.days);
const RANGE = Number(opt.range);
const RUNS = Number(opt.runs);
const RAW_RUNS = Number(opt['raw-runs']);
const MODELS_PER_KEY = Number(opt['models-per-key']);
const KEYS = 1000;
const USERS = 100;
const TEAMS = 20;

async function seed(em: SqlEntityManager, isPg: boolean) {
  const { seconds } = await seedDatabase(em, { rows: ROWS, days: DAYS, keys: KEYS, users: USERS, teams: TEAMS, modelsPerKey: MODELS_PER_KEY, dialect: isPg ? 'postgresql' : 'sqlite' });
  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  return { from: new Date(today - (RANGE - 1) * 86_400_000).toISOString().slice(0, 10), to: new Date(today).toISOString().slice(0, 10), seconds };
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
function rawScan(em: SqlEntityManager, from: string, to: string, dims: UsageDim[], isPg: boolean) {
  const day = isPg ? "to_char(start_time at time zone 'UTC', 'YYYY-MM-DD')" : "strftime('%Y-%m-%d', start_time / 1000, 'unixepoch')";
  const col: Record<UsageDim, string> = { day, model: 'model', key: 'key_id', user: 'user_id', team: 'team_id', customer: 'end_user' };
  const sel = dims.map((d) => `${col[d]} as ${d}`);
  const sql = `select ${[...sel, 'count(*) as requests', "sum(case when status = 'success' then 1 else 0 end) as successes", "sum(case when status = 'failure' then 1 else 0 end) as failures",
    'sum(prompt_tokens) as prompt_tokens', 'sum(completion_tokens) as completion_tokens', 'sum(cost_nanos) as spend_nanos', 'sum(case when cache_hit then 1 else 0 end) as cache_hits',
    'sum(saved_nanos) as saved_nanos'].join(', ')} from spend_logs where start_time >= ? and start_time < ?${dims.length ? ` group by ${dims.map((_, i) => i + 1).join(', ')}` : ''}`;
  const lo = Date.parse(`${from}T00:00:00Z`);
  const hi = Date.parse(`${to}T00:00:00Z`) + 86_400_000;
  return () => em.getConnection().execute(sql, isPg ? [new Date(lo), new Date(hi)] : [lo, hi]);
}

const PG_ADMIN = process.env.DATABASE_URL_PG ?? 'postgres://postgres@127.0.0.1:5432/postgres';
async function pgAdmin(sql: string) {
  const c = new pg.Client({ connectionString: PG_ADMIN });
  await c.connect();
  try {
    await c.query(sql);
  } finally {
    await c.end();
  }
}

async function main() {
  const isPg = opt.pg || (!!opt.db && dialectOf(opt.db) === 'postgresql');
  const dir = opt.db || isPg ? null : mkdtempSync(join(tmpdir(), 'purser-bench-usage-'));
  const pgName = isPg && !opt.db ? `purser_bench_usage_${randomBytes(4).toString('hex')}` : null;
  if (pgName) await pgAdmin(`create database ${pgName}`);
  const file = opt.db ?? (pgName ? PG_ADMIN.replace(/\/[^/]*$/, `/${pgName}`) : join(dir!, 'usage.db'));
  console.log(`bench:usage — ${isPg ? 'PostgreSQL' : 'SQLite'}, ${ROWS.toLocaleString('en-US')} spend rows, ${KEYS} keys, ${USERS} users, ${TEAMS} teams, ${MODELS.length} models (${MODELS_PER_KEY} per key), ${DAYS} days; ${availableParallelism()} cores`);
  const orm = await openDatabase(isPg ? file : `sqlite:${file}`);
  try {
    const em = orm.em.fork() as SqlEntityManager;
    const { from, to, seconds } = opt.db ? await reuse(em) : await seed(em, isPg);
    const size = isPg
      ? Number(((await em.getConnection().execute('select pg_database_size(current_database()) as n')) as Array<{ n: string }>)[0]!.n)
      : statSync(file).size;
    const counts = await Promise.all(
      ['spend_logs', ...ROLLUPS.map((r) => r.table)].map(async (t) => `${t} ${Number(((await em.getConnection().execute(`select count(*) as n from ${t}`)) as Array<{ n: number }>)[0]!.n).toLocaleString('en-US')}`),
    );
    console.log(`seeded in ${seconds.toFixed(1)} s; ${isPg ? 'database' : 'file'} ${(size / 1e6).toFixed(0)} MB; rows: ${counts.join(', ')}`);

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
      const raw = await time(rawScan(em, from, to, g, isPg), RAW_RUNS, 1);
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
    if (opt.keep || opt.db) console.log(`database kept at ${file}`);
    else if (pgName) await pgAdmin(`drop database if exists ${pgName} with (force)`);
    else if (dir) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
