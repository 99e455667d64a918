#!/usr/bin/env node
// `npm test`: check the SDL for unannounced breaking changes, build what the suites serve (API,
// dashboard, CLI), then run every vitest suite.
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

run('node scripts/schema-guard.mjs');
ensureChromium();
ensureClients();
run('npm run build');
const res = spawnSync('npx', ['vitest', 'run', ...process.argv.slice(2)], { stdio: 'inherit' });
process.exit(res.status ?? 1);
