#!/usr/bin/env node
/** `npm start -- [--config FILE] [--port N] [--host H]` */
import 'reflect-metadata';
import { parseArgs } from 'node:util';
import { ConfigError } from './config/index.js';
import { SsoConfigError } from './sso/config.js';
import { startPurser } from './app/bootstrap.js';

function fail(message: string): never {
  console.error(`purser: ${message}`);
  process.exit(1);
}

let args;
try {
  args = parseArgs({
    options: {
      config: { type: 'string', short: 'c' },
      port: { type: 'string', short: 'p' },
      host: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  }).values;
} catch (e) {
  fail((e as Error).message);
}
if (args.help) {
  console.log('usage: npm start -- [--config FILE] [--port N] [--host H]\n\nDefaults: config.example.yaml, port 4000, host 0.0.0.0, data in ./data');
  process.exit(0);
}
// digits only: Number() would take "", "1e3" or "0x50"
const portText = (args.port ?? process.env.PORT ?? '4000').trim();
const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
if (!(port >= 0 && port <= 65535)) fail(`${args.port === undefined ? 'PORT' : '--port'} must be a port number (0-65535), got "${args.port ?? process.env.PORT}"`);

try {
  const running = await startPurser({ configPath: args.config, port, host: args.host });
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: shutting down`);
    await running.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
} catch (e) {
  // configuration problems are the user's to fix: one line, no stack trace
  if (e instanceof ConfigError) fail(e.message);
  if (e instanceof SsoConfigError) fail(`SSO: ${e.message}`);
  if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') fail(`port ${port} is already in use (pass --port N)`);
  if (e instanceof Error && /LITELLM_UI_SESSION_DURATION|master key/.test(e.message)) fail(e.message);
  fail(`could not start: ${(e as Error).message}`);
}
