import pg from 'pg';
import type { Logger } from '../app/context.js';
import { errorSummary } from '../common/error-log.js';

/**
 * Who runs a once-per-deployment job (the budget reset and spend-log retention): with several
 * processes on one PostgreSQL exactly one of them, the holder of a session-level advisory lock.
 */
export interface Leadership {
  /** true while this process leads; tries to become the leader when nobody does */
  acquire(): Promise<boolean>;
  close(): Promise<void>;
}

/** SQLite is one process: it always leads. */
export const SOLE_LEADER: Leadership = { acquire: async () => true, close: async () => {} };

/** The advisory lock keys Purser takes (per database); the migration lock is 7375901. */
export const RESET_JOB_LOCK = 7375902;

/**
 * `pg_try_advisory_lock` on a connection of its own, held for the life of the process: the pool
 * would hand the lock's session to other queries and to other owners. When the leader dies its
 * connection closes and PostgreSQL drops the lock, so the next process that asks takes over.
 */
export class PgLeaderLock implements Leadership {
  private client: pg.Client | null = null;
  private held = false;
  private closed = false;

  constructor(
    private readonly url: string,
    private readonly lockKey: number,
    private readonly what: string,
    private readonly log: Logger,
  ) {}

  async acquire(): Promise<boolean> {
    if (this.closed) return false;
    if (this.held && this.client) {
      try {
        // the lock lives exactly as long as this session
        await this.client.query('select 1');
        return true;
      } catch {
        this.lost(this.client);
      }
    }
    try {
      const c = (this.client ??= await this.connect());
      const r = await c.query<{ ok: boolean }>('select pg_try_advisory_lock($1) as ok', [this.lockKey]);
      if (r.rows[0]?.ok) {
        this.held = true;
        this.log.info(`${this.what}: this process (pid ${process.pid}) is the leader`);
      }
      return this.held;
    } catch (e) {
      if (this.client) this.lost(this.client);
      this.log.warn(`${this.what}: could not ask for the leader lock: ${errorSummary(e)}`);
      return false;
    }
  }

  private async connect(): Promise<pg.Client> {
    // named in pg_stat_activity: an operator (and the tests) can see which process leads
    const c = new pg.Client({ connectionString: this.url, keepAlive: true, application_name: `purser leader ${this.lockKey} pid ${process.pid}` });
    c.on('error', () => this.lost(c));
    c.on('end', () => this.lost(c));
    await c.connect();
    return c;
  }

  private lost(c: pg.Client) {
    if (this.client !== c) return;
    if (this.held && !this.closed) this.log.warn(`${this.what}: lost the leader lock (database connection closed)`);
    this.client = null;
    this.held = false;
    c.end().catch(() => {});
  }

  async close(): Promise<void> {
    this.closed = true;
    const c = this.client;
    this.client = null;
    this.held = false;
    // closing the session releases the lock for the next leader at once
    if (c) await c.end().catch(() => {});
  }
}
