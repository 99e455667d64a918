import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from '../app/context.js';
import { errorSummary } from '../common/error-log.js';
import type { Leadership } from '../db/leader.js';
import type { Dialect } from '../db/orm.js';
import type { BudgetCounters } from '../budgets/ledger.js';
import { BUDGET_TABLES, WINDOW_COLUMN } from '../budgets/tables.js';
import { DurationError, durationSeconds, nextResetAt, parseDuration } from '../time/durations.js';

/**
 * A stored instant as ms: SQLite holds ms numbers; PostgreSQL's driver returns timestamptz as
 * text ("2026-12-07 15:06:06.024+00"), which Number() would turn into NaN (and the conditional
 * update below into an invalid timestamp, so no budget ever reset on PostgreSQL).
 */
function instant(v: unknown): number {
  if (v instanceof Date) return v.getTime();
  if (typeof v === 'string' && !/^\d+$/.test(v)) return Date.parse(v);
  return Number(v);
}

/**
 * Resets due budgets every proxy_budget_rescheduler_min_time…max_time seconds: spend to 0 and
 * the next calendar-aligned reset (ROLES.md), in the database and in the gateway's counters (Redis too).
 * State lives in budget_reset_at, so a restart simply catches up. Each row is reset with a
 * conditional update on its old window, so a concurrent spend flush for that window either
 * lands before the reset or is skipped: never lost twice, never counted twice.
 * With several processes on one database only the leader (db/leader.ts) runs it; the others
 * keep asking on the same schedule and take over when the leader is gone.
 */
export class BudgetResetJob {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly dialect: Dialect,
    private readonly ledger: BudgetCounters,
    private readonly tz: string,
    private readonly log: Logger,
    private readonly opts: { minSeconds: number; maxSeconds: number; retention: string | null; afterReset: () => void; leader: Leadership; duties?: Array<{ name: string; run: (now: Date) => Promise<unknown> }> },
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

  /** Stops the schedule and gives up the leadership (another process takes over at once). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await this.opts.leader.close();
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
    if (!(await this.opts.leader.acquire())) return 0;
    const knex = (this.orm.em as SqlEntityManager).getKnex();
    let count = 0;
    for (const t of BUDGET_TABLES) {
      const j = t.durationFrom;
      const q = knex(t.table)
        .select([
          ...t.idColumns.map((c) => `${t.table}.${c}`),
          j ? knex.raw(`coalesce(??, ??) as duration`, [`${t.table}.budget_budget_duration`, `${j.table}.${j.column}`]) : 'budget_budget_duration as duration',
          `${t.table}.${WINDOW_COLUMN} as reset_at`,
        ])
        .whereNotNull(`${t.table}.${WINDOW_COLUMN}`)
        .where(`${t.table}.${WINDOW_COLUMN}`, '<=', this.time(now.getTime()));
      // a customer without its own duration resets on its named budget's
      if (j) q.leftJoin(j.table, `${j.table}.id`, `${t.table}.${j.on}`);
      const due = (await q) as Array<Record<string, unknown>>;
      for (const row of due) {
        const old = instant(row.reset_at);
        if (!Number.isFinite(old)) continue;
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
        // the window exactly as the database returned it: PostgreSQL's driver hands timestamps back as
        // text here, which Number() would turn into NaN (an invalid timestamp in the update)
        const n = await knex(t.table).where(where).where(WINDOW_COLUMN, row.reset_at as never).update(update);
        if (!n) continue;
        count++;
        await this.ledger.reset(t.refOf(row), next);
      }
    }
    if (this.opts.retention) {
      const cutoff = now.getTime() - durationSeconds(parseDuration(this.opts.retention)) * 1000;
      await knex('spend_logs').where('start_time', '<', this.time(cutoff)).delete();
    }
    // other once-per-database chores on the same schedule and leadership (key expiry warnings)
    for (const duty of this.opts.duties ?? []) {
      try {
        await duty.run(now);
      } catch (e) {
        this.log.error(`${duty.name} failed: ${errorSummary(e)}`);
      }
    }
    if (count) {
      this.log.info(`budget reset: ${count} budget(s) started a new window`);
      this.opts.afterReset();
    }
    return count;
  }
}

