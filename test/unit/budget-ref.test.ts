/**
 * The typed budget reference and where each budget lives. The ids are persisted (budget_alerts
 * rows dedupe alerts per budget and window across restarts) and sent (the webhook's budget.id),
 * so their exact form is pinned; the table map is what the recorder increments and the reset
 * job zeroes.
 */
import { describe, expect, it } from 'vitest';
import { budgetsOf, chargedBudgets, withCustomer } from '../../api/src/budgets/counted.js';
import { Budget } from '../../api/src/budgets/budget.embeddable.js';
import { budgetId, budgetSubjectId, type BudgetRef } from '../../api/src/budgets/ref.js';
import { BUDGET_TABLES, spendColumn } from '../../api/src/budgets/tables.js';

const budget = (spend: number, max: number | null = null) => Object.assign(new Budget(), { spend, maxBudget: max });

describe('BudgetRef', () => {
  it('encodes each kind as the ids the alerts table and the webhook already hold', () => {
    const refs: Array<[BudgetRef, string, string]> = [
      [{ kind: 'key', keyId: 'k1' }, 'key:k1', 'k1'],
      [{ kind: 'user', userId: 'u1' }, 'user:u1', 'u1'],
      [{ kind: 'team', teamId: 't1' }, 'team:t1', 't1'],
      [{ kind: 'member', teamId: 't1', userId: 'u1' }, 'member:t1:u1', 't1:u1'],
      [{ kind: 'userTotal', userId: 'u1' }, 'usertotal:u1', 'u1'],
      [{ kind: 'customer', customerId: 'acme' }, 'customer:acme', 'acme'],
    ];
    for (const [ref, id, subject] of refs) {
      expect(budgetId(ref)).toBe(id);
      expect(budgetSubjectId(ref)).toBe(subject);
    }
  });

  it('maps every kind to its table, spend column and row; users keep personal and total spend apart', () => {
    expect(spendColumn({ kind: 'key', keyId: 'k1' })).toEqual({ table: 'virtual_keys', column: 'budget_spend', where: { id: 'k1' } });
    expect(spendColumn({ kind: 'team', teamId: 't1' })).toEqual({ table: 'teams', column: 'budget_spend', where: { id: 't1' } });
    expect(spendColumn({ kind: 'member', teamId: 't1', userId: 'u1' })).toEqual({ table: 'team_memberships', column: 'budget_spend', where: { team_id: 't1', user_id: 'u1' } });
    expect(spendColumn({ kind: 'user', userId: 'u1' })).toEqual({ table: 'users', column: 'personal_spend_nanos', where: { id: 'u1' } });
    expect(spendColumn({ kind: 'userTotal', userId: 'u1' })).toEqual({ table: 'users', column: 'budget_spend', where: { id: 'u1' } });
    // a reset zeroes every figure under a row's window, and hands the ledger the budget admission reads
    const users = BUDGET_TABLES.find((t) => t.table === 'users')!;
    expect([...users.spendColumns].sort()).toEqual(['budget_spend', 'personal_spend_nanos']);
    expect(users.refOf({ id: 'u1' })).toEqual({ kind: 'user', userId: 'u1' });
    const members = BUDGET_TABLES.find((t) => t.table === 'team_memberships')!;
    expect(members.refOf({ team_id: 't1', user_id: 'u1' })).toEqual({ kind: 'member', teamId: 't1', userId: 'u1' });
    expect(spendColumn({ kind: 'customer', customerId: 'acme' })).toEqual({ table: 'customers', column: 'budget_spend', where: { id: 'acme' } });
    const customers = BUDGET_TABLES.find((t) => t.table === 'customers')!;
    expect(customers.refOf({ id: 'acme' })).toEqual({ kind: 'customer', customerId: 'acme' });
    // a customer without its own duration resets on its named budget's
    expect(customers.durationFrom).toEqual({ table: 'budgets', on: 'budget_id', column: 'budget_duration' });
    expect(BUDGET_TABLES.map((t) => t.table).sort()).toEqual(['customers', 'team_memberships', 'teams', 'users', 'virtual_keys']);
  });
});

describe('the budgets a call counts against', () => {
  const key = { id: 'k1', keyAlias: null, keyName: 'sk-...abcd', budget: budget(10, 100) };
  const user = { id: 'u1', budget: budget(500, 50), personalSpendNanos: 7 };
  const team = { id: 't1', budget: budget(20, 200) };
  const member = { budget: budget(30, 300) };

  it('personal key: the key and the owner personal spend (not the total), then the total is charged too', () => {
    const views = budgetsOf(key, null, user, null);
    expect(views.map((v) => [v.id, v.label, v.dbSpend, v.max])).toEqual([
      ['key:k1', 'key sk-...abcd', 10, 100],
      ['user:u1', 'user u1', 7, 50],
    ]);
    const charged = chargedBudgets({ budgets: views.map((v) => ({ ref: v.ref, window: v.window })), userId: 'u1', userWindow: 5 });
    expect(charged.map((c) => [budgetId(c.ref), c.window])).toEqual([['key:k1', null], ['user:u1', null], ['usertotal:u1', 5]]);
  });

  it('team key: the key, the team and the membership; the user budget never blocks it', () => {
    expect(budgetsOf(key, team, user, member).map((v) => [v.id, v.dbSpend])).toEqual([
      ['key:k1', 10],
      ['team:t1', 20],
      ['member:t1:u1', 30],
    ]);
    // a key with no owner counts against the key (and its team) only; nothing to charge a user with
    expect(budgetsOf(key, team, null, null).map((v) => v.id)).toEqual(['key:k1', 'team:t1']);
    expect(chargedBudgets({ budgets: [], userId: null, userWindow: null })).toEqual([]);
  });

  it('a call naming a customer counts against its budget too, admitted last', () => {
    const views = budgetsOf(key, team, user, member);
    const customer = { kind: 'customer' as const, ref: { kind: 'customer' as const, customerId: 'acme' }, id: 'customer:acme', label: 'customer acme', max: null, soft: null, window: null, dbSpend: 0 };
    expect(withCustomer(views, customer).map((v) => v.id)).toEqual(['key:k1', 'team:t1', 'member:t1:u1', 'customer:acme']);
    expect(withCustomer(views, null)).toBe(views);
  });
});
