/**
 * `npm run bench:ui`: the dashboard's first GraphQL query of each page, at scale.
 *
 * Seeds a fresh SQLite file through bench/seed.ts (the app's own tables, migrated as the
 * server migrates them): 100,000 keys, 1,000 users, 50 teams, 1,000,000 spend rows over 90
 * days with their roll-ups, and 100,000 audit entries. Then starts the real Purser on it and
 * POSTs each page's first query (the very documents ui/src sends, from the generated
 * ui/src/lib/graphql) over HTTP, as the master-key admin (everything in scope) and as one
 * internal user (own keys), and reports p50/p95 and the ratio of p50 to a trivial
 * `{ __typename }` in the same run (what the server costs per request anyway).
 *
 * Options: --keys N (100000) --rows N (1000000) --users N (1000) --teams N (50) --audit N (100000)
 *          --days N (90) --runs N (20) --keep (keep the database) --db FILE (reuse a kept file)
 */
import 'reflect-metadata';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { print, type DocumentNode } from 'graphql';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startPurser } from '../api/src/app/bootstrap.js';
import { openDatabase } from '../api/src/db/orm.js';
import {
  AuditLogDocument,
  CachePageDocument,
  KeysDocument,
  TeamDocument,
  TeamsDocument,
  UsagePageDocument,
  UsersDocument,
} from '../ui/src/lib/graphql/graphql.js';
import { seedDatabase } from './seed.js';

const { values: opt } = parseArgs({
  options: {
    keys: { type: 'string', default: '100000' },
    rows: { type: 'string', default: '1000000' },
    users: { type: 'string', default: '1000' },
    teams: { type: 'string', default: '50' },
    audit: { type: 'string', default: '100000' },
    days: { type: 'string', default: '90' },
    runs: { type: 'string', default: '20' },
    keep: { type: 'boolean', default: false },
    db: { type: 'string' },
  },
});
const RUNS = Number(opt.runs);
const MASTER = 'sk-bench-ui-master-0123456789';
const day = (ago: number) => new Date(Date.now() - ago * 86_400_000).toISOString().slice(0, 10);
/** the usage and cache pages' default range: the last 28 days */
const RANGE = { from: day(27), to: day(0) };

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;

async function main() {
  const dir = opt.db ? null : mkdtempSync(join(tmpdir(), 'purser-bench-ui-'));
  const file = opt.db ?? join(dir!, 'ui.db');
  const shape = { keys: Number(opt.keys), rows: Number(opt.rows), users: Number(opt.users), teams: Number(opt.teams), audit: Number(opt.audit), days: Number(opt.days), modelsPerKey: 3 };
  console.log(`bench:ui — ${shape.keys.toLocaleString('en-US')} keys, ${shape.rows.toLocaleString('en-US')} spend rows, ${shape.users.toLocaleString('en-US')} users, ${shape.teams} teams, ${shape.audit.toLocaleString('en-US')} audit entries; ${availableParallelism()} cores`);
  if (!opt.db) {
    const orm = await openDatabase(`sqlite:${file}`);
    try {
      const { seconds } = await seedDatabase(orm.em.fork() as SqlEntityManager, shape);
      console.log(`seeded in ${seconds.toFixed(1)} s; file ${(statSync(file).size / 1e6).toFixed(0)} MB`);
    } finally {
      await orm.close(true);
    }
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'purser-bench-ui-data-'));
  const quiet = { info() {}, warn() {}, error: (m: string) => console.error(m) };
  const running = await startPurser({
    configObject: { general_settings: { master_key: MASTER, database_url: `sqlite:${file}` }, model_list: [{ model_name: 'model-0', litellm_params: { model: 'openai/model-0', mock_response: 'hi' } }] },
    port: 0,
    host: '127.0.0.1',
    dataDir,
    env: { PATH: process.env.PATH },
    log: quiet,
    uiDir: null,
  });
  try {
    const post = async (query: string, variables: Record<string, unknown>, auth: string) => {
      const res = await fetch(`${running.url}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${auth}` }, body: JSON.stringify({ query, variables }) });
      const json = (await res.json()) as { errors?: Array<{ message: string }> };
      if (json.errors?.length) throw new Error(`${query.slice(0, 40)}…: ${json.errors[0]!.message}`);
      return json;
    };
    // one internal user's own key, to time the pages as they see them
    const minted = (await post(`mutation { generateKey(input: { userId: "user-7" }) { secret } }`, {}, MASTER)) as { data: { generateKey: { secret: string } } };
    const user = minted.data.generateKey.secret;

    const page = (doc: DocumentNode) => print(doc);
    const cases: Array<{ label: string; query: string; variables: Record<string, unknown>; auth: string }> = [
      { label: 'trivial { __typename }', query: '{ __typename }', variables: {}, auth: MASTER },
      { label: 'Keys, first page (admin: all)', query: page(KeysDocument), variables: { first: 25, after: null, filter: null }, auth: MASTER },
      { label: 'Keys, first page (internal user)', query: page(KeysDocument), variables: { first: 25, after: null, filter: null }, auth: user },
      { label: 'Users, first page', query: page(UsersDocument), variables: { first: 25, after: null, filter: null }, auth: MASTER },
      { label: 'Usage, 28 days (admin: everyone)', query: page(UsagePageDocument), variables: { filter: RANGE, byKey: true, byUser: true, byTeam: true }, auth: MASTER },
      { label: 'Usage, 28 days (internal user)', query: page(UsagePageDocument), variables: { filter: { ...RANGE, userId: 'user-7' }, byKey: true, byUser: false, byTeam: true }, auth: user },
      { label: 'Cache, 28 days (admin)', query: page(CachePageDocument), variables: { filter: RANGE, range: RANGE }, auth: MASTER },
      { label: 'Cache, 28 days (internal user)', query: page(CachePageDocument), variables: { filter: RANGE, range: RANGE }, auth: user },
      { label: 'Teams, first page', query: page(TeamsDocument), variables: { first: 25, after: null }, auth: MASTER },
      { label: 'Team page', query: page(TeamDocument), variables: { id: 'team-3' }, auth: MASTER },
      { label: 'Audit, first page', query: page(AuditLogDocument), variables: { first: 25, after: null, filter: null }, auth: MASTER },
    ];

    const results: Array<{ label: string; p50: number; p95: number }> = [];
    for (const c of cases) {
      for (let i = 0; i < 3; i++) await post(c.query, c.variables, c.auth);
      const ms: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const t = performance.now();
        await post(c.query, c.variables, c.auth);
        ms.push(performance.now() - t);
      }
      results.push({ label: c.label, p50: pct(ms, 50), p95: pct(ms, 95) });
      process.stdout.write(`  ${c.label}: p50 ${pct(ms, 50).toFixed(1)} ms\n`);
    }
    const base = results[0]!.p50;
    console.log(`\n${RUNS} runs each after 3 warm-up runs, over HTTP to the real server\n`);
    console.log(`| page (first query) | p50 ms | p95 ms | p50 / trivial |`);
    console.log(`|---|---:|---:|---:|`);
    for (const r of results) console.log(`| ${r.label} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${(r.p50 / base).toFixed(1)}× |`);
  } finally {
    await running.close();
    rmSync(dataDir, { recursive: true, force: true });
    if (opt.keep || !dir) console.log(`database kept at ${file}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

await main();
