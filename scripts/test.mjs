#!/usr/bin/env node
// `npm test`: check the SDL for unannounced breaking changes, build what the suites serve (API,
// dashboard, CLI), then run every vitest suite (SQLite), then the suites that exercise the
// database layer once more on PostgreSQL (PG_SUITES). `npm test -- FILES` runs only those files,
// on SQLite; `npm test -- --pg` only the PostgreSQL pass; PURSER_TEST_PG=0 skips it.
// When run as root it installs what npm cannot (Debian's chromium) for the browser suites.
import { execSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const run = (cmd) => execSync(cmd, { stdio: 'inherit' });

function ensureChromium() {
  if (existsSync('/usr/bin/chromium') || process.env.PURSER_SKIP_BROWSER_INSTALL) return;
  if (process.getuid?.() !== 0) {
    console.warn('chromium is missing and this is not root: install Debian\'s chromium for the browser suites');
    return;
  }
  console.log('installing Debian chromium for the browser suites');
  run('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium > /dev/null');
}

/** The real coding-agent CLIs of test/clients: their own lock file (large native binaries, not a workspace). */
function ensureClients() {
  if (existsSync('test/clients/node_modules/.package-lock.json')) return;
  console.log('installing test/clients (Claude Code and Codex from npm) for the client suites');
  run('npm ci --prefix test/clients --no-audit --no-fund');
}

/**
 * The PostgreSQL pass (PURSER_TEST_DB=postgresql: each test server on a fresh database of its
 * own, test/helpers/server.ts): the API, gateway and sign-in suites whose outcome rests on SQL
 * — writes and their audit, spend and roll-ups, money columns, budget windows and resets, date
 * arithmetic, sessions, input the database must never see. Left out (SQLite only): suites that
 * already run on PostgreSQL by themselves (migrations, scale-out, outages, Redis), and those
 * the dialect does not touch (role matrix, CLI, schema and lint checks, protocol translation,
 * error shapes); `npm run test:pg` runs every API, gateway and sign-in suite on PostgreSQL.
 */
const PG_SUITES = [
  // API: management writes, audit, sessions, notices, the credential path
  'test/api/access-requests.test.ts',
  'test/api/audit-actor.test.ts',
  'test/api/bad-input.test.ts',
  'test/api/budget-runway.test.ts',
  'test/api/calling-key.test.ts',
  'test/api/credential-path.test.ts',
  'test/api/house-rules.test.ts',
  'test/api/invitations.test.ts',
  'test/api/invite-teams.test.ts',
  'test/api/key-expiry-notices.test.ts',
  'test/api/key-rotation.test.ts',
  'test/api/key-rules.test.ts',
  'test/api/leaked-keys.test.ts',
  'test/api/litellm-compat-keys.test.ts',
  'test/api/litellm-compat-team-key.test.ts',
  'test/api/litellm-compat-users.test.ts',
  'test/api/member-spend.test.ts',
  'test/api/parity.test.ts',
  'test/api/playground-key.test.ts',
  'test/api/scim.test.ts',
  'test/api/signin.test.ts',
  'test/api/signin-hardening.test.ts',
  'test/api/unstorable-input.test.ts',
  'test/api/usage-names.test.ts',
  'test/api/user-update-by-email.test.ts',
  // gateway: spend rows, budgets, money, roll-ups, resets, customers
  'test/gateway/alert-email.test.ts',
  'test/gateway/budgets.test.ts',
  'test/gateway/customers.test.ts',
  'test/gateway/hostile-numbers.test.ts',
  'test/gateway/key-limits.test.ts',
  'test/gateway/litellm-compat-spend-report.test.ts',
  'test/gateway/member-removal.test.ts',
  'test/gateway/money-exact.test.ts',
  'test/gateway/prompt-cache.test.ts',
  'test/gateway/reset.test.ts',
  'test/gateway/spend.test.ts',
  'test/gateway/streaming-cache.test.ts',
  'test/gateway/usage.test.ts',
  // sign-in: SSO users, teams and sessions
  'test/sso/sso.test.ts',
];

const args = process.argv.slice(2);
const pgOnly = args[0] === '--pg';
const files = pgOnly ? [] : args;
const vitest = (list, env = {}) => spawnSync('npx', ['vitest', 'run', ...list], { stdio: 'inherit', env: { ...process.env, ...env } }).status ?? 1;

run('node scripts/schema-guard.mjs');
ensureChromium();
ensureClients();
run('npm run build');
const sqlite = pgOnly ? 0 : vitest(files);
if (files.length || process.env.PURSER_TEST_PG === '0') process.exit(sqlite);
// run even after a SQLite failure: CI reports both passes
console.log(`\nPostgreSQL pass: ${PG_SUITES.length} suites, each server on its own database`);
const started = Date.now();
const pg = vitest(PG_SUITES, { PURSER_TEST_DB: 'postgresql' });
console.log(`PostgreSQL pass: ${pg === 0 ? 'passed' : 'failed'} in ${Math.round((Date.now() - started) / 1000)} s`);
process.exit(sqlite || pg);
