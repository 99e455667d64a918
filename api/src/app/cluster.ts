import cluster, { type Worker } from 'node:cluster';
import { resolve } from 'node:path';
import { dialectOf } from '../db/orm.js';
import { resolveRedis } from '../shared-state/redis.js';
import { consoleLogger, databaseUrlOf, loadStartConfig, resolveMasterKey, saveGeneratedKey, type MasterKey, type StartOptions } from './bootstrap.js';
import type { Logger } from './context.js';

/**
 * `--num_workers N` (LiteLLM's flag): N worker processes on one machine sharing the port
 * through Node's cluster module. The primary serves nothing: it checks the deployment can be
 * shared, resolves the master key once, starts worker 1 (which migrates) and then the others,
 * prints the banner once, restarts a worker that dies (with a backoff) and stops them all
 * gracefully (each flushes its spend batch) on SIGTERM/SIGINT.
 */

/** What the primary hands a worker (in the environment, removed by the worker at once). */
export interface WorkerBrief {
  master: MasterKey;
  /** the first worker of a start prints the start-up warnings; the others would repeat them */
  quiet: boolean;
}

export const WORKER_ENV = 'PURSER_WORKER';

/** Messages a worker sends the primary. */
export interface ReadyMessage {
  purser: 'ready';
  /** the start banner, printed once by the primary */
  banner: string;
}

/** A positive integer, digits only (Number() would take "", "1e3" or "0x2"). */
export function parseWorkerCount(text: string, flag: string): number {
  const t = text.trim();
  const n = /^\d{1,4}$/.test(t) ? Number(t) : NaN;
  if (!(n >= 1 && n <= 1024)) throw new WorkersError(`${flag} must be a whole number of worker processes (1-1024), got "${text}"`);
  return n;
}

/** A start-up refusal: one line for the operator, no stack trace. */
export class WorkersError extends Error {}

/**
 * More than one process needs state every process sees: PostgreSQL for the data (SQLite is
 * one writer on one machine's file) and Redis for limits, budgets in flight, caches and
 * invalidation. Null when both are there; else the one line naming what is missing.
 */
export function missingForWorkers(n: number, databaseUrl: string, hasRedis: boolean): string | null {
  const missing: string[] = [];
  if (dialectOf(databaseUrl) !== 'postgresql') missing.push('PostgreSQL (DATABASE_URL=postgresql://...)');
  if (!hasRedis) missing.push('Redis (REDIS_URL)');
  return missing.length ? `--num_workers ${n} needs ${missing.join(' and ')}` : null;
}

/** In a worker: the brief the primary left in the environment (and out of it from now on). */
export function takeWorkerBrief(): WorkerBrief {
  const raw = process.env[WORKER_ENV];
  delete process.env[WORKER_ENV];
  if (!raw) throw new Error(`a cluster worker started without ${WORKER_ENV}`);
  return JSON.parse(raw) as WorkerBrief;
}

/** A worker's log: lines name the worker; start-up warnings only from the first one. */
export function workerLogger(id: number, quiet: boolean): Logger & { started(): void } {
  let muted = quiet;
  const tag = `worker ${id}: `;
  return {
    info: (m) => consoleLogger.info(tag + m),
    warn: (m) => {
      if (!muted) consoleLogger.warn(tag + m);
    },
    error: (m) => consoleLogger.error(tag + m),
    started: () => {
      muted = false;
    },
  };
}

const RESTART_MIN_MS = 1_000;
const RESTART_MAX_MS = 30_000;
/** a worker that ran this long before dying resets the backoff */
const STABLE_MS = 30_000;
/** how long the graceful stop may take before the workers are killed */
const STOP_TIMEOUT_MS = 30_000;

/** Runs the primary until it is stopped; returns the exit code. */
export async function runPrimary(n: number, opts: StartOptions): Promise<number> {
  const log = consoleLogger;
  const { loaded } = loadStartConfig(opts);
  const dataDir = resolve(opts.dataDir ?? 'data');
  const missing = missingForWorkers(n, databaseUrlOf(loaded, dataDir), resolveRedis(loaded.config, loaded.env) !== null);
  if (missing) throw new WorkersError(missing);
  const master = resolveMasterKey(loaded, loaded.env, dataDir);
  if (!master.key.startsWith('sk-')) throw new WorkersError('The master key must start with "sk-".');

  let stopping = false;
  let startedAll = false;
  let streak = 0;
  const timers = new Set<NodeJS.Timeout>();
  const live = new Set<Worker>();

  const fork = (quiet: boolean, replaces?: number): Promise<ReadyMessage> => {
    const brief: WorkerBrief = { master: startedAll ? { ...master, generated: false } : master, quiet };
    const w = cluster.fork({ [WORKER_ENV]: JSON.stringify(brief) });
    const bornAt = Date.now();
    live.add(w);
    let ready = false;
    const readyP = new Promise<ReadyMessage>((res, rej) => {
      w.on('message', (m: ReadyMessage) => {
        if (m?.purser !== 'ready' || ready) return;
        ready = true;
        log.info(`worker ${w.id} (pid ${w.process.pid}) is serving${replaces ? ` (replaces worker ${replaces})` : ''}`);
        res(m);
      });
      w.on('exit', (code, signal) => {
        live.delete(w);
        if (!ready) rej(new Error(`worker ${w.id} exited (${signal ?? `code ${code}`}) before it was serving`));
        if (stopping || !startedAll) return;
        streak = Date.now() - bornAt >= STABLE_MS ? 1 : streak + 1;
        const delay = Math.min(RESTART_MAX_MS, RESTART_MIN_MS * 2 ** (streak - 1));
        log.warn(`worker ${w.id} (pid ${w.process.pid}) died (${signal ?? `exit code ${code}`}): starting a new one in ${delay / 1000}s`);
        const t = setTimeout(() => {
          timers.delete(t);
          if (!stopping) fork(true, w.id).catch((e: Error) => log.error(e.message));
        }, delay);
        timers.add(t);
      });
    });
    readyP.catch(() => {});
    return readyP;
  };

  const stopAll = (): Promise<void> =>
    new Promise((res) => {
      for (const t of timers) clearTimeout(t);
      if (!live.size) return res();
      const kill = setTimeout(() => {
        log.warn(`workers did not stop within ${STOP_TIMEOUT_MS / 1000}s: killing them`);
        for (const w of live) w.process.kill('SIGKILL');
      }, STOP_TIMEOUT_MS);
      cluster.on('exit', () => {
        if (live.size) return;
        clearTimeout(kill);
        res();
      });
      // each worker closes its server, flushes its spend batch and exits
      for (const w of live) w.process.kill('SIGTERM');
    });

  let resolveStopped!: (code: number) => void;
  const stopped = new Promise<number>((r) => (resolveStopped = r));
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: stopping ${live.size} worker(s)`);
    void stopAll().then(() => resolveStopped(0));
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  try {
    // worker 1 migrates the database alone; then the others start on a migrated one
    const first = await fork(false);
    if (stopping) return stopped;
    await Promise.all(Array.from({ length: n - 1 }, () => fork(true)));
    if (stopping) return stopped;
    startedAll = true;
    if (master.generated && master.file) saveGeneratedKey(master.file, master.key);
    // the banner once, its ready line last (whoever waits for "listening on" has read it all)
    log.info(first.banner.replace(/\(database: ([^)]*)\)$/, `(database: $1, ${n} workers)`));
  } catch (e) {
    if (stopping) return stopped;
    // the worker printed why; the others are stopped (a restart loop would print it forever)
    stopping = true;
    log.error(`${(e as Error).message}: stopping`);
    await stopAll();
    return 1;
  }
  return stopped;
}
