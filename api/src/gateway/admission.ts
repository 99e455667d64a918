import type { BudgetView, ChargedBudget } from '../budgets/counted.js';
import type { BudgetCounters, BudgetLedger, Reservation } from '../budgets/ledger.js';
import type { RateFigures } from '../budgets/limits.service.js';
import { Limiter, limitSpecsOf, type Admission, type LimitRefusal } from './limiter.js';

/** What admission reads of a key snapshot (gateway/key-cache.ts). */
export type AdmissionSubject = Parameters<typeof limitSpecsOf>[0] & { budgets: BudgetView[] };

/** An admitted call: handed back to finish() when it ends. */
export interface Ticket {
  /** x-ratelimit-* headers for the answer */
  headers: Record<string, string>;
  /** the budgets the call counts against, in their windows at admission (the spend row's) */
  charged: ChargedBudget[];
}

export type AdmissionRefusal =
  | { refused: 'budget'; budget: BudgetView; spend: number }
  | { refused: 'rate'; limit: LimitRefusal };

export const isRefusal = (x: Ticket | AdmissionRefusal): x is AdmissionRefusal => (x as AdmissionRefusal).refused !== undefined;

/**
 * One decision for every check of a call (each budget it counts against, the rpm / tpm windows
 * of its key and team, its parallel slot), and one settlement when it ends (release the
 * reservation for the actual cost, charge tokens, free the slot). In process memory
 * (MemoryAdmission) or shared through Redis (admission-redis.ts), chosen once in app/runtime.ts.
 */
export interface CallAdmission {
  admit(snap: AdmissionSubject, estimate: number, now?: number): Ticket | AdmissionRefusal | Promise<Ticket | AdmissionRefusal>;
  /** a Promise when the settlement goes over the network: figures (alerts, gauges) are current once it resolves */
  finish(t: Ticket, cost: number, tokens: number, now?: number): void | Promise<void>;
  /** budget figures for alerts, gauges, the limits explainer, the recorder and the reset job */
  readonly ledger: BudgetCounters;
  /** rate window and parallel slot figures for the limits explainer */
  readonly limiter: RateFigures;
}

interface MemoryTicket extends Ticket {
  reservation: Reservation;
  admission: Admission;
}

/** Everything in this process: the budget ledger and the limiter, as one process has always kept them. */
export class MemoryAdmission implements CallAdmission {
  constructor(
    readonly ledger: BudgetLedger,
    readonly limiter: Limiter,
  ) {}

  admit(snap: AdmissionSubject, estimate: number, now = Date.now()): MemoryTicket | AdmissionRefusal {
    // budgets first: spend + in-flight estimates against every budget the call counts against
    const refusal = this.ledger.check(snap.budgets);
    if (refusal) return { refused: 'budget', budget: refusal.budget, spend: refusal.spend };
    const limits = limitSpecsOf(snap);
    const admission = this.limiter.admit(limits.specs, limits.parallel, now);
    if (Limiter.isRefusal(admission)) return { refused: 'rate', limit: admission };
    const reservation = this.ledger.reserve(snap.budgets, estimate);
    return { headers: admission.headers, charged: this.ledger.charged(reservation, snap.budgets), reservation, admission };
  }

  finish(t: Ticket, cost: number, tokens: number, now = Date.now()): void {
    const m = t as MemoryTicket;
    this.ledger.settle(m.reservation, cost);
    this.limiter.finish(m.admission, tokens, now);
  }
}
