import { spawn } from 'node:child_process';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Runs the `purser` CLI as a child process, compiled from the current source by tsc as
 * `npm run build` does, into a folder of this test file's own (cli/.test-build/<id>; parallel
 * files never share one, and a stale cli/dist is never tested). Asynchronous on purpose: the
 * server under test runs in this process and must keep answering.
 */
export const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');

let built: string | null = null;

/** Compiles the CLI once per test file (call in beforeAll); returns a cleanup. */
export async function buildCli(): Promise<() => void> {
  const out = join(REPO, 'cli', '.test-build', randomBytes(6).toString('hex'));
  await promisify(execFile)(process.execPath, [join(REPO, 'node_modules/typescript/bin/tsc'), '-p', join(REPO, 'cli/tsconfig.json'), '--outDir', out, '--sourceMap', 'false'], { cwd: REPO });
  built = join(out, 'main.js');
  return () => rmSync(out, { recursive: true, force: true });
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliEnv {
  url: string;
  /** sent as PURSER_API_KEY unless null */
  key?: string | null;
  /** XDG_CONFIG_HOME and HOME (a fresh one each test file by default) */
  home?: string;
  stdin?: string;
}

export const freshHome = () => mkdtempSync(join(tmpdir(), 'purser-cli-home-'));

export function purser(args: string[], env: CliEnv): Promise<CliResult> {
  const home = env.home ?? freshHome();
  return new Promise((done, fail) => {
    if (!built) return fail(new Error('call buildCli() in beforeAll first'));
    const child = spawn(process.execPath, [built, ...args], {
      cwd: REPO,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        XDG_CONFIG_HOME: join(home, '.config'),
        PURSER_URL: env.url,
        ...(env.key ? { PURSER_API_KEY: env.key } : {}),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(env.stdin ?? '');
  });
}
