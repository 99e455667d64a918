#!/usr/bin/env node
/** `npm start -- [--config FILE] [--port N] [--host H] [--num_workers N]` */
import 'reflect-metadata';
import cluster from 'node:cluster';
import { parseArgs } from 'node:util';
import { ConfigError } from './config/index.js';
import { SsoConfigError } from './sso/config.js';
import { consoleLogger, startPurser, type StartOptions } from './app/bootstrap.js';
import { parseWorkerCount, runPrimary, takeWorkerBrief, workerLogger, WorkersError, type ReadyMessage } from './app/cluster.js';

function fail(message: string): never {
  console.error(`purser: ${message}`);
  process.exit(1);
}

/** Configuration problems are the user's to fix: one line, no stack trace. */
function explain(e: unknown, port: number): string {
  if (e instanceof ConfigError || e instanceof WorkersError) return e.message;
  if (e instanceof SsoConfigError) return `SSO: ${e.message}`;
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') return `port ${port} is already in use (pass --port N)`;
  if (e instanceof Error && /LITELLM_UI_SESSION_DURATION|master key/.test(e.message)) return e.message;
  return `could not start: ${(e as Error).message}`;
}

let args;
try {
  args = parseArgs({
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      num_workers: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (e) {
  fail((e as Error).message);
}
if (args.help) {
  console.log(
    'usage: npm start -- [--config FILE] [--port N] [--host H] [--num_workers N]\n\n' +
      'Defaults: config.example.yaml, port 4000, host 0.0.0.0, data in ./data, 1 worker\n' +
      '--num_workers N (or NUM_WORKERS) > 1 needs PostgreSQL (DATABASE_URL) and Redis (REDIS_URL)',
  );
  process.exit(0);
}
// digits only: Number() would take "", "1e3" or "0x50"
const portText = (args.port ?? process.env.PORT ?? '4000').trim();
const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
if (!(port >= 0 && port <= 65535)) fail(`${args.port === undefined ? 'PORT' : '--port'} must be a port number (0-65535), got "${args.port ?? process.env.PORT}"`);

/** Serves in this process until SIGTERM/SIGINT, which close it (spend flushed) and exit 0. */
async function serve(opts: StartOptions) {
  const log = opts.log ?? consoleLogger;
  const running = await startPurser(opts);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: shutting down`);
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

const startOpts = { configPath: args.config, port, host: args.host };
if (cluster.isWorker) {
  // one of `--num_workers N`: the primary resolved the master key and prints the banner
  const brief = takeWorkerBrief();
  const log = workerLogger(cluster.worker!.id, brief.quiet);
  try {
    await serve({
      ...startOpts,
      master: brief.master,
      log,
      announce: (banner) => {
        log.started();
        const ready: ReadyMessage = { purser: 'ready', banner };
        process.send!(ready);
      },
    });
  } catch (e) {
    fail(explain(e, port));
  }
} else {
  let workers = 1;
  try {
    if (args.num_workers !== undefined) workers = parseWorkerCount(args.num_workers, '--num_workers');
    else if (process.env.NUM_WORKERS?.trim()) workers = parseWorkerCount(process.env.NUM_WORKERS, 'NUM_WORKERS');
  } catch (e) {
    fail(explain(e, port));
  }
  try {
    if (workers === 1) await serve(startOpts);
    else process.exit(await runPrimary(workers, startOpts));
  } catch (e) {
    fail(explain(e, port));
  }
}
