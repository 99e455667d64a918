import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app/context.js';
import { nanosToUsd } from '../common/money.js';
import { int, iso, json, nn, opt, pageArgs, pageQuery, parse, restRoute, str } from '../rest/common.js';
import type { RestNames } from '../rest/errors.js';
import type { Customer, NamedBudget } from './customer.entity.js';
import {
  createBudget,
  createCustomer,
  deleteBudget,
  deleteCustomers,
  getBudgets,
  getCustomer,
  listBudgets,
  listCustomers,
  updateBudget,
  updateCustomer,
  type CustomerParams,
  type LimitParams,
} from './customer.service.js';
import { effectiveLimits, hasLimits } from './effective.js';

/** USD as LiteLLM's pydantic models take it: a number, or a numeric string (its docs send `"max_budget": "0"`). */
const usd = () =>
  opt(
    z.union([z.number(), z.string().trim().regex(/^\d+(\.\d+)?([eE][+-]?\d+)?$/).transform(Number)], {
      error: 'must be a finite, non-negative number of USD (or such a number as a string)',
    }),
  );

const limitFields = {
  max_budget: usd(),
  soft_budget: usd(),
  budget_duration: str(),
  rpm_limit: int(),
  tpm_limit: int(),
  // LiteLLM fields Purser does not enforce on customers: taken so scripts work, ignored (README)
  max_parallel_requests: int(),
  model_max_budget: json(),
  budget_reset_at: str(),
};

const customerFields = {
  ...limitFields,
  user_id: z.unknown().optional(),
  alias: str(),
  blocked: opt(z.boolean()),
  budget_id: str(),
  allowed_model_region: str(),
  default_model: str(),
  metadata: json(),
  spend: usd(),
  object_permission: json(),
};

export const customerRestNames: RestNames = {
  shapes: [customerFields, { end_user_id: null, user_ids: null }],
  renames: {},
};

const limits = (b: { [K in keyof typeof limitFields]?: z.output<(typeof limitFields)[K]> }): LimitParams => ({
  maxBudget: b.max_budget,
  softBudget: b.soft_budget,
  budgetDuration: b.budget_duration,
  rpmLimit: b.rpm_limit,
  tpmLimit: b.tpm_limit,
});

type CustomerBody = z.output<z.ZodObject<typeof customerFields>>;
const customerParams = (b: CustomerBody): CustomerParams => ({
  ...limits(b),
  alias: b.alias,
  blocked: b.blocked,
  budgetId: b.budget_id,
  allowedModelRegion: b.allowed_model_region,
  defaultModel: b.default_model,
  metadata: b.metadata,
  spend: nn(b.spend),
});

/** LiteLLM's `LiteLLM_BudgetTable` row. */
export function budgetRow(b: NamedBudget) {
  return {
    budget_id: b.id,
    max_budget: nanosToUsd(b.maxBudget),
    soft_budget: nanosToUsd(b.softBudget),
    max_parallel_requests: null,
    tpm_limit: b.tpmLimit,
    rpm_limit: b.rpmLimit,
    model_max_budget: null,
    budget_duration: b.budgetDuration,
    budget_reset_at: null,
    created_at: iso(b.createdAt),
    created_by: b.createdBy,
    updated_at: iso(b.updatedAt),
    updated_by: b.updatedBy,
  };
}

/**
 * LiteLLM's `LiteLLM_EndUserTable` row. `litellm_budget_table` shows what bounds the
 * customer: its named budget with the customer's own values over it, and the customer's
 * window; null when nothing does.
 */
export function customerRow(c: Customer) {
  const e = effectiveLimits(c);
  return {
    user_id: c.id,
    alias: c.alias,
    spend: nanosToUsd(c.budget.spend),
    allowed_model_region: c.allowedModelRegion,
    default_model: c.defaultModel,
    budget_id: c.tier?.id ?? null,
    blocked: c.blocked,
    metadata: c.metadata,
    litellm_budget_table: hasLimits(c)
      ? {
          budget_id: c.tier?.id ?? null,
          max_budget: nanosToUsd(e.maxBudget),
          soft_budget: nanosToUsd(e.softBudget),
          max_parallel_requests: null,
          tpm_limit: e.tpmLimit,
          rpm_limit: e.rpmLimit,
          model_max_budget: null,
          budget_duration: e.budgetDuration,
          budget_reset_at: iso(c.budget.budgetResetAt),
        }
      : null,
    created_at: iso(c.createdAt),
    updated_at: iso(c.updatedAt),
  };
}

const idList = (name: string) => z.array(z.unknown(), { error: `${name} must be a list of ids` });

export function registerCustomerRoutes(fastify: FastifyInstance, app: App) {
  // /end_user/* are LiteLLM's older names for the same routes
  for (const base of ['/customer', '/end_user']) {
    restRoute(fastify, app, 'POST', `${base}/new`, async (ctx, req) => {
      const b = parse(z.object(customerFields), req.body);
      return customerRow(await createCustomer(ctx, b.user_id, customerParams(b)));
    });

    restRoute(fastify, app, 'POST', `${base}/update`, async (ctx, req) => {
      const b = parse(z.object(customerFields), req.body);
      return customerRow(await updateCustomer(ctx, b.user_id, customerParams(b)));
    });

    restRoute(fastify, app, 'POST', `${base}/delete`, async (ctx, req) => {
      const b = parse(z.object({ user_ids: idList('user_ids') }), req.body);
      const gone = await deleteCustomers(ctx, b.user_ids);
      return { deleted_customers: gone.length, message: `Successfully deleted customers with ids: ${JSON.stringify(gone.map((c) => c.id))}` };
    });

    restRoute(fastify, app, 'GET', `${base}/info`, async (ctx, req) => {
      const q = parse(z.object({ end_user_id: z.unknown().optional() }), req.query);
      return customerRow(await getCustomer(ctx, q.end_user_id));
    });

    // LiteLLM answers the whole list; Purser pages it (page / page_size, 100 by default)
    restRoute(fastify, app, 'GET', `${base}/list`, async (ctx, req) => {
      const q = parse(pageQuery, req.query);
      const { args } = pageArgs(q, 100);
      return (await listCustomers(ctx, {}, args)).nodes.map(customerRow);
    });
  }

  restRoute(fastify, app, 'POST', '/budget/new', async (ctx, req) => {
    const b = parse(z.object({ ...limitFields, budget_id: str() }), req.body);
    return budgetRow(await createBudget(ctx, b.budget_id, limits(b)));
  });

  restRoute(fastify, app, 'POST', '/budget/update', async (ctx, req) => {
    const b = parse(z.object({ ...limitFields, budget_id: z.string({ error: 'budget_id is required' }) }), req.body);
    return budgetRow(await updateBudget(ctx, b.budget_id, limits(b)));
  });

  restRoute(fastify, app, 'POST', '/budget/delete', async (ctx, req) => {
    const b = parse(z.object({ id: z.string({ error: 'id (the budget_id) is required' }) }), req.body);
    return budgetRow(await deleteBudget(ctx, b.id));
  });

  restRoute(fastify, app, 'POST', '/budget/info', async (ctx, req) => {
    const b = parse(z.object({ budgets: z.array(z.string(), { error: 'budgets must be a list of budget ids' }) }), req.body);
    return (await getBudgets(ctx, b.budgets)).map(budgetRow);
  });

  restRoute(fastify, app, 'GET', '/budget/list', async (ctx, req) => {
    const q = parse(pageQuery, req.query);
    const { args } = pageArgs(q, 100);
    return (await listBudgets(ctx, args)).nodes.map(budgetRow);
  });
}
