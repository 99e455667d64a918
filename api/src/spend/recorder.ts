import { appendFile, readFile, rm } from 'node:fs/promises';
import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from '../app/context.js';
import { errorSummary } from '../common/error-log.js';
import { isConnectionError, type DatabaseHealth } from '../db/outage.js';
import type { Dialect } from '../db/orm.js';
import type { BudgetCounters } from '../budgets/ledger.js';
import { chargedBudgets } from '../budgets/counted.js';
import { budgetId, type BudgetRef } from '../budgets/ref.js';
import type { SpendRow, SpendSink } from '../budgets/ports.js';
import { spendColumn, WINDOW_COLUMN } from '../budgets/tables.js';

export type { SpendRow };

/** The roll-up tables and their dimensions (the benchmark seeds the same ones). */
export const ROLLUPS = [
  { table: 'daily_model_spend', dims: ['day', 'model'] },
  { table: 'daily_team_spend', dims: ['day', 'team_id', 'model'] },
  { table: 'daily_user_spend', dims: ['day', 'user_id', 'model'] },
  { table: 'daily_key_spend', dims: ['day', 'key_id', 'user_id', 'team_id'] },
  { table: 'daily_key_model_spend', dims: ['day', 'key_id', 'model', 'user_id', 'team_id'] },
  // per customer (the request's `user`, '' for none): usage grouped by customer reads it
  { table: 'daily_customer_spend', dims: ['day', 'end_user', 'key_id', 'model', 'user_id', 'team_id'] },
  // weekly (UTC ISO weeks, `week` = the Monday) for the wide dimensions: usage.service.ts reads them for whole weeks
  { table: 'weekly_team_spend', dims: ['week', 'team_id', 'model'] },
  { table: 'weekly_user_spend', dims: ['week', 'user_id', 'model'] },
  { table: 'weekly_key_spend', dims: ['week', 'key_id', 'user_id', 'team_id'] },
  { table: 'weekly_key_model_spend', dims: ['week', 'key_id', 'model', 'user_id', 'team_id'] },
] as const;

/** The UTC Monday (YYYY-MM-DD) of the ISO week holding `t`. */
export function weekOf(t: Date): string {
  const day = Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate());
  return new Date(day - ((t.getUTCDay() + 6) % 7) * 86_400_000).toISOString().slice(0, 10);
}
export const METRICS = ['requests', 'successes', 'failures', 'prompt_tokens', 'completion_tokens', 'spend_nanos', 'cache_hits', 'saved_nanos', 'cached_completion_tokens',
  // the provider's prompt cache: calls with cache-read tokens, those tokens, cache-write tokens, what the reads saved
  'prompt_cache_hits', 'cached_prompt_tokens', 'cache_write_tokens', 'prompt_cache_saved_nanos'] as const;

type Knex = ReturnType<SqlEntityManager['getKnex']>;

/**
 * Each roll-up's upsert, built once: the same SQL on SQLite and PostgreSQL (`on conflict ... do
 * update set x = t.x + excluded.x`). knex's insert compiler cost more per flush than the write.
 */
const ROLLUP_SQL = new Map(
  ROLLUPS.map(({ table, dims }) => {
    const columns = [...dims, ...METRICS];
    const q = (c: string) => `"${c}"`;
    return [
      table,
      {
        columns,
        head: `insert into ${q(table)} (${columns.map(q).join(', ')}) values `,
        tuple: `(${columns.map(() => '?').join(',')})`,
        tail: ` on conflict (${dims.map(q).join(', ')}) do update set ${METRICS.map((m) => `${q(m)} = ${q(table)}.${q(m)} + excluded.${q(m)}`).join(', ')}`,
      },
    ] as const;
  }),
);

const LOG_COLUMNS = [
  'request_id', 'key_token', 'key_id', 'user_id', 'team_id', 'model', 'deployment', 'call_type', 'prompt_tokens', 'completion_tokens',
  'cost_nanos', 'cache_hit', 'saved_nanos', 'status', 'http_status', 'error', 'estimated', 'unpriced', 'start_time', 'end_time',
  'duration_ms', 'end_user', 'request', 'response', 'cached_prompt_tokens', 'cache_write_tokens', 'prompt_cache_saved_nanos',
] as const;
const LOG_INSERT = `insert into spend_logs (${LOG_COLUMNS.map((c) => `"${c}"`).join(', ')}) values `;

/**
 * Spend recording off the hot path: calls are queued in memory and written in batches, one
 * transaction per batch (ARCHITECTURE.md "Money is exact"): logs inserted with conflicting
 * request ids skipped; roll-ups and budgets move only by the rows actually inserted, with SQL
 * increments, and only within the budget window the call was admitted in. A failed batch
 * stays queued and is retried; retrying never double-counts.
 *
 * While the database is unreachable, failed batches go to a bounded spill file (JSON lines,
 * at most `spill.maxRows`); once it answers again the file is written through the same path
 * and then removed. A row written twice (a crash between the write and the removal, or a
 * commit whose acknowledgement was lost) is skipped by its request id, and skipped rows move
 * no roll-up or budget: replay is exactly once. When the spill is full the gateway refuses
 * calls (spillFull) rather than lose spend.
 */
export class SpendRecorder implements SpendSink {
  private queue: SpendRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  /** rows written so far (for tests and metrics) */
  written = 0;
  /** rows in the spill file now */
  private spilled = 0;
  /** the first rows of the spill file came from a previous run: this ledger never counted them */
  private inherited = 0;
  private spillReported = false;

  constructor(
    private readonly orm: MikroORM,
    private readonly dialect: Dialect,
    private readonly ledger: BudgetCounters,
    private readonly log: Logger,
    private readonly opts: {
      intervalMs: number;
      maxRows: number;
      storePrompts: boolean;
      disabled: boolean;
      /** where rows wait while the database is away; null = they wait in memory */
      spill?: { path: string; maxRows: number } | null;
      health?: DatabaseHealth | null;
    },
  ) {}

  /** Rows waiting in the spill file for the database (for /metrics and readiness). */
  spillRows(): number {
    return this.spilled;
  }

  /** The spill file is full: a new call's spend could not be kept, so calls are refused. */
  spillFull(): boolean {
    if (!this.opts.spill) return false;
    // rows queued while the database is away are bound for the spill (or stuck in memory when it cannot be written)
    const waiting = this.opts.health?.up === false ? this.queue.length : 0;
    return this.spilled + waiting >= this.opts.spill.maxRows;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.opts.intervalMs);
    this.timer.unref();
  }

  record(row: SpendRow): void {
    if (!this.opts.storePrompts) {
      row.request = null;
      row.response = null;
    }
    this.queue.push(row);
    if (this.queue.length >= this.opts.maxRows) void this.flush();
  }

  pending(): number {
    return this.queue.length;
  }

  /** Writes everything queued now (one batch of at most maxRows at a time), then the spill file. */
  flush(): Promise<void> {
    // a flush in progress takes what is queued now too
    if (this.flushing) return this.flushing;
    return this.serialized(async () => {
      while (this.queue.length) {
        const batch = this.queue.slice(0, this.opts.maxRows);
        try {
          await this.write(batch);
        } catch (e) {
          this.failures++;
          const spill = this.opts.spill && isConnectionError(e);
          if (spill) this.opts.health?.down();
          if (this.failures === 1 || this.failures % 60 === 0)
            this.log.error(`spend flush failed (${batch.length} rows ${spill ? 'go to the spill file' : 'kept for retry'}): ${errorSummary(e)}`);
          if (spill) await this.spillQueue();
          return;
        }
        this.failures = 0;
        this.opts.health?.ok();
        this.queue.splice(0, batch.length);
      }
      // while the database is away, one cheap question per tick instead of reading the whole spill
      if (this.opts.health && !this.opts.health.up) await this.probe();
      if (this.spilled > 0 && this.opts.health?.up !== false) await this.replay();
    });
  }

  /** Nothing to write but the database was away: ask it, so the log and /metrics see it return without traffic. */
  private async probe(): Promise<void> {
    try {
      await (this.orm.em as SqlEntityManager).getKnex().raw('select 1');
      this.opts.health?.ok();
    } catch {
      // still away: the next tick asks again
    }
  }

  /** At start: writes what a previous run left in the spill file (never throws; what fails stays for later). */
  replaySpill(): Promise<void> {
    return this.serialized(async () => {
      const spill = this.opts.spill;
      if (!spill) return;
      const rows = await this.readSpill(spill.path);
      this.spilled = this.inherited = rows.length;
      if (rows.length) {
        this.log.warn(`spend spill: ${rows.length} rows left by a previous run in ${spill.path}: writing them`);
        await this.replay();
      }
    });
  }

  /** One flush or replay at a time: they share the queue and the spill file. */
  private serialized(body: () => Promise<void>): Promise<void> {
    if (this.flushing) return this.flushing.then(() => this.serialized(body));
    // `.finally` runs after the assignment even when the body completes synchronously (an empty
    // queue): clearing `flushing` inside the body would leave a settled promise behind for good;
    // a timer's flush must never reject (an unreadable spill file is logged, not thrown)
    this.flushing = body()
      .catch((e: unknown) => this.log.error(`spend flush: ${errorSummary(e)}`))
      .finally(() => {
        this.flushing = null;
      });
    return this.flushing;
  }

  /** Moves queued rows to the spill file, as many as it has room for; the rest stay queued. */
  private async spillQueue(): Promise<void> {
    const spill = this.opts.spill!;
    const n = Math.min(this.queue.length, spill.maxRows - this.spilled);
    if (n > 0) {
      const rows = this.queue.slice(0, n);
      try {
        await appendFile(spill.path, rows.map((r) => JSON.stringify(r)).join('\n') + '\n', { mode: 0o600 });
      } catch (e) {
        this.log.error(`spend spill: cannot write ${spill.path} (rows kept in memory): ${errorSummary(e)}`);
        return;
      }
      this.queue.splice(0, n);
      this.spilled += n;
    }
    if (this.spillFull() && !this.spillReported) {
      this.spillReported = true;
      this.log.error(`spend spill: full (${this.spilled} rows, general_settings.spend_spill_max_rows): new gateway calls are refused with 503 until the database answers`);
    }
  }

  /** Writes the spill file through the normal path, then removes it; a failure leaves it for the next flush. */
  private async replay(): Promise<void> {
    const spill = this.opts.spill;
    if (!spill) return;
    const rows = await this.readSpill(spill.path);
    try {
      for (let i = 0; i < rows.length; i += this.opts.maxRows) {
        const end = Math.min(rows.length, i + this.opts.maxRows);
        // a previous run's rows never entered this process's ledger: the snapshots read them from the database
        if (i < this.inherited) await this.write(rows.slice(i, Math.min(end, this.inherited)), false);
        if (end > this.inherited) await this.write(rows.slice(Math.max(i, this.inherited), end));
      }
    } catch (e) {
      if (isConnectionError(e)) this.opts.health?.down();
      this.failures++;
      if (this.failures === 1 || this.failures % 60 === 0) this.log.error(`spend spill: replay failed (rows stay in ${spill.path}): ${errorSummary(e)}`);
      return;
    }
    this.opts.health?.ok();
    await rm(spill.path, { force: true });
    this.log.info(`spend spill: ${rows.length} rows written to the database`);
    this.spilled = this.inherited = 0;
    this.spillReported = false;
  }

  /** The spill file's rows; a torn last line (a crash mid-append) is skipped. */
  private async readSpill(path: string): Promise<SpendRow[]> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw e;
    }
    const rows: SpendRow[] = [];
    let torn = 0;
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        const r = JSON.parse(line) as SpendRow;
        r.startTime = new Date(r.startTime);
        r.endTime = new Date(r.endTime);
        rows.push(r);
      } catch {
        torn++;
      }
    }
    if (torn) this.log.warn(`spend spill: ${torn} unreadable lines in ${path} skipped`);
    return rows;
  }

  /** Graceful stop: flush until empty (a few retries), then stop the timer. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let i = 0; i < 5 && this.queue.length; i++) {
      await this.flush();
      if (this.queue.length) await new Promise((r) => setTimeout(r, 200));
    }
    // still unwritten: the spill file keeps it for the next start
    if (this.queue.length && this.opts.spill) await this.serialized(() => this.spillQueue());
    if (this.queue.length) this.log.error(`spend: ${this.queue.length} rows could not be written or spilled at stop`);
  }

  private time(ms: number): number | Date {
    return this.dialect === 'sqlite' ? ms : new Date(ms);
  }

  /** `ledger: false` for rows this process's ledger never counted (a previous run's spill). */
  private async write(batch: SpendRow[], ledger = true): Promise<void> {
    const knex = (this.orm.em as SqlEntityManager).getKnex();
    const applied = new Map<string, { ref: BudgetRef; window: number | null; amount: number }>();
    await knex.transaction(async (trx) => {
      const inserted = new Set<string>();
      if (!this.opts.disabled)
        for (let i = 0; i < batch.length; i += 500) {
          // one multi-row VALUES statement, built directly: knex's insert compiler wraps every
          // column of every row (and on SQLite builds a UNION ALL select), which cost more than the write
          const rows = batch.slice(i, i + 500).map((r) => this.logRow(r));
          const tuple = `(${LOG_COLUMNS.map(() => '?').join(',')})`;
          const bindings: unknown[] = [];
          for (const r of rows) for (const v of r) bindings.push(v);
          const res = (await trx.raw(`${LOG_INSERT}${rows.map(() => tuple).join(',')} on conflict (request_id) do nothing returning request_id`, bindings as never[])) as
            | Array<{ request_id: string }>
            | { rows: Array<{ request_id: string }> };
          for (const r of Array.isArray(res) ? res : res.rows) inserted.add(r.request_id);
        }
      // each inserted id once: a replayed spill may hold a row twice
      const fresh = this.opts.disabled ? batch : batch.filter((r) => inserted.delete(r.requestId));
      if (!fresh.length) return;
      await this.rollups(trx, fresh);
      await this.budgets(trx, fresh, applied);
    });
    this.written += batch.length;
    if (ledger) for (const { ref, window, amount } of applied.values()) this.ledger.flushed(ref, window, amount);
  }

  /** A spend_logs row, values in LOG_COLUMNS order. */
  private logRow(r: SpendRow): unknown[] {
    const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
    return [
      r.requestId,
      r.keyToken,
      r.keyId,
      r.userId,
      r.teamId,
      r.model.slice(0, 256),
      r.deployment,
      r.callType,
      r.promptTokens,
      r.completionTokens,
      r.costNanos,
      r.cacheHit,
      r.savedNanos,
      r.status,
      r.httpStatus,
      r.error?.slice(0, 512) ?? null,
      r.estimated,
      r.unpriced,
      this.time(r.startTime.getTime()),
      this.time(r.endTime.getTime()),
      r.endTime.getTime() - r.startTime.getTime(),
      r.endUser?.slice(0, 256) ?? null,
      json(r.request),
      json(r.response),
      r.cachedPromptTokens,
      r.cacheWriteTokens,
      r.promptCacheSavedNanos,
    ];
  }

  private async rollups(trx: Knex, rows: SpendRow[]) {
    const dimsOf = rows.map((r): Record<string, string> => ({
      day: r.startTime.toISOString().slice(0, 10),
      week: weekOf(r.startTime),
      model: r.model.slice(0, 256),
      team_id: r.teamId ?? '',
      user_id: r.userId ?? '',
      key_id: r.keyId ?? '',
      end_user: r.endUser?.slice(0, 255) ?? '',
    }));
    for (const { table, dims } of ROLLUPS) {
      const groups = new Map<string, Record<string, string | number>>();
      for (const [i, r] of rows.entries()) {
        const dimValues = dimsOf[i]!;
        const k = dims.map((d) => dimValues[d]).join('\u0000');
        let g = groups.get(k);
        if (!g) {
          g = Object.fromEntries([...dims.map((d) => [d, dimValues[d]!]), ...METRICS.map((m) => [m, 0])]) as Record<string, string | number>;
          groups.set(k, g);
        }
        (g.requests as number) += 1;
        (g[r.status === 'success' ? 'successes' : 'failures'] as number) += 1;
        (g.prompt_tokens as number) += r.promptTokens;
        (g.completion_tokens as number) += r.completionTokens;
        (g.spend_nanos as number) += r.costNanos;
        if (r.cacheHit) {
          (g.cache_hits as number) += 1;
          (g.saved_nanos as number) += r.savedNanos;
          (g.cached_completion_tokens as number) += r.completionTokens;
        }
        if (r.cachedPromptTokens > 0) (g.prompt_cache_hits as number) += 1;
        (g.cached_prompt_tokens as number) += r.cachedPromptTokens;
        (g.cache_write_tokens as number) += r.cacheWriteTokens;
        (g.prompt_cache_saved_nanos as number) += r.promptCacheSavedNanos;
      }
      const values = [...groups.values()];
      const sql = ROLLUP_SQL.get(table)!;
      for (let i = 0; i < values.length; i += 500) {
        const chunk = values.slice(i, i + 500);
        const bindings: Array<string | number> = [];
        for (const g of chunk) for (const c of sql.columns) bindings.push(g[c]!);
        await trx.raw(`${sql.head}${chunk.map(() => sql.tuple).join(',')}${sql.tail}`, bindings);
      }
    }
  }

  /** SQL increments per budget and window (tables.ts); a window that moved on (reset) takes nothing. */
  private async budgets(trx: Knex, rows: SpendRow[], applied: Map<string, { ref: BudgetRef; window: number | null; amount: number }>) {
    const sums = new Map<string, { ref: BudgetRef; id: string; window: number | null; amount: number }>();
    const lastUsed = new Map<string, number>();
    for (const r of rows) {
      if (r.keyId) lastUsed.set(r.keyId, Math.max(lastUsed.get(r.keyId) ?? 0, r.endTime.getTime()));
      if (r.costNanos <= 0) continue;
      for (const { ref, window } of chargedBudgets(r)) {
        const id = budgetId(ref);
        const k = `${id}|${window}`;
        const s = sums.get(k) ?? { ref, id, window, amount: 0 };
        s.amount += r.costNanos;
        sums.set(k, s);
      }
    }
    for (const s of sums.values()) {
      const spec = spendColumn(s.ref);
      const q = trx(spec.table).where(spec.where);
      if (s.window === null) q.whereNull(WINDOW_COLUMN);
      else q.where(WINDOW_COLUMN, this.time(s.window));
      const n = await q.update({ [spec.column]: trx.raw('?? + ?', [spec.column, s.amount]) });
      // the ledger tracks what admission reads; the owner's total spend blocks nothing
      if (n > 0 && s.ref.kind !== 'userTotal') applied.set(s.id, { ref: s.ref, window: s.window, amount: (applied.get(s.id)?.amount ?? 0) + s.amount });
    }
    for (const [id, at] of lastUsed) await trx('virtual_keys').where({ id }).update({ last_used_at: this.time(at) });
  }
}

