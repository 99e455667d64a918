import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from '../app/context.js';
import { errorSummary } from '../common/error-log.js';
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
 */
export class SpendRecorder implements SpendSink {
  private queue: SpendRow[] = [];
  private timer: NodeJS.Timeout | null = null;
  private flushing: Promise<void> | null = null;
  private failures = 0;
  /** rows written so far (for tests and metrics) */
  written = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly dialect: Dialect,
    private readonly ledger: BudgetCounters,
    private readonly log: Logger,
    private readonly opts: { intervalMs: number; maxRows: number; storePrompts: boolean; disabled: boolean },
  ) {}

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

  /** Writes everything queued now (one batch of at most maxRows at a time). */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    // `.finally` runs after the assignment even when the body completes synchronously (an empty
    // queue): clearing `flushing` inside the body would leave a settled promise behind for good
    this.flushing = (async () => {
      while (this.queue.length) {
        const batch = this.queue.slice(0, this.opts.maxRows);
        try {
          await this.write(batch);
        } catch (e) {
          this.failures++;
          if (this.failures === 1 || this.failures % 60 === 0)
            this.log.error(`spend flush failed (${batch.length} rows kept for retry): ${errorSummary(e)}`);
          return;
        }
        this.failures = 0;
        this.queue.splice(0, batch.length);
      }
    })().finally(() => {
      this.flushing = null;
    });
    return this.flushing;
  }

  /** Graceful stop: flush until empty (a few retries), then stop the timer. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    for (let i = 0; i < 5 && this.queue.length; i++) {
      await this.flush();
      if (this.queue.length) await new Promise((r) => setTimeout(r, 200));
    }
  }

  private time(ms: number): number | Date {
    return this.dialect === 'sqlite' ? ms : new Date(ms);
  }

  private async write(batch: SpendRow[]): Promise<void> {
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
      const fresh = this.opts.disabled ? batch : batch.filter((r) => inserted.has(r.requestId));
      if (!fresh.length) return;
      await this.rollups(trx, fresh);
      await this.budgets(trx, fresh, applied);
    });
    this.written += batch.length;
    for (const { ref, window, amount } of applied.values()) this.ledger.flushed(ref, window, amount);
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
      const merge = Object.fromEntries(METRICS.map((m) => [m, trx.raw(`??.?? + excluded.??`, [table, m, m])]));
      for (let i = 0; i < values.length; i += 500)
        await trx(table).insert(values.slice(i, i + 500)).onConflict([...dims]).merge(merge);
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

