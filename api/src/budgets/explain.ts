/**
 * The gateway's admission rules as pure functions, and the "Why can't I call?" explanation
 * built from them. The ledger, the limiter and the gateway's refusal message call the same
 * predicates, so what the dashboard says and what the gateway does cannot disagree.
 */

import { formatUsd, nanosToUsd, plainUsd } from '../common/money.js';
import type { BlockingRef } from './ref.js';

export type BudgetKind = 'key' | 'user' | 'team' | 'member' | 'customer';

/**
 * Whether a budget refuses the next call: spend + reserved < max is admitted for key, user and
 * member budgets; team and customer budgets block only once used > max (LiteLLM blocks a team
 * and an end user when spend > max).
 */
export const budgetRefuses = (kind: BudgetKind, used: number, max: number): boolean => (kind === 'team' || kind === 'customer' ? used > max : used >= max);

export interface LimitSpec {
  /** whose counter: the key's, its team's or the customer's the call names */
  scope: 'key' | 'team' | 'customer';
  /** counter id, e.g. key:<id> or team:<id> */
  id: string;
  rpm: number | null;
  tpm: number | null;
}

/** The rate windows and parallel slots a key's calls count against, in admission order. */
export function limitSpecsOf(snap: {
  keyId: string | null;
  teamId: string | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
  teamRpmLimit: number | null;
  teamTpmLimit: number | null;
  maxParallelRequests: number | null;
  /** windows beyond the key's and team's (the customer a call names) */
  extraSpecs?: LimitSpec[];
}): { specs: LimitSpec[]; parallel: { scope: string; max: number | null } } {
  return {
    specs: [
      ...(snap.keyId ? [{ scope: 'key' as const, id: `key:${snap.keyId}`, rpm: snap.rpmLimit, tpm: snap.tpmLimit }] : []),
      ...(snap.teamId ? [{ scope: 'team' as const, id: `team:${snap.teamId}`, rpm: snap.teamRpmLimit, tpm: snap.teamTpmLimit }] : []),
      ...(snap.extraSpecs ?? []),
    ],
    parallel: { scope: `key:${snap.keyId}`, max: snap.maxParallelRequests },
  };
}

/** Whether a per-minute counter refuses the next call (requests count at admission, tokens after). */
export const rateRefuses = (count: number, limit: number): boolean => count >= limit;

/** Whether the parallel slots are all taken. */
export const parallelRefuses = (inFlight: number, max: number): boolean => inFlight >= max;

/** The gateway's 429 text for a budget; the explanation names the same cap with the same words. */
export function budgetRefusalMessage(label: string, spendNanos: number, maxNanos: number): string {
  return `Budget has been exceeded! ${label[0]!.toUpperCase()}${label.slice(1)}: current spend ${formatUsd(spendNanos)} USD, max budget ${plainUsd(maxNanos)} USD.`;
}

/** LiteLLM's 429 text for a customer (end user) over budget (auth_checks.py, `ExceededBudget: End User=…`). */
export function customerRefusalMessage(customerId: string, spendNanos: number, maxNanos: number): string {
  return `ExceededBudget: End User=${customerId} over budget. Spend=${nanosToUsd(spendNanos)}, Budget=${nanosToUsd(maxNanos)}`;
}

/** The gateway's 429 text for a per-minute counter (`id` as key:<id> or team:<id>). */
export function rateRefusalMessage(id: string, kind: 'rpm' | 'tpm', limit: number): string {
  return `Rate limit reached for ${id.replace(':', ' ')}: ${limit} ${kind === 'rpm' ? 'requests' : 'tokens'} per minute.`;
}

/** The gateway's 429 text when every parallel slot is taken. */
export function parallelRefusalMessage(scope: string, max: number): string {
  return `Too many parallel requests for ${scope.replace(':', ' ')}: at most ${max} at once.`;
}

export type CapKind = 'budget' | 'rpm' | 'tpm' | 'parallel';

/** One cap on a key's calls, with its current figures. Money in nano-dollars. */
export interface Cap {
  kind: CapKind;
  /** whose cap: the key, its owner (personal spend), its team, the owner's membership */
  scope: BudgetKind;
  /** e.g. "key alice-laptop", "team t1", as the gateway's messages say */
  label: string;
  limit: number;
  /** spend (budgets, flushed + not yet flushed), requests or tokens in this minute, calls in flight */
  used: number;
  /** estimates of budget calls in flight (0 for counters) */
  reserved: number;
  /** what may still be used before the cap refuses; 0 when it refuses */
  remaining: number;
  /** when the figure next drops to 0 (ms), null = never */
  resetsAt: number | null;
  /** this cap refuses a call now */
  refuses: boolean;
  /** what the gateway answers (429) while it refuses */
  message: string;
  /** the budget (budget caps whose figures named it): what the runway forecast reads */
  ref?: BlockingRef;
}

/** What the explanation needs: the budgets as the gateway checks them, with ledger figures. */
export interface BudgetFigures {
  kind: BudgetKind;
  label: string;
  max: number | null;
  window: number | null;
  spend: number;
  reserved: number;
  ref?: BlockingRef;
}

export interface CounterFigures {
  scope: 'key' | 'team' | 'customer';
  /** the limiter's counter id (key:<id>, team:<id>) */
  id: string;
  label: string;
  rpm: number | null;
  tpm: number | null;
  requests: number;
  tokens: number;
  windowEndsAt: number;
}

export interface ParallelFigures {
  /** the limiter's slot scope (key:<id>) */
  scope: string;
  label: string;
  max: number | null;
  inFlight: number;
}

export function budgetCap(b: BudgetFigures): Cap | null {
  if (b.max === null) return null;
  const used = b.spend + b.reserved;
  const refuses = budgetRefuses(b.kind, used, b.max);
  // a team may reach its max exactly; the others stop just below it
  const remaining = refuses ? 0 : Math.max(0, b.max - used);
  const message = budgetRefusalMessage(b.label, b.spend, b.max);
  return { kind: 'budget', scope: b.kind, label: b.label, limit: b.max, used: b.spend, reserved: b.reserved, remaining, resetsAt: b.window, refuses, message, ...(b.ref ? { ref: b.ref } : {}) };
}

function counterCaps(c: CounterFigures): Cap[] {
  const out: Cap[] = [];
  for (const [kind, limit, used] of [
    ['rpm', c.rpm, c.requests],
    ['tpm', c.tpm, c.tokens],
  ] as const) {
    if (limit === null) continue;
    const refuses = rateRefuses(used, limit);
    const message = rateRefusalMessage(c.id, kind, limit);
    out.push({ kind, scope: c.scope, label: c.label, limit, used, reserved: 0, remaining: refuses ? 0 : limit - used, resetsAt: c.windowEndsAt, refuses, message });
  }
  return out;
}

/** Share of a cap still free, 0..1: what orders caps that do not refuse yet. */
export const headroom = (c: Cap): number => (c.limit <= 0 ? 0 : Math.max(0, Math.min(1, c.remaining / c.limit)));

/**
 * Every cap that applies, first the one that stops a call first: caps refusing now in the
 * gateway's own admission order (budgets, then key and team rate windows, then parallel
 * slots), then the others by the share left, least first (ties keep admission order).
 */
export function explainCaps(budgets: BudgetFigures[], counters: CounterFigures[], parallel: ParallelFigures): Cap[] {
  const caps: Cap[] = [];
  for (const b of budgets) {
    const c = budgetCap(b);
    if (c) caps.push(c);
  }
  for (const c of counters) caps.push(...counterCaps(c));
  if (parallel.max !== null) {
    const refuses = parallelRefuses(parallel.inFlight, parallel.max);
    const message = parallelRefusalMessage(parallel.scope, parallel.max);
    caps.push({ kind: 'parallel', scope: 'key', label: parallel.label, limit: parallel.max, used: parallel.inFlight, reserved: 0, remaining: refuses ? 0 : parallel.max - parallel.inFlight, resetsAt: null, refuses, message });
  }
  return orderCaps(caps);
}

/** Stable: refusing caps first in the order given, then by headroom ascending. */
export function orderCaps(caps: Cap[]): Cap[] {
  return caps
    .map((c, i) => ({ c, i }))
    .sort((a, b) => Number(b.c.refuses) - Number(a.c.refuses) || (a.c.refuses ? a.i - b.i : headroom(a.c) - headroom(b.c) || a.i - b.i))
    .map((x) => x.c);
}
