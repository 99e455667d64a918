import { badInput } from '../common/errors.js';
import { usdToNanos } from '../common/money.js';
import { checkMoney } from '../common/validate.js';
import { DurationError, isNoDuration, nextResetAt, parseDuration } from '../time/durations.js';
import type { Budget } from './budget.embeddable.js';

/** Budget fields as the APIs take them: USD numbers; undefined = unchanged, null = none. */
export interface BudgetInput {
  maxBudget?: number | null;
  softBudget?: number | null;
  budgetDuration?: string | null;
}

/** Validates a duration field (the one grammar); returns null for "none". */
export function readDuration(field: string, v: string | null | undefined) {
  if (v === null || v === undefined || isNoDuration(v)) return null;
  try {
    return parseDuration(v);
  } catch (e) {
    if (e instanceof DurationError) throw badInput(`${field}: ${e.message}`, field);
    throw e;
  }
}

export function checkBudgetInput(input: BudgetInput, prefix = ''): void {
  checkMoney(prefix + 'maxBudget', input.maxBudget);
  checkMoney(prefix + 'softBudget', input.softBudget);
  readDuration(prefix + 'budgetDuration', input.budgetDuration);
}

/**
 * Writes budget fields onto a budget value. A new or changed duration starts a new,
 * calendar-aligned window (ROLES.md "Durations and resets"); spend is left alone here:
 * it only moves through SQL increments and the reset job.
 */
export function applyBudgetInput(budget: Budget, input: BudgetInput, tz: string, now = new Date()): void {
  checkBudgetInput(input);
  if (input.maxBudget !== undefined) budget.maxBudget = input.maxBudget === null ? null : usdToNanos(input.maxBudget);
  if (input.softBudget !== undefined)
    budget.softBudget = input.softBudget === null ? null : usdToNanos(input.softBudget);
  if (input.budgetDuration !== undefined) {
    const d = readDuration('budgetDuration', input.budgetDuration);
    const changed = (d?.text ?? null) !== budget.budgetDuration;
    budget.budgetDuration = d ? d.text : null;
    if (!d) budget.budgetResetAt = null;
    else if (changed || !budget.budgetResetAt) budget.budgetResetAt = nextResetAt(d, now, tz);
  }
}

/**
 * An admin's correction of a user's spend (`/user/update` `spend`, GraphQL `updateUser`):
 * the user budget blocks personal keys on personal spend (counted.ts), so the correction sets
 * that figure as well as the total; otherwise forgiving a user's spend would not admit their
 * personal keys again. The key, team and member budgets keep their own spend.
 */
export function correctUserSpend(user: { budget: Budget; personalSpendNanos: number }, nanos: number): void {
  user.budget.spend = nanos;
  user.personalSpendNanos = nanos;
}
