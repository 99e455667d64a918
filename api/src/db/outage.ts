import { ConnectionException } from '@mikro-orm/core';
import type { Logger } from '../app/context.js';
import { AppError } from '../common/errors.js';

/** What every surface says while PostgreSQL (or the SQLite file) cannot be reached. */
export const DB_UNREACHABLE = 'The database is unreachable: try again shortly.';

export const databaseUnavailable = () => new AppError('SERVICE_UNAVAILABLE', DB_UNREACHABLE, null, 'service_unavailable');

// socket-level codes (node, pg) and PostgreSQL's own "gone" states (57P01 admin shutdown, 08xxx connection exceptions)
const CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03']);
// the driver's and the pool's own wording, as the whole message or the tail knex appends after
// the SQL (anchored: a value inside the SQL text must not make an ordinary failure look like one)
const MESSAGES = /(?:^| - )(?:Connection terminated(?: unexpectedly)?|Client has encountered a connection error and is not queryable|Client was closed and is not queryable|Knex: Timeout acquiring a connection\. The pool is probably full\.[^\n]*)$/;

/**
 * True for an error that means "the database did not answer" (as opposed to a query it
 * refused): a spend batch that fails so goes to the spill file, a REST or GraphQL call
 * answers 503. Walks `cause` / `previous` chains (MikroORM and knex wrap the driver's error).
 */
export function isConnectionError(e: unknown, depth = 0): boolean {
  if (!e || typeof e !== 'object' || depth > 5) return false;
  if (e instanceof ConnectionException) return true;
  const err = e as { code?: unknown; message?: unknown; cause?: unknown; previous?: unknown; errors?: unknown };
  if (typeof err.code === 'string' && (CODES.has(err.code) || err.code.startsWith('08'))) return true;
  if (typeof err.message === 'string' && MESSAGES.test(err.message)) return true;
  // AggregateError (a dual-stack connect) holds one error per address
  if (Array.isArray(err.errors) && err.errors.some((x) => isConnectionError(x, depth + 1))) return true;
  return isConnectionError(err.cause, depth + 1) || isConnectionError(err.previous, depth + 1);
}

/**
 * Whether the database answered last time anyone asked: the recorder's batches, key loads,
 * readiness probes and failed requests report here. Logged once per transition; /metrics
 * shows it as purser_database_up.
 */
export class DatabaseHealth {
  up = true;
  private listeners: Array<(up: boolean) => void> = [];

  constructor(private readonly log: Logger) {}

  /** Called after a database call: a connection error marks it down, anything else up. */
  observe(e: unknown): void {
    if (e === null || e === undefined) this.set(true);
    else if (isConnectionError(e)) this.set(false);
  }

  ok(): void {
    this.set(true);
  }

  down(): void {
    this.set(false);
  }

  onChange(f: (up: boolean) => void): void {
    this.listeners.push(f);
  }

  private set(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    if (up) this.log.info('database: reachable again');
    else this.log.error(`database: unreachable (known keys are served from cache, spend rows go to the spill file, the admin API answers 503)`);
    for (const f of this.listeners) f(up);
  }
}
