/**
 * Contract: a database written in micro-dollars (every migration before the nano-dollar one)
 * reads the same USD after Purser migrates it — budgets, spend counters, spend rows and
 * roll-ups, on SQLite and on PostgreSQL — over REST and GraphQL of a running server. Limits
 * above $9,000,000 (once allowed, up to $1e9) are capped there; "no limit" stays no limit.
 */
import { MikroORM } from '@mikro-orm/core';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ormOptions } from '../../api/src/db/orm.js';
import { postgresqlMigrations } from '../../api/src/db/migrations/postgresql/index.js';
import { sqliteMigrations } from '../../api/src/db/migrations/sqlite/index.js';
import { sha256, sql } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { startServer, type TestServer } from '../helpers/server.js';

const SECRET = 'sk-money-migration-0123456789abcdef';
const BIG_SECRET = 'sk-money-migration-big-0123456789ab';
const DAY = new Date().toISOString().slice(0, 10);

/** the last migration of each dialect that still counted micro-dollars */
const LAST_MICROS = { sqlite: 'Migration20261206213723', postgresql: 'Migration20261206213724' };

/** Migrates an empty database up to the micro-dollar schema and writes rows the way it stored them. */
async function seedMicros(url: string, dialect: 'sqlite' | 'postgresql') {
  const list = dialect === 'sqlite' ? sqliteMigrations : postgresqlMigrations;
  expect(list.map((m) => m.name)).toContain(LAST_MICROS[dialect]);
  const orm = await MikroORM.init(ormOptions(url));
  try {
    await orm.getMigrator().up({ to: LAST_MICROS[dialect] });
    const run = (q: string, p: unknown[]) => orm.em.getConnection().execute(q, p);
    const now = new Date();
    await run(
      `insert into teams (id, created_at, updated_at, models, member_permissions, metadata, budget_max_budget, budget_spend) values (?, ?, ?, '[]', '[]', '{}', ?, ?)`,
      ['mig-team', now, now, 2_500_000, 1_234_567],
    );
    await run(
      `insert into users (id, created_at, updated_at, role, models, metadata, budget_max_budget, budget_soft_budget, budget_spend, personal_spend_micros) values (?, ?, ?, 'internal_user', '[]', '{}', ?, null, ?, ?)`,
      ['mig-user', now, now, 10_000_000, 300_000, 250_000],
    );
    await run(
      `insert into team_memberships (id, created_at, updated_at, user_id, team_id, role, budget_max_budget, budget_spend) values (?, ?, ?, 'mig-user', 'mig-team', 'user', ?, ?)`,
      [randomUUID(), now, now, 1_000_000, 7],
    );
    const keyId = randomUUID();
    await run(
      `insert into virtual_keys (id, created_at, updated_at, token, key_name, models, metadata, user_id, team_id, key_alias, budget_max_budget, budget_soft_budget, budget_spend) values (?, ?, ?, ?, 'sk-...cdef', '[]', '{}', 'mig-user', 'mig-team', 'mig-key', ?, ?, ?)`,
      [keyId, now, now, sha256(SECRET), 1, 500_000, 123_456],
    );
    // $1e9 was the old largest budget: 1e15 micro-dollars
    await run(
      `insert into virtual_keys (id, created_at, updated_at, token, key_name, models, metadata, user_id, key_alias, budget_max_budget, budget_soft_budget, budget_spend) values (?, ?, ?, ?, 'sk-...89ab', '[]', '{}', 'mig-user', 'mig-big', ?, ?, ?)`,
      [randomUUID(), now, now, sha256(BIG_SECRET), 1e15, null, 0],
    );
    for (const [rid, cost, hit, saved] of [['mig-r1', 123_456, false, 0], ['mig-r2', 0, true, 50_000]] as const)
      await run(
        `insert into spend_logs (request_id, key_token, key_id, user_id, team_id, model, call_type, prompt_tokens, completion_tokens, cost_micros, cache_hit, saved_micros, status, start_time, end_time) values (?, ?, ?, 'mig-user', 'mig-team', 'm', 'chat', 10, 20, ?, ?, ?, 'success', ?, ?)`,
        [rid, sha256(SECRET), keyId, cost, hit, saved, now, now],
      );
    const metrics = `requests, successes, prompt_tokens, completion_tokens, spend_micros, cache_hits, saved_micros`;
    const vals = [2, 2, 20, 40, 123_456, 1, 50_000];
    await run(`insert into daily_model_spend (day, model, ${metrics}) values (?, 'm', ?, ?, ?, ?, ?, ?, ?)`, [DAY, ...vals]);
    await run(`insert into daily_team_spend (day, team_id, model, ${metrics}) values (?, 'mig-team', 'm', ?, ?, ?, ?, ?, ?, ?)`, [DAY, ...vals]);
    await run(`insert into daily_user_spend (day, user_id, model, ${metrics}) values (?, 'mig-user', 'm', ?, ?, ?, ?, ?, ?, ?)`, [DAY, ...vals]);
    await run(`insert into daily_key_spend (day, key_id, user_id, team_id, ${metrics}) values (?, ?, 'mig-user', 'mig-team', ?, ?, ?, ?, ?, ?, ?)`, [DAY, keyId, ...vals]);
    await run(`insert into daily_key_model_spend (day, key_id, model, user_id, team_id, ${metrics}) values (?, ?, 'm', 'mig-user', 'mig-team', ?, ?, ?, ?, ?, ?, ?)`, [DAY, keyId, ...vals]);
    await run(`insert into weekly_key_spend (week, key_id, user_id, team_id, ${metrics}) values ('2026-11-30', ?, 'mig-user', 'mig-team', ?, ?, ?, ?, ?, ?, ?)`, [keyId, ...vals]);
    return keyId;
  } finally {
    await orm.close(true);
  }
}

/** The same USD, read after the server migrated the database on start. */
function readsTheSameUsd(dialect: 'sqlite' | 'postgresql', open: () => Promise<{ url: string; done: () => Promise<void> }>) {
  describe(`money migration: ${dialect}`, () => {
    let s: TestServer;
    let keyId: string;
    let done: () => Promise<void>;
    beforeAll(async () => {
      const db = await open();
      done = db.done;
      keyId = await seedMicros(db.url, dialect);
      s = await startServer({}, { databaseUrl: db.url });
    });
    afterAll(async () => {
      await s?.close();
      await done?.();
    });

    it('applies the nano-dollar migration and multiplies every stored amount by 1000', async () => {
      const [k] = await sql(s, 'select budget_max_budget, budget_soft_budget, budget_spend from virtual_keys where id = ?', [keyId]);
      expect([k.budget_max_budget, k.budget_soft_budget, k.budget_spend].map(Number)).toEqual([1000, 500_000_000, 123_456_000]);
      const [u] = await sql(s, 'select personal_spend_nanos, budget_soft_budget from users where id = ?', ['mig-user']);
      expect([Number(u.personal_spend_nanos), u.budget_soft_budget]).toEqual([250_000_000, null]);
      const [m] = await sql(s, 'select budget_max_budget, budget_spend from team_memberships where user_id = ?', ['mig-user']);
      expect([m.budget_max_budget, m.budget_spend].map(Number)).toEqual([1_000_000_000, 7000]);
      const [w] = await sql(s, 'select spend_nanos, saved_nanos from weekly_key_spend where key_id = ?', [keyId]);
      expect([w.spend_nanos, w.saved_nanos].map(Number)).toEqual([123_456_000, 50_000_000]);
    });

    it('REST: key, user and team budgets and spend read the same USD', async () => {
      const key = await s.rest('GET', '/key/info?key=' + SECRET);
      expect(key.status).toBe(200);
      expect(key.body.info).toMatchObject({ max_budget: 0.000001, soft_budget: 0.5, spend: 0.123456 });
      const user = await s.rest('GET', '/user/info?user_id=mig-user');
      expect(user.status).toBe(200);
      expect(user.body.user_info).toMatchObject({ max_budget: 10, spend: 0.3 });
      const team = await s.rest('GET', '/team/info?team_id=mig-team');
      expect(team.status).toBe(200);
      expect(team.body.team_info).toMatchObject({ max_budget: 2.5, spend: 1.234567 });
    });

    it('a $1e9 limit from before is capped at $9,000,000, the largest exact amount', async () => {
      const big = await s.rest('GET', '/key/info?key=' + BIG_SECRET);
      expect(big.body.info).toMatchObject({ max_budget: 9_000_000, soft_budget: null, spend: 0 });
    });

    it('spend rows and roll-ups read the same USD over REST and GraphQL', async () => {
      const logs = await s.rest('GET', `/spend/logs?start_date=${DAY}&end_date=${DAY}`);
      expect(logs.status).toBe(200);
      const byId = Object.fromEntries(logs.body.map((r: any) => [r.request_id, [r.spend, r.metadata.saved_cost]]));
      expect(byId).toEqual({ 'mig-r1': [0.123456, 0], 'mig-r2': [0, 0.05] });
      const usage = await s.gql(`query($f: UsageFilter!) { usage(filter: $f, groupBy: [KEY]) { totals { spend cacheSavings requests } rows { keyId spend } } }`, {
        f: { from: DAY, to: DAY },
      });
      expect(usage.errors).toBeUndefined();
      expect(usage.data.usage.totals).toEqual({ spend: 0.123456, cacheSavings: 0.05, requests: 2 });
      expect(usage.data.usage.rows).toEqual([{ keyId, spend: 0.123456 }]);
      const gq = await s.gql(`{ key(id: "${keyId}") { maxBudget softBudget spend } }`);
      expect(gq.errors).toBeUndefined();
      expect(gq.data.key).toEqual({ maxBudget: 0.000001, softBudget: 0.5, spend: 0.123456 });
    });
  });
}

readsTheSameUsd('sqlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'purser-money-'));
  return { url: `sqlite:${join(dir, 'purser.db')}`, done: async () => rmSync(dir, { recursive: true, force: true }) };
});

readsTheSameUsd('postgresql', async () => {
  const db = await freshPostgres();
  return { url: db.url, done: db.drop };
});
