/**
 * Which budget a figure belongs to, typed. The one place that turns a reference into the
 * ledger / alert id (`key:<id>`, `user:<id>`, `team:<id>`, `member:<team>:<user>`,
 * `usertotal:<id>`, `customer:<id>`): budget_alerts rows and the webhook payload keep those exact strings.
 */
import type { BudgetKind } from './explain.js';

export type BudgetRef =
  | { kind: 'key'; keyId: string }
  /** the owner's personal spend (personal keys): what the user budget blocks on */
  | { kind: 'user'; userId: string }
  | { kind: 'team'; teamId: string }
  | { kind: 'member'; teamId: string; userId: string }
  /** a customer (LiteLLM end user, the `user` a call names): counted and blocking on its own row */
  | { kind: 'customer'; customerId: string }
  /** the owner's total spend: moves on every call, blocks nothing */
  | { kind: 'userTotal'; userId: string };

/** The references a budget can block on (the others only count). */
export type BlockingRef = Extract<BudgetRef, { kind: BudgetKind }>;

/** The subject's id without the kind: the webhook payload's `budget.id` (`<team>:<user>` for a member). */
export function budgetSubjectId(ref: BudgetRef): string {
  switch (ref.kind) {
    case 'key':
      return ref.keyId;
    case 'user':
    case 'userTotal':
      return ref.userId;
    case 'team':
      return ref.teamId;
    case 'member':
      return `${ref.teamId}:${ref.userId}`;
    case 'customer':
      return ref.customerId;
  }
}

const PREFIX: Record<BudgetRef['kind'], string> = { key: 'key', user: 'user', team: 'team', member: 'member', userTotal: 'usertotal', customer: 'customer' };

/** The ledger / alert id of a budget. Snapshots compute it once; the hot path reads it. */
export const budgetId = (ref: BudgetRef): string => `${PREFIX[ref.kind]}:${budgetSubjectId(ref)}`;
