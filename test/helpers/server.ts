import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startPurser, type Running } from '../../api/src/app/bootstrap.js';
import { freshPostgres } from './postgres.js';

export const MASTER_KEY = 'sk-test-master-key-0123456789';

/** The built dashboard (`npm run build -w ui`), for `startServer(..., { ui: true })`. */
export const UI_BUILD_DIR = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../ui/build');

export interface TestServer {
  running: Running;
  url: string;
  masterKey: string;
  dataDir: string;
  /** POST /graphql with a bearer token (or none) */
  gql<T = any>(query: string, variables?: Record<string, unknown>, auth?: string | null, headers?: Record<string, string>): Promise<GqlResult<T>>;
  /** a REST call with a bearer token (or none) */
  rest<T = any>(method: 'GET' | 'POST', path: string, body?: unknown, auth?: string | null): Promise<RestResult<T>>;
  close(): Promise<void>;
}

export interface GqlResult<T> {
  status: number;
  data: T;
  errors?: Array<{ message: string; extensions?: { code?: string } }>;
  /** first error code, if any */
  code?: string;
}

export interface RestResult<T> {
  status: number;
  body: T;
  headers: Headers;
}

export const silentLog = { info() {}, warn() {}, error: (m: string) => console.error(m) };

/** A log that keeps every line, for tests that assert what reaches the server's log. */
export function captureLog() {
  const lines: string[] = [];
  return {
    lines,
    log: { info: (m: string) => lines.push(m), warn: (m: string) => lines.push(m), error: (m: string) => lines.push(m) },
    text: () => lines.join('\n'),
  };
}

/**
 * A real Purser on a random loopback port with a fresh SQLite file (or the given database),
 * configured from an object. `config` is merged over a minimal base with the test master key.
 */
export async function startServer(
  config: Record<string, any> = {},
  opts: { env?: Record<string, string>; databaseUrl?: string; port?: number; /** serve the built dashboard at /ui/ (default: not served) */ ui?: boolean; /** the server's log (default: errors to stderr) */ log?: { info(m: string): void; warn(m: string): void; error(m: string): void } } = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'purser-test-'));
  // PURSER_TEST_DB=postgresql: the same suites on an own fresh PostgreSQL database per server
  const pg = !opts.databaseUrl && process.env.PURSER_TEST_DB === 'postgresql' ? await freshPostgres() : null;
  if (pg) opts = { ...opts, databaseUrl: pg.url };
  const base = {
    model_list: [
      { model_name: 'gpt-4o-mini', litellm_params: { model: 'openai/gpt-4o-mini', mock_response: 'hi' } },
      { model_name: 'gpt-4o', litellm_params: { model: 'openai/gpt-4o', mock_response: 'hi' } },
    ],
    ...config,
    general_settings: {
      master_key: MASTER_KEY,
      ...(opts.databaseUrl ? { database_url: opts.databaseUrl } : {}),
      ...(config.general_settings ?? {}),
    },
    litellm_settings: { ...(config.litellm_settings ?? {}) },
  };
  const running = await startPurser({
    configObject: base,
    port: opts.port ?? 0,
    host: '127.0.0.1',
    dataDir,
    env: { PATH: process.env.PATH, ...(opts.env ?? {}) },
    log: opts.log ?? silentLog,
    uiDir: opts.ui ? UI_BUILD_DIR : null,
  });
  const url = running.url;
  const authHeader = (auth?: string | null): Record<string, string> => (auth ? { authorization: `Bearer ${auth}` } : {});
  return {
    running,
    url,
    masterKey: MASTER_KEY,
    dataDir,
    async gql(query, variables, auth = MASTER_KEY, headers = {}) {
      const res = await fetch(`${url}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...authHeader(auth), ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const json = (await res.json()) as any;
      return { status: res.status, data: json.data, errors: json.errors, code: json.errors?.[0]?.extensions?.code };
    },
    async rest(method, path, body, auth = MASTER_KEY) {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...authHeader(auth) },
        body: body !== undefined ? (typeof body === 'string' ? body : JSON.stringify(body)) : undefined,
      });
      const text = await res.text();
      let parsed: any = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        /* not JSON */
      }
      return { status: res.status, body: parsed, headers: res.headers };
    },
    async close() {
      await running.close();
      rmSync(dataDir, { recursive: true, force: true });
      await pg?.drop();
    },
  };
}

/** A loopback port free right now: for servers whose own URL must be known before they start (PROXY_BASE_URL). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** Creates a user (via the master key) and mints a personal or team key owned by them; returns the secret. */
export async function userWithKey(
  s: TestServer,
  user: { user_id: string; user_role: string; user_email?: string; teams?: unknown[] },
): Promise<string> {
  const res = await s.rest('POST', '/user/new', { ...user, auto_create_key: false });
  if (res.status !== 200) throw new Error(`user/new ${res.status} ${JSON.stringify(res.body)}`);
  // a key minted by the admin for the user acts as that user
  const key = await s.rest('POST', '/key/generate', { user_id: user.user_id });
  if (key.status !== 200) throw new Error(`key/generate ${key.status} ${JSON.stringify(key.body)}`);
  return key.body.key;
}
