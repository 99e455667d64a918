import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { fileURLToPath } from 'node:url';

/**
 * The real coding-agent CLIs installed by `npm ci --prefix test/clients`, run as child processes.
 * Their npm packages ship the native binary as a per-platform optional dependency; we run that
 * binary directly (Claude Code's postinstall, which copies it over its `bin/claude.exe` stub, is
 * not run by npm's install-script policy).
 */
const modules = fileURLToPath(new URL('./node_modules/', import.meta.url));

const CODEX_TARGETS: Record<string, string> = {
  'linux-x64': 'x86_64-unknown-linux-musl',
  'linux-arm64': 'aarch64-unknown-linux-musl',
  'darwin-x64': 'x86_64-apple-darwin',
  'darwin-arm64': 'aarch64-apple-darwin',
};

function mustExist(path: string): string {
  if (!existsSync(path)) throw new Error(`${path} is missing: run \`npm ci --prefix test/clients\``);
  return path;
}

const plat = `${platform()}-${arch()}`;
export const claudeBin = () => mustExist(`${modules}@anthropic-ai/claude-code-${plat}/claude`);
export const codexBin = () => mustExist(`${modules}@openai/codex-${plat}/vendor/${CODEX_TARGETS[plat]}/bin/codex`);

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a binary to its exit with only the given environment (no inherited credentials), stdin closed. */
export function run(bin: string, args: string[], opts: { env: Record<string, string>; cwd: string; timeoutMs?: number }): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { cwd: opts.cwd, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    // a deadline for a hung client, not a timing assertion
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${bin} did not exit within ${opts.timeoutMs ?? 90_000} ms\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 90_000);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A transparent HTTP proxy in front of Purser that records each request the client makes
 * (method, path, response status): what a CLI calls, and that it does not retry in a loop.
 */
export interface Recorder {
  url: string;
  calls: Array<{ method: string; path: string; status: number }>;
  close(): Promise<void>;
}

export async function recordingProxy(target: string): Promise<Recorder> {
  const { createServer, request } = await import('node:http');
  const t = new URL(target);
  const calls: Recorder['calls'] = [];
  const server = createServer((req, res) => {
    const up = request({ host: t.hostname, port: t.port, method: req.method, path: req.url, headers: { ...req.headers, host: t.host } }, (ur) => {
      calls.push({ method: req.method ?? '', path: req.url ?? '', status: ur.statusCode ?? 0 });
      res.writeHead(ur.statusCode ?? 502, ur.headers);
      ur.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as import('node:net').AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
