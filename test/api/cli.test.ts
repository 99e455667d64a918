/**
 * Contract: the real CLI (`api/src/main.ts`) as an operator meets it, in a child process
 * whose cwd is a fresh directory (so ./data is fresh). A bad config stops start-up with
 * exit code 1 and one stderr line naming the key path, no stack trace; a far unknown section
 * key only warns; master key = general_settings.master_key > LITELLM_MASTER_KEY > generated
 * into ./data/master_key (0600, printed once); database = general_settings.database_url >
 * DATABASE_URL > ./data/purser.db; a bad --port is refused; SIGTERM stops cleanly (exit 0).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const MAIN = join(ROOT, 'api/src/main.ts');
// `@swc-node/register/esm-register` registers its hooks relative to the cwd, which is a temp
// dir here: register the same hooks by absolute URL instead.
const SWC_ESM = import.meta.resolve('@swc-node/register/esm');
const REGISTER = `data:text/javascript,import{register}from'node:module';register(${JSON.stringify(SWC_ESM)})`;
const STACK_FRAME = /^\s+at .+[(:]/m;
// one start compiles the sources with swc: seconds, more on a busy machine
const START_TIMEOUT = 120_000;

const dirs: string[] = [];
const children: ChildProcess[] = [];

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'purser-cli-'));
  dirs.push(d);
  return d;
}

interface Cli {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** resolves with the exit code */
  exited: Promise<number | null>;
  /** resolves with the URL once the server listens; rejects if the process exits first */
  listening: Promise<string>;
  /** resolves once stdout (or stderr) holds `text`: a pipe delivers lines in chunks, so wait for the one you read */
  printed: (text: string, stream?: 'stdout' | 'stderr') => Promise<void>;
}

/** `node main.ts --config <yaml> --port 0 --host 127.0.0.1 [...extra]` in `cwd`, with exactly `env` (+ PATH). */
function cli(cwd: string, yaml: string | null, env: Record<string, string> = {}, extra: string[] = ['--port', '0']): Cli {
  const args = ['--import', REGISTER, MAIN, '--host', '127.0.0.1', ...extra];
  if (yaml !== null) {
    writeFileSync(join(cwd, 'config.yaml'), yaml);
    args.push('--config', 'config.yaml');
  }
  const child = spawn(process.execPath, args, {
    cwd,
    // never the developer's LITELLM_MASTER_KEY / DATABASE_URL
    env: { PATH: process.env.PATH!, HOME: cwd, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  let err = '';
  child.stdout!.on('data', (b) => (out += b));
  child.stderr!.on('data', (b) => (err += b));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const listening = new Promise<string>((res, rej) => {
    const check = () => {
      const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) res(m[1]!);
    };
    child.stdout!.on('data', check);
    void exited.then((code) => rej(new Error(`exited with ${code} before listening\nstdout: ${out}\nstderr: ${err}`)));
  });
  listening.catch(() => {});
  const printed = (text: string, stream: 'stdout' | 'stderr' = 'stdout') =>
    new Promise<void>((res, rej) => {
      const pipe = child[stream]!;
      const check = () => {
        if (!(stream === 'stdout' ? out : err).includes(text)) return false;
        pipe.off('data', check);
        res();
        return true;
      };
      if (check()) return;
      pipe.on('data', check);
      void exited.then((code) => rej(new Error(`exited with ${code} before printing ${JSON.stringify(text)}\nstdout: ${out}\nstderr: ${err}`)));
    });
  return { child, stdout: () => out, stderr: () => err, exited, listening, printed };
}

/** Who a bearer token is, as the server sees it: the user id, or the HTTP/GraphQL code. */
async function whoAmI(url: string, token: string): Promise<string> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ me { user { id role: userRole } } }' }),
  });
  const json = (await res.json()) as any;
  if (json.data?.me) return `${json.data.me.user.id}/${json.data.me.user.role}`;
  return json.errors?.[0]?.extensions?.code ?? String(res.status);
}

/** Stops a running CLI with SIGTERM and returns its exit code. */
async function stop(c: Cli): Promise<number | null> {
  c.child.kill('SIGTERM');
  return c.exited;
}

afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.exitCode === null && c.signalCode === null) {
      const gone = new Promise((r) => c.on('exit', r));
      c.kill('SIGKILL');
      await gone;
    }
  }
});
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('CLI: a bad config, flag or port stops start-up with one clear line', () => {
  it.each<[string, string, string]>([
    ['a wrongly typed value',
      'litellm_settings:\n  upperbound_key_generate_params:\n    max_budget: ten\n',
      'litellm_settings.upperbound_key_generate_params.max_budget: expected a number, got "ten"'],
    ['a misspelled key inside a closed object',
      'litellm_settings:\n  upperbound_key_generate_params:\n    max_budgte: 10\n',
      'litellm_settings.upperbound_key_generate_params.max_budgte: unknown key (did you mean "max_budget"?)'],
    ['a section-level typo close to a key we implement',
      'general_settings:\n  master_kye: sk-typo\n',
      'general_settings.master_kye: unknown key (did you mean "master_key"?)'],
    ['a missing env var behind os.environ/',
      'general_settings:\n  master_key: os.environ/PURSER_CLI_TEST_UNSET\n',
      'general_settings.master_key: environment variable PURSER_CLI_TEST_UNSET is not set (referenced as os.environ/PURSER_CLI_TEST_UNSET)'],
    ['a bad duration',
      'litellm_settings:\n  internal_user_budget_duration: monthly\n',
      'litellm_settings.internal_user_budget_duration: expected a duration like 30s, 30m, 24h, 7d, 1w, 1mo, got "monthly"'],
  ])('%s', { timeout: START_TIMEOUT }, async (_name, yaml, message) => {
    const cwd = tempDir();
    const c = cli(cwd, yaml);
    expect(await c.exited).toBe(1);
    const lines = c.stderr().trimEnd().split('\n');
    expect(lines).toEqual([`purser: ${message}`]);
    expect(c.stderr()).not.toMatch(STACK_FRAME);
    expect(c.stdout()).not.toMatch(/listening/);
    // nothing was created for a config that never loaded
    expect(existsSync(join(cwd, 'data'))).toBe(false);
  });

  it('an invalid --port', { timeout: START_TIMEOUT }, async () => {
    const c = cli(tempDir(), 'general_settings:\n  master_key: sk-port\n', {}, ['--port', '70000']);
    expect(await c.exited).toBe(1);
    expect(c.stderr().trimEnd().split('\n')).toEqual(['purser: --port must be a port number (0-65535), got "70000"']);
    expect(c.stderr()).not.toMatch(STACK_FRAME);
  });

  it('a busy port, leaving no never-shown master key behind', { timeout: START_TIMEOUT }, async () => {
    const busy = createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as AddressInfo).port;
    try {
      const cwd = tempDir();
      const c = cli(cwd, 'general_settings:\n  ui_access_mode: all\n', {}, ['--port', String(port)]);
      expect(await c.exited).toBe(1);
      expect(c.stderr().trimEnd().split('\n')).toEqual([`purser: port ${port} is already in use (pass --port N)`]);
      // the generated key was never printed, so it must not be kept: the next start generates and shows one
      expect(existsSync(join(cwd, 'data', 'master_key'))).toBe(false);
      expect(c.stdout()).not.toMatch(/sk-/);
    } finally {
      await new Promise((r) => busy.close(r));
    }
  });
});

describe('CLI: starting, precedence, stopping', () => {
  it('config beats env for the master key and the database; a far unknown key only warns; SIGTERM exits 0', { timeout: START_TIMEOUT }, async () => {
    const cwd = tempDir();
    const c = cli(
      cwd,
      [
        'general_settings:',
        '  master_key: sk-from-config',
        '  database_url: sqlite:./config.db',
        '  some_setting_purser_does_not_know: 1',
        '',
      ].join('\n'),
      { LITELLM_MASTER_KEY: 'sk-from-env', DATABASE_URL: 'sqlite:./env.db' },
    );
    const url = await c.listening;
    await c.printed('general_settings.some_setting_purser_does_not_know', 'stderr');
    expect(c.stderr()).toMatch(/warning: .*general_settings\.some_setting_purser_does_not_know/);
    expect(c.stderr()).not.toMatch(STACK_FRAME);

    expect(await whoAmI(url, 'sk-from-config')).toBe('default_user_id/PROXY_ADMIN');
    expect(await whoAmI(url, 'sk-from-env')).toBe('UNAUTHENTICATED');
    await c.printed('Master key: from general_settings.master_key');
    expect(c.stdout()).not.toContain('sk-from-config');

    expect(existsSync(join(cwd, 'config.db'))).toBe(true);
    expect(existsSync(join(cwd, 'env.db'))).toBe(false);
    expect(existsSync(join(cwd, 'data', 'purser.db'))).toBe(false);
    expect(existsSync(join(cwd, 'data', 'master_key'))).toBe(false);

    expect(await stop(c)).toBe(0);
    expect(c.stderr()).not.toMatch(STACK_FRAME);
  });

  it('LITELLM_MASTER_KEY and DATABASE_URL apply when the config does not set them', { timeout: START_TIMEOUT }, async () => {
    const cwd = tempDir();
    const c = cli(cwd, 'general_settings:\n  ui_access_mode: all\n', { LITELLM_MASTER_KEY: 'sk-from-env', DATABASE_URL: 'sqlite:./env.db' });
    const url = await c.listening;
    expect(await whoAmI(url, 'sk-from-env')).toBe('default_user_id/PROXY_ADMIN');
    await c.printed('Master key: from LITELLM_MASTER_KEY');
    expect(c.stdout()).not.toContain('sk-from-env');
    expect(existsSync(join(cwd, 'env.db'))).toBe(true);
    expect(existsSync(join(cwd, 'data', 'purser.db'))).toBe(false);
    expect(existsSync(join(cwd, 'data', 'master_key'))).toBe(false);
    expect(await stop(c)).toBe(0);
  });

  it('without either, a master key is generated into ./data (0600), printed once, then only its location', { timeout: 2 * START_TIMEOUT }, async () => {
    const cwd = tempDir();
    const yaml = 'general_settings:\n  ui_access_mode: all\n';
    const first = cli(cwd, yaml);
    const url = await first.listening;
    // the last line of the first start's banner: everything the test reads is on stdout by then
    await first.printed('Sign in to the dashboard as "admin"');
    const file = join(cwd, 'data', 'master_key');
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const key = readFileSync(file, 'utf8').trim();
    expect(key).toMatch(/^sk-\S{40,}$/);
    // the key is on stdout exactly once, with the dashboard URL
    expect(first.stdout().split(key).length - 1).toBe(1);
    expect(first.stdout()).toContain(`Dashboard: ${url}/ui/`);
    expect(first.stderr()).not.toContain(key);
    expect(await whoAmI(url, key)).toBe('default_user_id/PROXY_ADMIN');
    // default database: ./data/purser.db
    expect(existsSync(join(cwd, 'data', 'purser.db'))).toBe(true);
    expect(await stop(first)).toBe(0);

    const second = cli(cwd, yaml);
    const url2 = await second.listening;
    await second.printed(`Master key: stored in ${file}`);
    expect(second.stdout()).not.toContain(key);
    expect(second.stderr()).not.toContain(key);
    expect(readFileSync(file, 'utf8').trim()).toBe(key);
    expect(await whoAmI(url2, key)).toBe('default_user_id/PROXY_ADMIN');
    expect(await stop(second)).toBe(0);
  });
});
