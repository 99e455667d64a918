import type { Command } from 'commander';
import { PurserClient } from './client.js';
import { UsageError } from './errors.js';
import { loadSession } from './session-store.js';

export const DEFAULT_URL = 'http://127.0.0.1:4000';

export interface GlobalOptions {
  url?: string;
  key?: string;
  json?: boolean;
}

/** The server's base URL: --url, else PURSER_URL, else the default; checked before anything is sent. */
export function serverUrl(opts: GlobalOptions): string {
  const raw = opts.url ?? process.env.PURSER_URL ?? DEFAULT_URL;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    throw new UsageError(`--url: "${raw}" is not a URL (e.g. ${DEFAULT_URL}).`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new UsageError(`--url: must be http:// or https://, got ${u.protocol}`);
  return raw.replace(/\/+$/, '');
}

/** --key, else PURSER_API_KEY, else the session `purser login` stored for this server. */
export function clientFor(opts: GlobalOptions): PurserClient {
  const url = serverUrl(opts);
  const key = opts.key ?? process.env.PURSER_API_KEY ?? null;
  if (key !== null && (!key.trim() || /[\u0000-\u001f\u007f]/.test(key))) throw new UsageError('--key: must be a key without spaces or control characters.');
  if (key) return new PurserClient(url, { key: key.trim(), cookie: null });
  return new PurserClient(url, { key: null, cookie: loadSession(url)?.cookie ?? null });
}

export const optionsOf = (cmd: Command) => cmd.optsWithGlobals() as GlobalOptions & Record<string, unknown>;

/** A command with --json; its action gets the options merged with the global ones. */
export function leaf(parent: Command, spec: string, description: string): Command {
  return parent.command(spec).description(description).option('--json', 'machine-readable JSON on stdout');
}
