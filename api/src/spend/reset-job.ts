import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from '../app/context.js';
import { errorSummary } from '../common/error-log.js';
import type { Dialect } from '../db/orm.js';
import type { BudgetLedger } from '../budgets/ledger.js';
import { BUDGET_TABLES, WINDOW_COLUMN } from '../budgets/tables.js';
import { DurationError, durationSeconds, nextResetAt, parseDuration } from '../time/durations.js';

/**
 * Resets due budgets every proxy_budget_rescheduler_min_time…max_time seconds: spend to 0 and
 * the next calendar-aligned reset (ROLES.md), in the database and in the gateway's ledger.
 * State lives in budget_reset_at, so a restart simply catches up. Each row is reset with a
 * conditional update on its old window, so a concurrent spend flush for that window either
 * lands before the reset or is skipped: never lost twice, never counted twice.
 */
export class BudgetResetJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly dialect: Dialect,
    private readonly ledger: BudgetLedger,
    private readonly tz: string,
    private readonly log: Logger,
    private readonly opts: { minSeconds: number; maxSeconds: number; retention: string | null; afterReset: () => void },
  ) {}

  start(): void {
    void this.runOnce();
    this.schedule();
  }

  private schedule() {
    if (this.stopped) return;
    const { minSeconds, maxSeconds } = this.opts;
    const delay = (minSeconds + Math.random() * (maxSeconds - minSeconds)) * 1000;
    this.timer = setTimeout(() => {
      void this.runOnce().finally(() => this.schedule());
    }, delay);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Resets everything due now; returns how many budgets were reset. */
  runOnce(now = new Date()): Promise<number> {
    this.running ??= this.reset(now)
      .catch((e) => {
        this.log.error(`budget reset failed: ${errorSummary(e)}`);
        return 0;
      })
      .finally(() => (this.running = null));
    return this.running;
  }

  private time(ms: number): number | Date {
    return this.dialect === 'sqlite' ? ms : new Date(ms);
  }

  private async reset(now: Date): Promise<number> {
    const knex = (this.orm.em as SqlEntityManager).getKnex();
    let count = 0;
    for (const t of BUDGET_TABLES) {
      const due = (await knex(t.table)
        .select([...t.idColumns, 'budget_budget_duration as duration', `${WINDOW_COLUMN} as reset_at`])
        .whereNotNull(WINDOW_COLUMN)
        .where(WINDOW_COLUMN, '<=', this.time(now.getTime()))) as Array<Record<string, unknown>>;
      for (const row of due) {
        const old = windowMs(row.reset_at);
        let next: number | null = null;
        if (typeof row.duration === 'string') {
          try {
            const d = parseDuration(row.duration);
            next = nextResetAt(d, now, this.tz).getTime();
            // never schedule into the past after a long downtime
            if (next <= now.getTime()) next = now.getTime() + durationSeconds(d) * 1000;
          } catch (e) {
            if (!(e instanceof DurationError)) throw e;
          }
        }
        const where = Object.fromEntries(t.idColumns.map((c) => [c, row[c]]));
        const update: Record<string, unknown> = { [WINDOW_COLUMN]: next === null ? null : this.time(next) };
        for (const c of t.spendColumns) update[c] = 0;
        const n = await knex(t.table).where(where).where(WINDOW_COLUMN, this.time(old)).update(update);
        if (!n) continue;
        count++;
        this.ledger.reset(t.refOf(row), next);
      }
    }
    if (this.opts.retention) {
      const cutoff = now.getTime() - durationSeconds(parseDuration(this.opts.retention)) * 1000;
      await knex('spend_logs').where('start_time', '<', this.time(cutoff)).delete();
    }
    if (count) {
      this.log.info(`budget reset: ${count} budget(s) started a new window`);
      this.opts.afterReset();
    }
    return count;
  }
}

/** A window column as read raw: epoch ms on SQLite; on PostgreSQL a timestamp string (MikroORM keeps them unparsed). */
function windowMs(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'number') return v;
  const s = String(v);
  return /^-?\d+$/.test(s) ? Number(s) : new Date(s).getTime();
}
