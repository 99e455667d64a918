import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { buildCli, freshHome, purser, REPO, type CliEnv } from './run.js';

/** `purser usage`, `whoami`, `login` / `logout` against a real Purser with real gateway traffic. */
let s: TestServer;
let admin: CliEnv;
let alice: CliEnv;
let bobKey: string;
let cleanup: () => void;
const PASSWORD = 'a long passphrase for alice';

async function chat(key: string, model: string) {
  const res = await fetch(`${s.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }] }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  cleanup = await buildCli();
  s = await startServer();
  const res = await s.rest('POST', '/user/new', { user_id: 'alice', user_email: 'alice@example.com', user_role: 'internal_user', password: PASSWORD, auto_create_key: false });
  expect(res.status).toBe(200);
  const aliceKey = (await s.rest('POST', '/key/generate', { user_id: 'alice', key_alias: 'alice-main' })).body.key as string;
  bobKey = await userWithKey(s, { user_id: 'bob', user_email: 'bob@example.com', user_role: 'internal_user' });
  admin = { url: s.url, key: s.masterKey };
  alice = { url: s.url, key: aliceKey };
  await chat(aliceKey, 'gpt-4o-mini');
  await chat(aliceKey, 'gpt-4o-mini');
  await chat(aliceKey, 'gpt-4o');
  await chat(bobKey, 'gpt-4o');
  // the spend recorder writes in batches: write this one now
  await s.running.app.gateway!.recorder.flush();
});
afterAll(async () => {
  await s?.close();
  cleanup?.();
});

describe('purser usage', () => {
  it('totals for the last 7 days by default, scoped by role', async () => {
    const all = await purser(['usage', '--json'], admin);
    expect(all.code, all.stderr).toBe(0);
    const body = JSON.parse(all.stdout);
    expect(body.totals.requests).toBe(4);
    const today = new Date().toISOString().slice(0, 10);
    expect(body.to).toBe(today);
    expect(body.from).toBe(new Date(Date.now() - 7 * 864e5).toISOString().slice(0, 10));
    const own = JSON.parse((await purser(['usage', '--json'], alice)).stdout);
    expect(own.totals.requests).toBe(3);
    const table = await purser(['usage'], alice);
    expect(table.stdout).toMatch(/requests\s+│ 3 \(0 failed, 0 from cache\)/);
  });

  it('--by model as a table, --by day,model in JSON, --csv as CSV', async () => {
    const t = await purser(['usage', '--since', '7d', '--by', 'model'], alice);
    expect(t.code, t.stderr).toBe(0);
    expect(t.stdout).toMatch(/│ gpt-4o-mini\s+│ 2\s+│/);
    expect(t.stdout).toMatch(/│ gpt-4o\s+│ 1\s+│/);
    const j = JSON.parse((await purser(['usage', '--by', 'day,model', '--json'], admin)).stdout);
    expect(j.groupBy).toEqual(['day', 'model']);
    expect(j.rows.map((r: { model: string; requests: number }) => [r.model, r.requests]).sort()).toEqual([['gpt-4o', 2], ['gpt-4o-mini', 2]]);
    const csv = await purser(['usage', '--by', 'user', '--csv'], admin);
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('user,requests,failures,spend,prompt tokens,completion tokens,cache hits');
    expect(lines.slice(1).map((l) => l.split(',').slice(0, 2).join(',')).sort()).toEqual(['alice,3', 'bob,1']);
  });

  it('--from/--to pick the days; a range without calls is empty', async () => {
    const r = JSON.parse((await purser(['usage', '--from', '2020-01-01', '--to', '2020-01-31', '--json'], admin)).stdout);
    expect(r).toMatchObject({ from: '2020-01-01', to: '2020-01-31', totals: { requests: 0 } });
  });

  it('refuses bad input with exit 2 before any request', async () => {
    for (const args of [
      ['--since', 'banana'],
      ['--since', '-7d'],
      ['--from', '2026-13-01'],
      ['--from', '2026-02-30'],
      ['--since', '7d', '--from', '2026-01-01'],
      ['--by', 'week'],
      ['--from', '2026-02-01', '--to', '2026-01-01'],
      ['--csv', '--json'],
    ]) {
      const r = await purser(['usage', ...args], { ...admin, url: 'http://127.0.0.1:9' });
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stdout).toBe('');
    }
    const named = await purser(['usage', '--since', 'banana'], admin);
    expect(named.stderr).toContain("option '--since <duration>' argument 'banana' is invalid");
  });
});

describe('purser login, whoami, logout', () => {
  it('whoami with a virtual key and with the master key', async () => {
    const r = await purser(['whoami'], alice);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/email\s+│ alice@example\.com/);
    expect(r.stdout).toMatch(/role\s+│ internal_user/);
    expect(r.stdout).toMatch(/signed in with\s+│ virtual_key/);
    expect(JSON.parse((await purser(['whoami', '--json'], admin)).stdout)).toMatchObject({ authMethod: 'MASTER_KEY', user: { userRole: 'PROXY_ADMIN' } });
  });

  it('signs in with --password-stdin, keeps only the session (mode 0600), uses it, and signs out', async () => {
    const home = freshHome();
    const env = { url: s.url, key: null, home };
    const login = await purser(['login', '--email', 'alice@example.com', '--password-stdin'], { ...env, stdin: `${PASSWORD}\n` });
    expect(login.code, login.stderr).toBe(0);
    expect(login.stdout).toContain(`Signed in to ${s.url} as alice@example.com (internal_user).`);
    const file = join(home, '.config', 'purser', 'session.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const stored = readFileSync(file, 'utf8');
    expect(stored).not.toContain(PASSWORD);
    expect(JSON.parse(stored)).toMatchObject({ url: s.url, email: 'alice@example.com' });

    const who = JSON.parse((await purser(['whoami', '--json'], env)).stdout);
    expect(who).toMatchObject({ authMethod: 'SESSION', user: { id: 'alice' } });
    const made = await purser(['keys', 'create', '--alias', 'from-session', '--json'], env);
    expect(made.code, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout).key.userId).toBe('alice');

    const out = await purser(['logout'], env);
    expect(out.code, out.stderr).toBe(0);
    expect(existsSync(file)).toBe(false);
    const after = await purser(['whoami'], env);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^UNAUTHENTICATED: /);
  });

  it('a wrong password is refused (exit 1) and stores nothing; no terminal and no --password-stdin is exit 2', async () => {
    const home = freshHome();
    const bad = await purser(['login', '--email', 'alice@example.com', '--password-stdin'], { url: s.url, key: null, home, stdin: 'wrong password\n' });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^UNAUTHENTICATED: |^BAD_USER_INPUT: /);
    expect(existsSync(join(home, '.config', 'purser', 'session.json'))).toBe(false);
    const noTty = await purser(['login', '--email', 'alice@example.com'], { url: s.url, key: null, home });
    expect(noTty.code).toBe(2);
    expect(noTty.stderr).toContain('--password-stdin');
  });

  it('the installed command (cli/bin/purser.js) runs', async () => {
    const { spawnSync } = await import('node:child_process');
    const r = spawnSync(process.execPath, [join(REPO, 'cli/bin/purser.js'), '--version'], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(REPO, 'cli/package.json'), 'utf8')).version);
  });
});
