import { DriverException } from '@mikro-orm/core';
import type { Logger } from '../app/context.js';

/**
 * The one way an unexpected error reaches a log line. Database errors carry the SQL text with
 * the values inlined (MikroORM's SQLite driver inlines them; knex prefixes every driver error
 * with the query), so a password hash or a secret would land in the log: for those only the
 * error class, the driver code, the schema names the driver reports and the stack frames are
 * kept. Responses never carry any of it (they say "Internal server error.").
 */
export function isDatabaseError(e: unknown): boolean {
  if (e instanceof DriverException) return true;
  if (!e || typeof e !== 'object') return false;
  const err = e as { code?: unknown; sqlState?: unknown; severity?: unknown; routine?: unknown; message?: unknown };
  if (typeof err.code === 'string' && /^SQLITE_/.test(err.code)) return true;
  if (err.sqlState !== undefined || (err.severity !== undefined && err.routine !== undefined)) return true;
  // knex's "<sql> - <driver message>", whatever wrapped it
  return typeof err.message === 'string' && /\b(select|insert into|update|delete from|with)\b[\s\S]* - \S/i.test(err.message);
}

// quoted fragments of a driver message may be values (SQLite echoes tokens of the inlined SQL)
const QUOTED = /"[^"]*"|'[^']*'|`[^`]*`/g;

/** One line: class, driver code, the driver's reason without quoted fragments, schema names. */
export function errorSummary(e: unknown): string {
  if (!(e instanceof Error) && (!e || typeof e !== 'object')) return String(e);
  const err = e as Error & { code?: unknown; constraint?: unknown; table?: unknown; column?: unknown };
  if (!isDatabaseError(e)) return `${err.name ?? 'Error'}: ${err.message}`;
  const msg = String(err.message ?? '');
  const reason = (msg.includes(' - ') ? msg.slice(msg.lastIndexOf(' - ') + 3) : msg).replace(QUOTED, '"…"').slice(0, 200);
  const names = (['constraint', 'table', 'column'] as const)
    .filter((k) => typeof err[k] === 'string')
    .map((k) => `${k}=${String(err[k])}`);
  const code = typeof err.code === 'string' ? ` ${err.code}` : '';
  // without SQL the reason may repeat the code: keep it short
  return `database error (${err.name ?? 'Error'}${code}): ${reason.replace(/^SQLITE_\w+: /, '')}${names.length ? ` [${names.join(', ')}]` : ''}`;
}

/** The summary and the stack frames (never the message lines of the stack, which repeat the SQL). */
export function describeError(e: unknown): string {
  const stack = e instanceof Error && typeof e.stack === 'string' ? e.stack : '';
  const frames = stack.split('\n').filter((l) => /^\s+at /.test(l));
  return [errorSummary(e), ...frames.slice(0, 20)].join('\n');
}

/** Logs an unexpected error as `<where>: <description>`. */
export function logUnexpected(log: Logger, where: string, e: unknown): void {
  log.error(`${where}: ${describeError(e)}`);
}
