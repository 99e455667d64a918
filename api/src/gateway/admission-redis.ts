import type { Redis } from 'ioredis';
import type { Logger } from '../app/context.js';
import { errorSummary } from '../common/error-log.js';
import type { BudgetView } from '../budgets/counted.js';
import { rateRefusalMessage, type LimitSpec } from '../budgets/explain.js';
import { assertNanos, type BudgetCounters } from '../budgets/ledger.js';
import type { RateFigures } from '../budgets/limits.service.js';
import { budgetId, type BudgetRef } from '../budgets/ref.js';
import { ADJUST, ADMIT, SETTLE } from '../shared-state/admission-scripts.js';
import type { RedisConn } from '../shared-state/redis.js';
import { randomUUID } from 'node:crypto';
import type { AdmissionRefusal, AdmissionSubject, CallAdmission, MemoryAdmission, Ticket } from './admission.js';
import { admittedHeaders, limitSpecsOf, parallelRefusal, rateRefusal, WINDOW_MS, windowResetSeconds, windowStart } from './limiter.js';

type Reply = Array<string | number>;

/** The scripts as ioredis commands (EVALSHA, EVAL once when Redis does not know the script yet). */
interface AdmissionCommands {
  purserAdmit(numKeys: number, ...args: Array<string | number>): Promise<Reply>;
  purserSettle(numKeys: number, ...args: Array<string | number>): Promise<Reply>;
  purserAdjust(numKeys: number, ...args: Array<string | number>): Promise<number>;
}

/** What a call admitted through Redis needs to settle there. */
interface RedisPart {
  callId: string;
  estimate: number;
  budgets: BudgetView[];
  /** per budget, the window its counter was in at admission ('n' = none), as the script compares it */
  windows: string[];
  /** rate counters charged with the call's tokens (those with a tpm limit) */
  tokenIds: string[];
  leaseScope: string | null;
  settled: boolean;
}

interface RedisTicket extends Ticket {
  redis?: RedisPart;
}

export interface RedisAdmissionOptions {
  /** key snapshots are reloaded from the database: budget counters are seeded from fresh figures */
  onReseed: () => void;
  /** before a re-seed: write this process's queued spend, so the database figure holds it */
  beforeReseed?: () => Promise<void>;
  /** every call admitted by this process alone while Redis is away */
  onFallback?: () => void;
  /** reservations and parallel slots expire after this (a process that died mid-call) */
  holdMs?: number;
  /** a budget counter nobody touched this long is dropped and seeded again from the database */
  budgetKeyMs?: number;
}

const win = (w: number | null): string => (w === null ? 'n' : String(w));
const unwin = (w: string | number): number | null => (w === 'n' ? null : Number(w));

/** Escapes glob characters for SCAN MATCH (the prefix is configurable). */
const glob = (s: string) => s.replace(/[*?[\]\\]/g, '\\$&');

/**
 * Admission shared by every process through Redis: one script decides all of a call's checks
 * and counts them (one round trip), one script settles it (one round trip). Budget counters
 * are seeded from the database spend a key snapshot carries (when missing, or when the
 * database is in a newer window); the database stays the durable truth the recorder writes.
 *
 * While Redis is away each process admits with its own MemoryAdmission (per-process limits;
 * logged once, counted by onFallback). When Redis answers again the budget counters,
 * reservations and leases in it are dropped and the key snapshots reloaded, so counters are
 * seeded again from the database and nothing reserved before or during the outage leaks.
 */
export class RedisAdmission implements CallAdmission {
  readonly ledger: BudgetCounters;
  readonly limiter: RateFigures;
  private readonly cmd: AdmissionCommands;
  private degraded = false;
  private reseeding: Promise<void> | null = null;
  private wasReady: boolean;
  /** last figures Redis answered, for alerts, gauges and the explainer (no extra round trip) */
  private readonly budgetFigures = new Map<string, { spend: number; reserved: number; window: number | null }>();
  private readonly rateFigures = new Map<string, { start: number; requests: number; tokens: number }>();
  private readonly leaseFigures = new Map<string, number>();
  private readonly holdMs: number;
  private readonly budgetKeyMs: number;

  constructor(
    private readonly conn: RedisConn,
    private readonly memory: MemoryAdmission,
    private readonly log: Logger,
    private readonly opts: RedisAdmissionOptions,
  ) {
    this.holdMs = opts.holdMs ?? 10 * 60_000;
    this.budgetKeyMs = opts.budgetKeyMs ?? 24 * 3600_000;
    const client = conn.client as Redis & Partial<AdmissionCommands>;
    if (!client.purserAdmit) {
      client.defineCommand('purserAdmit', { lua: ADMIT });
      client.defineCommand('purserSettle', { lua: SETTLE });
      client.defineCommand('purserAdjust', { lua: ADJUST });
    }
    this.cmd = client as unknown as AdmissionCommands;
    this.wasReady = conn.up;
    if (!conn.up) this.markDown();
    conn.client.on('close', () => {
      if (this.wasReady) this.markDown();
    });
    conn.client.on('ready', () => {
      this.wasReady = true;
      if (this.degraded) this.reseed();
    });
    this.ledger = this.counters();
    this.limiter = {
      counters: (id, now) => {
        if (this.degraded) return this.memory.limiter.counters(id, now);
        const start = windowStart(now);
        const f = this.rateFigures.get(id);
        const current = f && f.start === start;
        return { requests: current ? f.requests : 0, tokens: current ? f.tokens : 0, windowEndsAt: start + WINDOW_MS };
      },
      inFlight: (scope, now) => (this.degraded ? this.memory.limiter.inFlight(scope, now) : (this.leaseFigures.get(scope) ?? 0)),
    };
  }

  /** Serving from process memory now (Redis away, or its counters being re-seeded). */
  get fallback(): boolean {
    return this.degraded;
  }

  /** Resolves once a re-seed in progress is done (tests and the benchmark wait on it). */
  async settled(): Promise<void> {
    await this.reseeding;
  }

  admit(snap: AdmissionSubject, estimate: number, now = Date.now()): Ticket | AdmissionRefusal | Promise<Ticket | AdmissionRefusal> {
    if (this.degraded && this.conn.up && !this.reseeding) this.reseed();
    if (this.degraded || !this.conn.up) return this.alone(snap, estimate, now);
    return this.shared(snap, estimate, now);
  }

  private alone(snap: AdmissionSubject, estimate: number, now: number) {
    this.markDown();
    this.opts.onFallback?.();
    return this.memory.admit(snap, estimate, now);
  }

  private async shared(snap: AdmissionSubject, estimate: number, now: number): Promise<Ticket | AdmissionRefusal> {
    assertNanos(estimate, 'a reservation');
    const { specs: all, parallel } = limitSpecsOf(snap);
    const specs = all.filter((s) => s.rpm !== null || s.tpm !== null);
    const seen = new Set<string>();
    const budgets = snap.budgets.filter((b) => !seen.has(b.id) && seen.add(b.id));
    const start = windowStart(now);
    const callId = randomUUID();
    const keys: string[] = [];
    for (const b of budgets) keys.push(this.conn.key('budget', b.id), this.conn.key('budget-res', b.id));
    for (const s of specs) keys.push(this.conn.key('rate', s.id, String(start)));
    if (parallel.max !== null) keys.push(this.conn.key('lease', parallel.scope));
    const args: Array<string | number> = [now, callId, estimate, this.holdMs, this.budgetKeyMs, budgets.length, specs.length, parallel.max ?? '', 2 * WINDOW_MS];
    for (const b of budgets) {
      assertNanos(b.dbSpend, `spend of ${b.id}`);
      args.push(b.kind === 'team' ? 't' : 'o', b.max ?? '', win(b.window), b.dbSpend);
    }
    for (const s of specs) args.push(s.rpm ?? '', s.tpm ?? '');
    let r: Reply;
    try {
      r = await this.cmd.purserAdmit(keys.length, ...keys, ...args);
    } catch (e) {
      this.lost(e);
      return this.alone(snap, estimate, now);
    }
    const resetSeconds = windowResetSeconds(now);
    const nb = budgets.length;
    const ns = specs.length;
    switch (r[0]) {
      case 'budget': {
        const b = budgets[Number(r[1]) - 1]!;
        const spend = Number(r[2]);
        this.budgetFigures.set(b.id, { spend, reserved: this.budgetFigures.get(b.id)?.reserved ?? 0, window: this.budgetFigures.get(b.id)?.window ?? b.window });
        return { refused: 'budget', budget: b, spend };
      }
      case 'rpm':
      case 'tpm': {
        const s = specs[Number(r[1]) - 1]!;
        const requests = Number(r[2]);
        const tokens = Number(r[3]);
        this.rateFigures.set(s.id, { start, requests, tokens });
        return { refused: 'rate', limit: rateRefusal(rateRefusalMessage(s.id, r[0], (r[0] === 'rpm' ? s.rpm : s.tpm)!), s, requests, tokens, resetSeconds) };
      }
      case 'parallel':
        this.leaseFigures.set(parallel.scope, parallel.max!);
        return { refused: 'rate', limit: parallelRefusal(parallel.scope, parallel.max!) };
    }
    const windows: string[] = [];
    const charged = budgets.map((b, i) => {
      const w = String(r[1 + i]);
      windows.push(w);
      this.budgetFigures.set(b.id, { spend: Number(r[1 + nb + i]), reserved: Number(r[1 + 2 * nb + i]), window: unwin(w) });
      return { ref: b.ref, window: unwin(w) };
    });
    const headers: Record<string, string> = {};
    specs.forEach((s: LimitSpec, j) => {
      const requests = Number(r[1 + 3 * nb + j]);
      const tokens = Number(r[1 + 3 * nb + ns + j]);
      this.rateFigures.set(s.id, { start, requests, tokens });
      admittedHeaders(headers, s, requests, tokens, resetSeconds);
    });
    if (parallel.max !== null) this.leaseFigures.set(parallel.scope, Number(r[1 + 3 * nb + 2 * ns]));
    const redis: RedisPart = {
      callId,
      estimate,
      budgets,
      windows,
      tokenIds: specs.filter((s) => s.tpm !== null).map((s) => s.id),
      leaseScope: parallel.max !== null ? parallel.scope : null,
      settled: false,
    };
    const ticket: RedisTicket = { headers, charged, redis };
    return ticket;
  }

  finish(t: Ticket, cost: number, tokens: number, now = Date.now()): void | Promise<void> {
    const part = (t as RedisTicket).redis;
    if (!part) return this.memory.finish(t, cost, tokens, now);
    assertNanos(cost, 'a cost');
    if (part.settled) return;
    part.settled = true;
    // Redis away: the reservation and the lease expire there (or are dropped by the re-seed)
    if (!this.conn.up) return;
    return this.settle(part, cost, Number.isSafeInteger(tokens) && tokens > 0 ? tokens : 0, now);
  }

  private async settle(p: RedisPart, cost: number, tokens: number, now: number): Promise<void> {
    const start = windowStart(now);
    const keys: string[] = [];
    for (const b of p.budgets) keys.push(this.conn.key('budget', b.id), this.conn.key('budget-res', b.id));
    for (const id of p.tokenIds) keys.push(this.conn.key('rate', id, String(start)));
    if (p.leaseScope) keys.push(this.conn.key('lease', p.leaseScope));
    let r: Reply;
    try {
      r = await this.cmd.purserSettle(keys.length, ...keys, p.callId, p.estimate, cost, tokens, p.budgets.length, p.tokenIds.length, p.leaseScope ? '1' : '0', 2 * WINDOW_MS, ...p.windows);
    } catch (e) {
      this.lost(e);
      return;
    }
    const nb = p.budgets.length;
    p.budgets.forEach((b, i) => {
      const spend = Number(r[i]);
      const reserved = Number(r[nb + i]);
      const f = this.budgetFigures.get(b.id);
      // -1: the counter moved to another window (a reset) or is gone (a re-seed): its spend is not this call's to say
      if (spend >= 0) this.budgetFigures.set(b.id, { spend, reserved, window: unwin(p.windows[i]!) });
      else if (f) f.reserved = reserved;
    });
    for (const id of p.tokenIds) {
      const f = this.rateFigures.get(id);
      if (f && f.start === start) f.tokens += tokens;
    }
    if (p.leaseScope) this.leaseFigures.set(p.leaseScope, Number(r[2 * nb]));
  }

  /** Budget figures: Redis's (as last answered) while shared, this process's while alone. */
  private counters(): BudgetCounters {
    const m = this.memory.ledger;
    const adjust = (ref: BudgetRef, op: 'sync' | 'reset', spend: number, window: number | null): Promise<void> => {
      const id = budgetId(ref);
      const f = this.budgetFigures.get(id);
      if (f) this.budgetFigures.set(id, { spend, reserved: f.reserved, window });
      if (!this.conn.up) return Promise.resolve();
      return this.cmd.purserAdjust(1, this.conn.key('budget', id), op, win(window), spend).then(
        () => {},
        (e) => this.lost(e),
      );
    };
    return {
      // the shared counter holds settled spend already: a flush moves it from unflushed to flushed in this process only
      flushed: (ref, window, amount) => m.flushed(ref, window, amount),
      sync: (ref, spend, window) => {
        m.sync(ref, spend, window);
        assertNanos(spend, `spend of ${budgetId(ref)}`);
        void adjust(ref, 'sync', spend, window);
      },
      reset: (ref, window) => {
        m.reset(ref, window);
        return adjust(ref, 'reset', 0, window);
      },
      spendOf: (b) => (this.degraded ? m.spendOf(b) : (this.budgetFigures.get(b.id)?.spend ?? b.dbSpend)),
      windowOf: (b) => (this.degraded ? m.windowOf(b) : (this.budgetFigures.get(b.id)?.window ?? b.window)),
      figures: (b) => {
        if (this.degraded) return m.figures(b);
        const f = this.budgetFigures.get(b.id);
        return { spend: f?.spend ?? b.dbSpend, reserved: f?.reserved ?? 0 };
      },
      peek: (ref) => (this.degraded ? m.peek(ref) : (this.budgetFigures.get(budgetId(ref)) ?? null)),
    };
  }

  /** A command failed (connection dropped mid-call, Redis erroring): alone until it answers again. */
  private lost(e: unknown) {
    if (!this.degraded) this.log.warn(`Redis admission failed (${errorSummary(e)})`);
    this.markDown();
  }

  private markDown() {
    if (this.degraded) return;
    this.degraded = true;
    this.log.warn('Redis is away: rate limits, parallel slots and budgets are kept per process until it answers (with N processes a key may get up to N times its limits)');
    // this process's own figures start from the database: fresh snapshots seed its ledger
    this.memory.ledger.clear();
    this.opts.onReseed();
  }

  /**
   * Redis answers again: drop the budget counters, reservations and leases it holds (stale:
   * spend during the outage went to the database only, and settlements that could not reach
   * it would leak), reload the key snapshots, and share again. Admission stays per process
   * until this is done.
   */
  private reseed() {
    if (this.reseeding) return;
    this.reseeding = (async () => {
      try {
        await this.opts.beforeReseed?.();
        for (const kind of ['budget', 'budget-res', 'lease']) {
          const match = `${glob(this.conn.key(kind))}:*`;
          let cursor = '0';
          do {
            const [next, keys] = await this.conn.client.scan(cursor, 'MATCH', match, 'COUNT', 500);
            if (keys.length) await this.conn.client.del(...keys);
            cursor = next;
          } while (cursor !== '0');
        }
        this.budgetFigures.clear();
        this.leaseFigures.clear();
        this.opts.onReseed();
        this.degraded = false;
        this.log.info('Redis answers again: budget counters are seeded from the database, limits are shared again');
      } catch (e) {
        this.log.warn(`Redis re-seed failed, still per process: ${errorSummary(e)}`);
      }
    })().finally(() => {
      this.reseeding = null;
    });
  }
}
