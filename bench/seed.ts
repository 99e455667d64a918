/**
 * Bulk seeding for the benchmarks: users, teams, virtual keys, spend log rows and their
 * roll-ups (five daily, four weekly, computed in memory while generating), written with
 * multi-row INSERTs in transactions into a database migrated by `openDatabase`, exactly as
 * the server opens it, so every query reads the same tables the app writes.
 * Deterministic (mulberry32): the same data on every run.
 */
import { METRICS, ROLLUPS } from '../api/src/spend/recorder.js';
import type { SqlEntityManager } from '@mikro-orm/knex';

export interface SeedShape {
  /** spend log rows */
  rows: number;
  /** days of spend, ending today (UTC) */
  days: number;
  keys: number;
  users: number;
  teams: number;
  /** how many of the 10 models each key calls */
  modelsPerKey: number;
  /** audit entries (one key.generate each, newest last) */
  audit?: number;
  log?: (line: string) => void;
  /** the database's dialect (default sqlite): timestamps and booleans are written its way */
  dialect?: 'sqlite' | 'postgresql';
}

export const MODELS = Array.from({ length: 10 }, (_, i) => `model-${i}`);
const PRICES = MODELS.map((_, i) => ({ input: (i + 1) * 0.25e-6, output: (i + 1) * 1e-6 }));

let seed = 0x5eed;
const rand = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const int = (n: number) => Math.floor(rand() * n);
export const hex = (n: number, len: number) => n.toString(16).padStart(len, '0');
/** the id of key number i */
export const keyId = (i: number) => `00000000-0000-4000-8000-${hex(i, 12)}`;

interface Key { id: string; token: string; user: string; team: string; models: number[] }

const DAILY = ROLLUPS.filter((t) => t.dims[0] === 'day');
const WEEKLY = ROLLUPS.filter((t) => t.dims[0] === 'week');
/** the UTC Monday of the ISO week holding a day start */
const mondayOf = (dayStart: number) => new Date(dayStart - ((new Date(dayStart).getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
const LOG_COLS = [
  'request_id', 'key_token', 'key_id', 'user_id', 'team_id', 'model', 'deployment', 'call_type', 'prompt_tokens', 'completion_tokens',
  'cost_nanos', 'cache_hit', 'saved_nanos', 'status', 'http_status', 'error', 'estimated', 'unpriced', 'start_time', 'end_time',
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

/** Seeds an empty, migrated SQLite or PostgreSQL database; returns the seconds it took. */
export async function seedDatabase(em: SqlEntityManager, shape: SeedShape): Promise<{ seconds: number }> {
  const log = shape.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const pg = shape.dialect === 'postgresql';
  // SQLite keeps timestamps as epoch ms and booleans as 0/1; PostgreSQL has timestamptz and boolean
  const at = (ms: number) => (pg ? new Date(ms) : ms);
  const tsLit = (ms: number) => (pg ? `'${new Date(ms).toISOString()}'` : String(ms));
  const boolLit = (b: boolean) => (pg ? String(b) : b ? '1' : '0');
  const perKey = Math.min(10, Math.max(1, shape.modelsPerKey));
  const keys: Key[] = Array.from({ length: shape.keys }, (_, i) => {
    const user = i % shape.users;
    const models = new Set<number>();
    while (models.size < perKey) models.add(int(MODELS.length));
    return { id: keyId(i), token: hex(i, 64), user: `user-${user}`, team: i % 10 < 7 ? `team-${user % shape.teams}` : '', models: [...models] };
  });
  const knex = em.getKnex();
  const t0 = performance.now();
  if (!pg) await knex.raw('pragma synchronous = off');
  const nowMs = Date.now();
  const now = at(nowMs);
  await knex.transaction(async (trx) => {
    for (let t = 0; t < shape.teams; t++)
      await trx('teams').insert({ id: `team-${t}`, created_at: now, updated_at: now, alias: `Team ${t}`, models: '[]', member_permissions: '[]', metadata: '{}' });
    for (let u = 0; u < shape.users; u += 200)
      await trx('users').insert(
        Array.from({ length: Math.min(200, shape.users - u) }, (_, j) => ({ id: `user-${u + j}`, email: `user-${u + j}@example.com`, email_key: `user-${u + j}@example.com`, created_at: now, updated_at: now, role: 'internal_user', models: '[]', metadata: '{}' })),
      );
    for (let i = 0; i < shape.keys; i += 500)
      await trx('virtual_keys').insert(
        keys.slice(i, i + 500).map((k, j) => ({
          // created one second apart, so paging by creation order has distinct keys
          id: k.id, created_at: at(nowMs - (shape.keys - i - j) * 1000), updated_at: now, token: k.token, key_name: `sk-...${hex((i + j) % 65536, 4)}`, key_alias: `key-${i + j}`,
          user_id: k.user, team_id: k.team || null, models: '[]', metadata: '{}',
        })),
      );
    for (let i = 0; i < (shape.audit ?? 0); i += 500)
      await trx('audit_log').insert(
        Array.from({ length: Math.min(500, shape.audit! - i) }, (_, j) => ({
          id: `00000000-0000-4000-9000-${hex(i + j, 12)}`, at: at(nowMs - (shape.audit! - i - j) * 1000), actor_id: 'default_user_id', actor_method: 'master_key',
          action: 'key.generate', target_type: 'key', target_id: keyId((i + j) % Math.max(1, shape.keys)), before: null, after: '{}',
        })),
      );
  });
  if (shape.keys) log(`  seeded ${shape.users.toLocaleString('en-US')} users, ${shape.teams} teams, ${shape.keys.toLocaleString('en-US')} keys (${((performance.now() - t0) / 1000).toFixed(0)} s)`);

  const today = Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth(), new Date().getUTCDate());
  const firstDay = today - (shape.days - 1) * 86_400_000;
  const perDay = Math.floor(shape.rows / shape.days);
  let requestNo = 0;
  /** weekly roll-ups accumulate across the days of the run and are written at the end */
  const weekly = WEEKLY.map(() => new Map<string, number[]>());
  for (let d = 0; d < shape.days; d++) {
    const dayStart = firstDay + d * 86_400_000;
    const dayStr = new Date(dayStart).toISOString().slice(0, 10);
    const n = d === shape.days - 1 ? shape.rows - perDay * (shape.days - 1) : perDay;
    const times = Array.from({ length: n }, () => dayStart + int(86_400_000)).sort((a, b) => a - b);
    const rollups = DAILY.map(() => new Map<string, number[]>());
    const weekStr = mondayOf(dayStart);
    const logValues: string[] = [];
    for (let r = 0; r < n; r++) {
      const k = keys[int(keys.length)]!;
      const m = k.models[int(k.models.length)]!;
      const prompt = 50 + int(2000);
      const completion = 10 + int(800);
      const price = PRICES[m]!;
      const fullCost = Math.round((prompt * price.input + completion * price.output) * 1e9);
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
          pt, ct, cost, boolLit(hit), saved, lit(failed ? 'failure' : 'success'), failed ? 500 : 200, failed ? lit('upstream error') : 'null', boolLit(false), boolLit(false),
          tsLit(start), tsLit(start + duration), duration, 'null', 'null', 'null',
        ].join(',')})`,
      );
      const dims: Record<string, string> = { day: dayStr, week: weekStr, model: MODELS[m]!, team_id: k.team, user_id: k.user, key_id: k.id, end_user: '' };
      const tables = [...DAILY.map((t, i) => [t, rollups[i]!] as const), ...WEEKLY.map((t, i) => [t, weekly[i]!] as const)];
      tables.forEach(([t, map]) => {
        const key = t.dims.map((x) => dims[x]).join('|');
        let a = map.get(key);
        // one figure per roll-up metric; the provider's prompt-cache ones stay 0 (the seed has no prompt caching)
        if (!a) map.set(key, (a = METRICS.map(() => 0)));
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
    if ((d + 1) % 15 === 0) log(`  seeded ${d + 1}/${shape.days} days (${requestNo.toLocaleString('en-US')} rows, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  }
  await knex.transaction(async (trx) => {
    for (const [i, t] of WEEKLY.entries()) await insertRollup(trx, t, weekly[i]!);
  });
  if (!pg) await knex.raw('pragma synchronous = normal');
  await knex.raw('analyze');
  return { seconds: (performance.now() - t0) / 1000 };
}
