/**
 * What bounds a customer: its own fields, else those of the named budget it references
 * (`budget_id`). One function so that the gateway, REST, GraphQL and the reset job agree.
 * Money in micro-dollars.
 */
import type { Customer, NamedBudget } from './customer.entity.js';

export interface EffectiveLimits {
  maxBudget: number | null;
  softBudget: number | null;
  budgetDuration: string | null;
  rpmLimit: number | null;
  tpmLimit: number | null;
}

/** The customer's `tier` must be loaded (populate: ['tier']) or null. */
export function effectiveLimits(c: Customer): EffectiveLimits {
  const t: NamedBudget | null = c.tier ?? null;
  return {
    maxBudget: c.budget.maxBudget ?? t?.maxBudget ?? null,
    softBudget: c.budget.softBudget ?? t?.softBudget ?? null,
    budgetDuration: c.budget.budgetDuration ?? t?.budgetDuration ?? null,
    rpmLimit: c.rpmLimit ?? t?.rpmLimit ?? null,
    tpmLimit: c.tpmLimit ?? t?.tpmLimit ?? null,
  };
}

/** Whether the customer has any budget or limit at all (LiteLLM shows `litellm_budget_table: null` otherwise). */
export const hasLimits = (c: Customer): boolean => Boolean(c.tier) || Object.values(effectiveLimits(c)).some((v) => v !== null);
