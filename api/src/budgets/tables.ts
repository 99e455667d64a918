/**
 * Where each budget lives in the database: one map for the recorder's increments and the
 * reset job. Every budget table holds its window in `budget_budget_reset_at`; users hold two
 * spend figures (total and personal) under one window.
 */
import type { BudgetRef } from './ref.js';

export const WINDOW_COLUMN = 'budget_budget_reset_at';

type RefOf<K extends BudgetRef['kind']> = Extract<BudgetRef, { kind: K }>;

/** Per kind: the table, its spend column, and the row of one budget. */
const SPEND: { [K in BudgetRef['kind']]: { table: string; column: string; where: (r: RefOf<K>) => Record<string, string> } } = {
  key: { table: 'virtual_keys', column: 'budget_spend', where: (r) => ({ id: r.keyId }) },
  team: { table: 'teams', column: 'budget_spend', where: (r) => ({ id: r.teamId }) },
  member: { table: 'team_memberships', column: 'budget_spend', where: (r) => ({ team_id: r.teamId, user_id: r.userId }) },
  user: { table: 'users', column: 'personal_spend_nanos', where: (r) => ({ id: r.userId }) },
  userTotal: { table: 'users', column: 'budget_spend', where: (r) => ({ id: r.userId }) },
  customer: { table: 'customers', column: 'budget_spend', where: (r) => ({ id: r.customerId }) },
};

/** The table, spend column and row a budget's increment goes to. */
export function spendColumn(ref: BudgetRef): { table: string; column: string; where: Record<string, string> } {
  const s = SPEND[ref.kind] as { table: string; column: string; where: (r: BudgetRef) => Record<string, string> };
  return { table: s.table, column: s.column, where: s.where(ref) };
}

/** A table the reset job walks: its id columns, and the budget the ledger tracks for a row. */
export interface BudgetTable {
  table: string;
  idColumns: readonly string[];
  /** the spend columns a reset sets to 0 (every figure under the row's window) */
  spendColumns: readonly string[];
  /** the ledger's budget for a row (the user row's is personal spend) */
  refOf(row: Record<string, unknown>): BudgetRef;
  /**
   * where the duration lives when not on the row: a customer without its own duration resets
   * on its named budget's (`budgets.budget_duration`, joined by `budget_id`)
   */
  durationFrom?: { table: string; on: string; column: string };
}

const columnsOf = (table: string) => Object.values(SPEND).filter((s) => s.table === table).map((s) => s.column);

export const BUDGET_TABLES: readonly BudgetTable[] = [
  { table: 'virtual_keys', idColumns: ['id'], spendColumns: columnsOf('virtual_keys'), refOf: (r) => ({ kind: 'key', keyId: String(r.id) }) },
  { table: 'users', idColumns: ['id'], spendColumns: columnsOf('users'), refOf: (r) => ({ kind: 'user', userId: String(r.id) }) },
  { table: 'teams', idColumns: ['id'], spendColumns: columnsOf('teams'), refOf: (r) => ({ kind: 'team', teamId: String(r.id) }) },
  {
    table: 'team_memberships',
    idColumns: ['team_id', 'user_id'],
    spendColumns: columnsOf('team_memberships'),
    refOf: (r) => ({ kind: 'member', teamId: String(r.team_id), userId: String(r.user_id) }),
  },
  {
    table: 'customers',
    idColumns: ['id'],
    spendColumns: columnsOf('customers'),
    refOf: (r) => ({ kind: 'customer', customerId: String(r.id) }),
    durationFrom: { table: 'budgets', on: 'budget_id', column: 'budget_duration' },
  },
];
