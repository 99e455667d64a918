/**
 * Which budgets a call counts against (ROLES.md "Budgets"): the key's, the team's and the
 * owner's membership for a team key; the key's and the owner's personal spend for a personal
 * key; the customer's (LiteLLM end user) when the call names one as `user`; and the owner's
 * total spend always (counted, never blocking). The gateway's admission
 * (key snapshots), the recorder's increments, the alerts and the limits explainer all read
 * this list; the reset job and the recorder find each budget's row through tables.ts.
 */
import type { Budget } from './budget.embeddable.js';
import type { BudgetKind } from './explain.js';
import { budgetId, type BlockingRef, type BudgetRef } from './ref.js';

/** One budget as the gateway checks it. Money in nano-dollars; window = reset instant (ms) or null. */
export interface BudgetView {
  kind: BudgetKind;
  ref: BlockingRef;
  /** budgetId(ref), computed once with the snapshot: the ledger's key on the hot path */
  id: string;
  label: string;
  max: number | null;
  soft: number | null;
  window: number | null;
  /** spend in the database when loaded */
  dbSpend: number;
}

interface Holder {
  id: string;
  budget: Budget;
}
interface KeyHolder extends Holder {
  keyAlias: string | null;
  keyName: string;
}
interface UserHolder extends Holder {
  personalSpendNanos: number;
}

/** The figure a budget blocks on: the user budget on personal spend, every other on its own spend. */
export function trackedSpend(ref: BlockingRef, holder: { budget: Budget; personalSpendNanos?: number }): number {
  return ref.kind === 'user' ? (holder.personalSpendNanos ?? 0) : holder.budget.spend;
}

/** The budgets a call with this key counts against and is admitted against, in admission order. */
export function budgetsOf(key: KeyHolder, team: Holder | null, user: UserHolder | null, member: { budget: Budget } | null): BudgetView[] {
  const out: BudgetView[] = [];
  const view = (ref: BlockingRef, label: string, holder: { budget: Budget; personalSpendNanos?: number }) => {
    const b = holder.budget;
    out.push({ kind: ref.kind, ref, id: budgetId(ref), label, max: b.maxBudget, soft: b.softBudget, window: b.budgetResetAt?.getTime() ?? null, dbSpend: trackedSpend(ref, holder) });
  };
  view({ kind: 'key', keyId: key.id }, key.keyAlias ? `key ${key.keyAlias}` : `key ${key.keyName}`, key);
  if (team) view({ kind: 'team', teamId: team.id }, `team ${team.id}`, team);
  if (team && user && member) view({ kind: 'member', teamId: team.id, userId: user.id }, `member ${user.id} in team ${team.id}`, member);
  // the user budget blocks on personal spend, for personal keys only
  if (!team && user) view({ kind: 'user', userId: user.id }, `user ${user.id}`, user);
  return out;
}

/**
 * A call that names a customer (its `user`) also counts against that customer's budget, and is
 * admitted against it last (gateway/customer-cache.ts builds the view; max null = counted only).
 */
export function withCustomer(keyBudgets: BudgetView[], customer: BudgetView | null): BudgetView[] {
  return customer ? [...keyBudgets, customer] : keyBudgets;
}

/** A budget a call counted against, with the window it was admitted in. */
export interface ChargedBudget {
  ref: BudgetRef;
  window: number | null;
}

/**
 * Everything a recorded call's cost is added to: the budgets it was admitted against (in
 * their windows at admission) and the owner's total spend (in the owner's window then).
 */
export function chargedBudgets(row: { budgets: ChargedBudget[]; userId: string | null; userWindow: number | null }): ChargedBudget[] {
  return row.userId ? [...row.budgets, { ref: { kind: 'userTotal', userId: row.userId }, window: row.userWindow }] : row.budgets;
}
