import 'reflect-metadata';
import type { FastifyInstance } from 'fastify';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_USER_ID } from '../auth/principal.js';
import { LoginThrottle } from '../auth/throttle.js';
import { newSecretKey } from '../common/ids.js';
import { Mailer, smtpFromEnv } from '../mail/mailer.js';
import { ssoConfigFromEnv } from '../sso/config.js';
import { loadConfigFile, parseConfig, type LoadedConfig } from '../config/index.js';
import { openDatabase } from '../db/orm.js';
import { RedisConn, resolveRedis } from '../shared-state/redis.js';
import { changeBusFor, RedisChangeBus } from '../shared-state/events.js';
import { publishCommittedChanges } from '../db/change-events.js';
import { KeyCache } from '../keys/key-cache.js';
import { createGatewayRuntime } from './runtime.js';
import { buildServer } from '../http/server.js';
import { DurationError, durationSeconds, parseDuration } from '../time/durations.js';
import { User } from '../users/user.entity.js';
import type { App, Logger } from './context.js';
import { buildSettings, type Settings } from './settings.js';

/** The repository root (api/src/app or api/dist/app → three levels up). */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const DEFAULT_CONFIG = join(ROOT, 'config.example.yaml');
export const UI_BUILD = join(ROOT, 'ui', 'build');

export interface StartOptions {
  /** config file; the shipped example when omitted */
  configPath?: string | null;
  /** an already-parsed config object (tests) instead of a file */
  configObject?: unknown;
  port?: number;
  host?: string;
  env?: Record<string, string | undefined>;
  /** where the SQLite file and the generated master key live (default ./data) */
  dataDir?: string;
  log?: Logger;
  uiDir?: string | null;
}

export interface Running {
  app: App;
  server: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

export const consoleLogger: Logger = {
  info: (m) => console.log(m),
  warn: (m) => console.warn(`warning: ${m}`),
  error: (m) => console.error(`error: ${m}`),
};

/** general_settings.master_key > LITELLM_MASTER_KEY > a key generated once into <data>/master_key (0600). */
function resolveMasterKey(loaded: LoadedConfig, env: Record<string, string | undefined>, dataDir: string) {
  const fromConfig = loaded.config.general_settings.master_key;
  if (fromConfig) return { key: fromConfig, source: 'config' as const, generated: false, file: null };
  const fromEnv = env.LITELLM_MASTER_KEY?.trim();
  if (fromEnv) return { key: fromEnv, source: 'env' as const, generated: false, file: null };
  const file = join(dataDir, 'master_key');
  if (existsSync(file)) return { key: readFileSync(file, 'utf8').trim(), source: 'file' as const, generated: false, file };
  // written by saveGeneratedKey once the server listens: a start that fails must not leave
  // behind a key that was never shown (the next start would only say where it is)
  return { key: newSecretKey(), source: 'file' as const, generated: true, file };
}

function saveGeneratedKey(file: string, key: string) {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, key + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
}

function sessionTtl(env: Record<string, string | undefined>): number {
  const raw = env.LITELLM_UI_SESSION_DURATION?.trim() || '24h';
  try {
    return durationSeconds(parseDuration(raw)) * 1000;
  } catch (e) {
    if (e instanceof DurationError) throw new Error(`LITELLM_UI_SESSION_DURATION: ${e.message}`);
    throw e;
  }
}

/** Loads config, opens and migrates the database, upserts the master-key admin, starts serving. */
export async function startPurser(opts: StartOptions = {}): Promise<Running> {
  const log = opts.log ?? consoleLogger;
  const baseEnv = opts.env ?? process.env;
  const configPath = opts.configObject !== undefined ? null : resolve(opts.configPath ?? DEFAULT_CONFIG);
  const loaded =
    opts.configObject !== undefined ? parseConfig(opts.configObject, baseEnv as NodeJS.ProcessEnv) : loadConfigFile(configPath!, baseEnv as NodeJS.ProcessEnv);
  for (const w of loaded.warnings) log.warn(w);
  const env = loaded.env;
  const dataDir = resolve(opts.dataDir ?? 'data');
  const master = resolveMasterKey(loaded, env, dataDir);
  if (!master.key.startsWith('sk-')) throw new Error('The master key must start with "sk-".');
  const databaseUrl = loaded.config.general_settings.database_url ?? env.DATABASE_URL?.trim() ?? `sqlite:${join(dataDir, 'purser.db')}`;
  const port = opts.port ?? 4000;
  const host = opts.host ?? '0.0.0.0';

  const settings: Settings = buildSettings({
    config: loaded.config,
    configPath,
    env,
    masterKey: master.key,
    masterKeySource: master.source,
    databaseUrl,
    host,
    port,
    sessionTtlMs: sessionTtl(env),
  });
  // SSO settings are checked before anything else starts: a broken provider config is a start-up error
  const sso = ssoConfigFromEnv(env);
  const redisTarget = resolveRedis(loaded.config, env);
  const ls = loaded.config.litellm_settings;
  if (ls.cache && ls.cache_params.type === 'redis' && !redisTarget)
    throw new Error('litellm_settings.cache_params.type is redis but no Redis is configured: set REDIS_URL, router_settings.redis_host or litellm_settings.cache_params.host');
  const orm = await openDatabase(databaseUrl);
  const gs = loaded.config.general_settings;
  const seconds = (d: string | undefined, dflt: string) => durationSeconds(parseDuration(d ?? dflt)) * 1000;
  const smtp = smtpFromEnv(env);
  const redis = redisTarget ? new RedisConn(redisTarget, log) : null;
  await redis?.connect();
  // in Redis when configured: failures on every process add up to one lockout
  const loginThrottle = new LoginThrottle(
    {
      maxFailures: gs.login_max_failures ?? 5,
      maxFailuresPerAddress: gs.login_max_failures_per_address ?? 100,
      windowMs: seconds(gs.login_failure_window, '15m'),
      lockoutMs: seconds(gs.login_lockout_duration, '15m'),
    },
    redis,
  );
  const changes = changeBusFor(redis, log);
  if (changes instanceof RedisChangeBus && redis?.up) await changes.ready();
  const keys = new KeyCache(orm, settings.masterKeyHash);
  changes.subscribe((e) => keys.apply(e));
  publishCommittedChanges(orm, changes);
  const app: App = { settings, orm, log, loginThrottle, mailer: smtp ? new Mailer(smtp) : null, sso, redis, keys, changes };
  await upsertAdmin(app);
  app.gateway = createGatewayRuntime(app);
  const server = await buildServer(app, { uiDir: opts.uiDir === undefined ? UI_BUILD : opts.uiDir });
  await server.listen({ port, host });
  if (master.generated && master.file) saveGeneratedKey(master.file, master.key);
  const address = server.server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${boundPort}`;
  if (!settings.baseUrlFromEnv) {
    const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
    settings.baseUrl = `http://${shown}:${boundPort}`;
    log.warn(`PROXY_BASE_URL is not set: links use ${settings.baseUrl}`);
  }
  // one write, ready line last: whoever waits for "listening on" has read the whole banner
  const banner: string[] = [];
  if (sso) banner.push(`SSO: ${sso.provider} (${sso.issuer ?? sso.endpoints?.authorization}); redirect URI ${settings.baseUrl}/sso/callback`);
  if (redis) banner.push(`Redis: ${redis.target.display} (from ${redis.target.source}, keys under "${redis.target.prefix}")`);
  banner.push(`Dashboard: ${settings.baseUrl}/ui/`);
  if (master.generated)
    banner.push(`Generated a master key (shown once, stored in ${master.file} with mode 0600):\n\n    ${master.key}\n\nSign in to the dashboard as "admin" with it, or send it as "Authorization: Bearer <key>".`);
  else if (master.file) banner.push(`Master key: stored in ${master.file}`);
  else banner.push(`Master key: from ${master.source === 'config' ? 'general_settings.master_key' : 'LITELLM_MASTER_KEY'}`);
  banner.push(`Purser listening on ${url} (database: ${databaseUrl.startsWith('postgres') ? 'postgresql' : databaseUrl})`);
  log.info(banner.join('\n'));

  let closed = false;
  return {
    app,
    server,
    url,
    async close() {
      if (closed) return;
      closed = true;
      await server.close();
      // every pending spend row is written before the database closes
      await app.gateway?.close();
      await changes.close();
      await redis?.close();
      await orm.close(true);
    },
  };
}

/** The master-key admin has a user row (`default_user_id`, proxy_admin) for `me`, audit and created_by. */
async function upsertAdmin(app: App) {
  const em = app.orm.em.fork();
  const admin = await em.findOne(User, { id: DEFAULT_USER_ID });
  if (!admin) {
    const u = new User();
    u.id = DEFAULT_USER_ID;
    u.role = 'proxy_admin';
    u.alias = 'Master key admin';
    em.persist(u);
  } else if (admin.role !== 'proxy_admin') admin.role = 'proxy_admin';
  await em.flush();
}
