import type { BudgetView, ChargedBudget } from './counted.js';
import { budgetRefuses } from './explain.js';
import { budgetId, type BudgetRef } from './ref.js';

interface Entry {
  /** budget window (reset instant, ms) the figures belong to; null = no resets */
  window: number | null;
  /** spend known to be in the database */
  flushed: number;
  /** recorded here, not yet confirmed written */
  unflushed: number;
  /** estimates of calls in flight */
  reserved: number;
}

export interface Refusal {
  budget: BudgetView;
  spend: number;
}

/** What admission took; handed back when the call ends. */
export interface Reservation {
  estimate: number;
  /** ledger id → window at admission: a call's cost counts in the window it was admitted in */
  windows: Map<string, number | null>;
  /** settled already: a second settle must not release the estimate twice */
  settled: boolean;
}

/**
 * Every amount that enters the ledger is a non-negative safe integer of nano-dollars. A
 * non-finite or negative number would switch a budget off (NaN >= max is false) or leave a
 * phantom reservation, so it is refused before it changes anything.
 */
export function assertNanos(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`ledger: ${what} must be a non-negative integer of nano-dollars, got ${n}`);
}

/**
 * The budget figures outside admission: the recorder's flushes, the reset job, admin
 * corrections, alerts, gauges and the limits explainer. BudgetLedger is the in-process one;
 * with Redis, gateway/admission-redis.ts keeps the shared counters behind the same calls.
 */
export interface BudgetCounters {
  /** After a flush wrote `amount` for a budget in `window`. */
  flushed(ref: BudgetRef, window: number | null, amount: number): void;
  /** The database value changed outside the gateway (admin correction): adopt it. */
  sync(ref: BudgetRef, spend: number, window: number | null): void;
  /** A budget reset: new window, nothing spent in it. */
  reset(ref: BudgetRef, window: number | null): void | Promise<void>;
  spendOf(b: BudgetView): number;
  windowOf(b: BudgetView): number | null;
  figures(b: BudgetView): { spend: number; reserved: number };
  peek(ref: BudgetRef): { spend: number; reserved: number; window: number | null } | null;
}

/**
 * The in-memory view of every budget the gateway enforces (ARCHITECTURE.md "Hot path is in
 * memory"). A call is admitted iff spend + reserved < max for key, user and member budgets,
 * and spend + reserved <= max for team budgets (LiteLLM blocks a team only when spend > max).
 * Money is integer nano-dollars.
 */
export class BudgetLedger implements BudgetCounters {
  private readonly entries = new Map<string, Entry>();

  /** Forgets every figure: each budget is seeded again from its next snapshot (the database). */
  clear(): void {
    this.entries.clear();
  }

  private entry(b: BudgetView): Entry {
    assertNanos(b.dbSpend, `spend of ${b.id}`);
    let e = this.entries.get(b.id);
    if (!e || (b.window !== null && e.window !== null && b.window > e.window)) {
      // first sight, or the database has moved to a newer window (reset elsewhere)
      e = { window: b.window, flushed: b.dbSpend, unflushed: 0, reserved: e?.reserved ?? 0 };
      this.entries.set(b.id, e);
    }
    return e;
  }

  spendOf(b: BudgetView): number {
    const e = this.entry(b);
    return e.flushed + e.unflushed;
  }

  /** The first budget that refuses the call, or null. Does not reserve. */
  check(budgets: BudgetView[]): Refusal | null {
    for (const b of budgets) {
      if (b.max === null) continue;
      const e = this.entry(b);
      const used = e.flushed + e.unflushed + e.reserved;
      if (budgetRefuses(b.kind, used, b.max)) return { budget: b, spend: e.flushed + e.unflushed };
    }
    return null;
  }

  reserve(budgets: BudgetView[], estimate: number): Reservation {
    assertNanos(estimate, 'a reservation');
    const windows = new Map<string, number | null>();
    for (const b of budgets) {
      if (windows.has(b.id)) continue;
      const e = this.entry(b);
      e.reserved += estimate;
      windows.set(b.id, e.window);
    }
    return { estimate, windows, settled: false };
  }

  /** Replaces the reservation by the actual cost, in the window of admission only; exactly once. */
  settle(r: Reservation, cost: number): void {
    assertNanos(cost, 'a cost');
    if (r.settled) return;
    r.settled = true;
    for (const [id, window] of r.windows) {
      const e = this.entries.get(id);
      if (!e) continue;
      // releases exactly what reserve() added to this entry
      e.reserved -= r.estimate;
      if (e.window === window) e.unflushed += cost;
    }
  }

  /** After a flush wrote `amount` for a budget in `window`. */
  flushed(ref: BudgetRef, window: number | null, amount: number): void {
    const id = budgetId(ref);
    assertNanos(amount, `a flushed amount of ${id}`);
    const e = this.entries.get(id);
    if (!e || e.window !== window) return;
    e.unflushed = Math.max(0, e.unflushed - amount);
    e.flushed += amount;
  }

  /** The database value changed outside the gateway (admin correction, reset): adopt it. */
  sync(ref: BudgetRef, spend: number, window: number | null): void {
    const id = budgetId(ref);
    assertNanos(spend, `spend of ${id}`);
    const e = this.entries.get(id);
    if (!e) return;
    if (e.window !== window) e.unflushed = 0;
    e.window = window;
    e.flushed = spend;
  }

  /** A budget reset: new window, nothing spent in it. */
  reset(ref: BudgetRef, window: number | null): void {
    const e = this.entries.get(budgetId(ref));
    if (!e) return;
    e.window = window;
    e.flushed = 0;
    e.unflushed = 0;
  }

  /** A budget's figures as check() sees them (spend = flushed + unflushed): for the limits explanation. */
  figures(b: BudgetView): { spend: number; reserved: number } {
    const e = this.entry(b);
    return { spend: e.flushed + e.unflushed, reserved: e.reserved };
  }

  /** The window the ledger holds for a budget (newer than a stale snapshot's after a reset). */
  windowOf(b: BudgetView): number | null {
    return this.entries.get(b.id)?.window ?? b.window;
  }

  /** The budgets a reservation counted against, each in its window at admission: the spend row's. */
  charged(r: Reservation, budgets: BudgetView[]): ChargedBudget[] {
    const out: ChargedBudget[] = [];
    for (const b of budgets) {
      const window = r.windows.get(b.id);
      if (window !== undefined) out.push({ ref: b.ref, window });
    }
    return out;
  }

  /** Spend (flushed + unflushed) and reservations: for metrics and tests. */
  peek(ref: BudgetRef): { spend: number; reserved: number; window: number | null } | null {
    const e = this.entries.get(budgetId(ref));
    return e ? { spend: e.flushed + e.unflushed, reserved: e.reserved, window: e.window } : null;
  }
}
