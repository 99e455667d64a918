import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { readDuration } from '../budgets/budget.service.js';
import { AppError, badInput, conflict, notFound } from '../common/errors.js';
import { newId } from '../common/ids.js';
import { nanosToUsd, usdToNanos } from '../common/money.js';
import { paginate, type PageArgs } from '../common/pagination.js';
import { checkLimit, checkMetadata, checkMoney, checkString } from '../common/validate.js';
import { configuredModels } from '../models/model.service.js';
import { coveredBy } from '../models/model-names.js';
import { authorize } from '../permissions/authorize.js';
import { nextResetAt } from '../time/durations.js';
import { Customer, NamedBudget } from './customer.entity.js';
import { effectiveLimits } from './effective.js';

/**
 * Customers (LiteLLM end users, `/customer/*`) and the named budgets they reference
 * (`/budget/*`), for REST and GraphQL alike. Money on the way in is USD; stored as nano-dollars.
 */

/** Limits a named budget sets, and a customer may set for itself (overriding its named budget's). */
export interface LimitParams {
  maxBudget?: number | null;
  softBudget?: number | null;
  budgetDuration?: string | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
}

export interface CustomerParams extends LimitParams {
  alias?: string | null;
  blocked?: boolean | null;
  /** the named budget (LiteLLM `budget_id`); null = none */
  budgetId?: string | null;
  /** stored and shown; Purser does not route by region (README "Differences") */
  allowedModelRegion?: string | null;
  /** stored and shown, checked to be a configured model; not applied to calls */
  defaultModel?: string | null;
  metadata?: Record<string, unknown> | null;
  /** an admin's correction of the spend in the current window (LiteLLM accepts `spend`) */
  spend?: number | null;
}

const CONTROL = /[\u0000-\u001f\u007f]/;
export const MAX_CUSTOMER_ID = 255;

/**
 * The one rule for a customer id, from a management call or a gateway call's `user`: 1 to
 * 255 characters, not blank, no control characters. Returns the message, or null when valid.
 */
export function customerIdProblem(v: unknown): string | null {
  if (typeof v !== 'string') return 'must be a string';
  if (!v.trim()) return 'cannot be empty';
  if (v.length > MAX_CUSTOMER_ID) return `is too long (${v.length} characters, at most ${MAX_CUSTOMER_ID})`;
  if (CONTROL.test(v)) return 'contains control characters';
  return null;
}

function checkCustomerId(field: string, v: unknown): string {
  const problem = customerIdProblem(v);
  if (problem) throw badInput(`${field} ${problem}.`, field);
  return v as string;
}

function checkBudgetId(field: string, v: unknown): string {
  if (typeof v !== 'string' || !v.trim()) throw badInput(`${field} cannot be empty.`, field);
  if (v.length > 128) throw badInput(`${field} is too long (${v.length} characters, at most 128).`, field);
  if (CONTROL.test(v)) throw badInput(`${field} contains control characters.`, field);
  return v;
}

function checkLimits(p: LimitParams) {
  checkMoney('maxBudget', p.maxBudget);
  checkMoney('softBudget', p.softBudget);
  readDuration('budgetDuration', p.budgetDuration);
  checkLimit('rpmLimit', p.rpmLimit);
  checkLimit('tpmLimit', p.tpmLimit);
}

function checkCustomerFields(ctx: Ctx, p: CustomerParams) {
  checkLimits(p);
  checkString('alias', p.alias);
  checkMetadata('metadata', p.metadata);
  checkMoney('spend', p.spend);
  if (p.blocked !== undefined && p.blocked !== null && typeof p.blocked !== 'boolean') throw badInput('blocked must be true or false.', 'blocked');
  if (p.allowedModelRegion != null && p.allowedModelRegion !== 'eu' && p.allowedModelRegion !== 'us')
    throw badInput(`allowedModelRegion must be "eu" or "us", got ${JSON.stringify(String(p.allowedModelRegion).slice(0, 32))}.`, 'allowedModelRegion');
  if (p.defaultModel != null) {
    checkString('defaultModel', p.defaultModel);
    if (!coveredBy(configuredModels(ctx), p.defaultModel)) throw badInput(`defaultModel ${p.defaultModel.slice(0, 80)} is not a configured model.`, 'defaultModel');
  }
  if (p.budgetId != null) checkBudgetId('budgetId', p.budgetId);
}

const nanos = (v: number | null | undefined) => (v === null || v === undefined ? null : usdToNanos(v));

// ---------------------------------------------------------------- named budgets

export const budgetSnapshot = (b: NamedBudget) => ({
  id: b.id,
  maxBudget: nanosToUsd(b.maxBudget),
  softBudget: nanosToUsd(b.softBudget),
  budgetDuration: b.budgetDuration,
  rpmLimit: b.rpmLimit,
  tpmLimit: b.tpmLimit,
});

function applyLimits(b: NamedBudget, p: LimitParams) {
  if (p.maxBudget !== undefined) b.maxBudget = nanos(p.maxBudget);
  if (p.softBudget !== undefined) b.softBudget = nanos(p.softBudget);
  if (p.budgetDuration !== undefined) b.budgetDuration = readDuration('budgetDuration', p.budgetDuration)?.text ?? null;
  if (p.rpmLimit !== undefined) b.rpmLimit = p.rpmLimit;
  if (p.tpmLimit !== undefined) b.tpmLimit = p.tpmLimit;
}

export async function findBudget(ctx: Ctx, id: string, field = 'budgetId'): Promise<NamedBudget> {
  const b = await ctx.em.findOne(NamedBudget, { id });
  if (!b) throw notFound(`Budget ${id} not found.`, field);
  return b;
}

export async function createBudget(ctx: Ctx, id: string | null | undefined, p: LimitParams): Promise<NamedBudget> {
  authorize(ctx.principal, 'budget.manage');
  if (id != null) checkBudgetId('budgetId', id);
  checkLimits(p);
  const budgetId = id?.trim() ? id : newId();
  if (await ctx.em.findOne(NamedBudget, { id: budgetId })) throw conflict(`Budget with id ${budgetId} already exists.`, 'budgetId');
  const b = new NamedBudget();
  b.id = budgetId;
  b.createdBy = b.updatedBy = ctx.principal?.userId ?? null;
  applyLimits(b, p);
  ctx.em.persist(b);
  audit(ctx, 'budget.create', { type: 'budget', id: b.id }, null, budgetSnapshot(b));
  await ctx.em.flush();
  return b;
}

/** A new duration moves the window of every customer that takes it from this budget. */
export async function updateBudget(ctx: Ctx, id: string, p: LimitParams): Promise<NamedBudget> {
  authorize(ctx.principal, 'budget.manage');
  checkBudgetId('budgetId', id);
  checkLimits(p);
  return ctx.em.transactional(async (em) => {
    const inner = { ...ctx, em };
    const b = await findBudget(inner, id);
    const before = budgetSnapshot(b);
    applyLimits(b, p);
    b.updatedBy = ctx.principal?.userId ?? null;
    if (before.budgetDuration !== b.budgetDuration) {
      const customers = await em.find(Customer, { tier: b.id, budget: { budgetDuration: null } }, { populate: ['tier'] });
      for (const c of customers) refreshWindow(inner, c, before.budgetDuration);
    }
    audit(inner, 'budget.update', { type: 'budget', id: b.id }, before, budgetSnapshot(b));
    await em.flush();
    return b;
  });
}

/** Refused while customers reference the budget: deleting it would silently lift their limits. */
export async function deleteBudget(ctx: Ctx, id: string): Promise<NamedBudget> {
  authorize(ctx.principal, 'budget.manage');
  checkBudgetId('budgetId', id);
  const b = await findBudget(ctx, id);
  const users = await ctx.em.count(Customer, { tier: b.id });
  if (users) throw conflict(`Budget ${id} is referenced by ${users} customer(s): move them to another budget first.`, 'budgetId');
  audit(ctx, 'budget.delete', { type: 'budget', id: b.id }, budgetSnapshot(b), null);
  ctx.em.remove(b);
  await ctx.em.flush();
  return b;
}

export async function getBudget(ctx: Ctx, id: string): Promise<NamedBudget> {
  authorize(ctx.principal, 'budget.read');
  return findBudget(ctx, checkBudgetId('budgetId', id));
}

/** LiteLLM's /budget/info: every id must exist. */
export async function getBudgets(ctx: Ctx, ids: string[]): Promise<NamedBudget[]> {
  authorize(ctx.principal, 'budget.read');
  if (ids.length > 100) throw badInput('budgets lists too many ids (at most 100).', 'budgets');
  ids.forEach((id, i) => checkBudgetId(`budgets[${i}]`, id));
  const found = await ctx.em.find(NamedBudget, { id: { $in: ids } });
  const missing = ids.filter((id) => !found.some((b) => b.id === id));
  if (missing.length) throw notFound(`Budget(s) ${missing.join(', ')} not found.`, 'budgets');
  return ids.map((id) => found.find((b) => b.id === id)!);
}

export function listBudgets(ctx: Ctx, page: PageArgs) {
  authorize(ctx.principal, 'budget.read');
  return paginate(ctx.em, NamedBudget, {}, page, { createdAt: 'asc', id: 'asc' });
}

// ---------------------------------------------------------------- customers

export function customerSnapshot(c: Customer) {
  return {
    id: c.id,
    alias: c.alias,
    blocked: c.blocked,
    budgetId: c.tier?.id ?? null,
    maxBudget: nanosToUsd(c.budget.maxBudget),
    softBudget: nanosToUsd(c.budget.softBudget),
    budgetDuration: c.budget.budgetDuration,
    rpmLimit: c.rpmLimit,
    tpmLimit: c.tpmLimit,
    allowedModelRegion: c.allowedModelRegion,
    defaultModel: c.defaultModel,
  };
}

/**
 * Keeps the customer's window in step with its effective duration: none → no window; a new
 * duration (own or from the named budget) → a new calendar-aligned window, as for every budget.
 */
function refreshWindow(ctx: Ctx, c: Customer, durationBefore: string | null) {
  const d = effectiveLimits(c).budgetDuration;
  if (!d) c.budget.budgetResetAt = null;
  else if (d !== durationBefore || !c.budget.budgetResetAt) c.budget.budgetResetAt = nextResetAt(readDuration('budgetDuration', d)!, new Date(), ctx.app.settings.timezone);
}

async function applyCustomer(ctx: Ctx, c: Customer, p: CustomerParams) {
  const durationBefore = effectiveLimits(c).budgetDuration;
  if (p.budgetId !== undefined) c.tier = p.budgetId === null ? null : await findBudget(ctx, p.budgetId).catch((e) => {
    // an unknown budget_id is a bad reference in the request, not a missing resource
    throw e instanceof AppError ? badInput(`budgetId ${p.budgetId} does not exist: create it with /budget/new first.`, 'budgetId') : e;
  });
  if (p.alias !== undefined) c.alias = p.alias;
  if (p.blocked != null) c.blocked = p.blocked;
  if (p.allowedModelRegion !== undefined) c.allowedModelRegion = p.allowedModelRegion;
  if (p.defaultModel !== undefined) c.defaultModel = p.defaultModel;
  if (p.metadata !== undefined) c.metadata = p.metadata ?? {};
  if (p.maxBudget !== undefined) c.budget.maxBudget = nanos(p.maxBudget);
  if (p.softBudget !== undefined) c.budget.softBudget = nanos(p.softBudget);
  if (p.budgetDuration !== undefined) c.budget.budgetDuration = readDuration('budgetDuration', p.budgetDuration)?.text ?? null;
  if (p.rpmLimit !== undefined) c.rpmLimit = p.rpmLimit;
  if (p.tpmLimit !== undefined) c.tpmLimit = p.tpmLimit;
  if (p.spend != null) c.budget.spend = usdToNanos(p.spend);
  refreshWindow(ctx, c, durationBefore);
}

export async function findCustomer(ctx: Ctx, id: string, field = 'userId'): Promise<Customer> {
  const c = await ctx.em.findOne(Customer, { id }, { populate: ['tier'] });
  // LiteLLM's wording (customer_endpoints.py)
  if (!c) throw notFound(`End User Id=${id} does not exist in db`, field);
  return c;
}

export async function createCustomer(ctx: Ctx, id: unknown, p: CustomerParams): Promise<Customer> {
  authorize(ctx.principal, 'customer.manage');
  const userId = checkCustomerId('userId', id);
  checkCustomerFields(ctx, p);
  // LiteLLM answers a duplicate with 400 and this text
  if (await ctx.em.findOne(Customer, { id: userId }))
    throw badInput(`Customer already exists, passed user_id=${userId}. Please pass a new user_id.`, 'userId');
  const c = new Customer();
  c.id = userId;
  await applyCustomer(ctx, c, p);
  ctx.em.persist(c);
  audit(ctx, 'customer.create', { type: 'customer', id: c.id }, null, customerSnapshot(c));
  await ctx.em.flush();
  return c;
}

export async function updateCustomer(ctx: Ctx, id: unknown, p: CustomerParams): Promise<Customer> {
  authorize(ctx.principal, 'customer.manage');
  const userId = checkCustomerId('userId', id);
  checkCustomerFields(ctx, p);
  const c = await findCustomer(ctx, userId);
  const before = customerSnapshot(c);
  await applyCustomer(ctx, c, p);
  audit(ctx, 'customer.update', { type: 'customer', id: c.id }, before, customerSnapshot(c));
  await ctx.em.flush();
  return c;
}

/** LiteLLM's /customer/delete: every id must exist, then all go (spend rows stay). */
export async function deleteCustomers(ctx: Ctx, ids: unknown[]): Promise<Customer[]> {
  authorize(ctx.principal, 'customer.manage');
  if (!ids.length) throw badInput('userIds must list at least one customer.', 'userIds');
  if (ids.length > 1000) throw badInput('userIds lists too many customers (at most 1000).', 'userIds');
  const list = ids.map((id, i) => checkCustomerId(`userIds[${i}]`, id));
  const found = await ctx.em.find(Customer, { id: { $in: list } }, { populate: ['tier'] });
  const missing = list.filter((id) => !found.some((c) => c.id === id));
  if (missing.length) throw notFound(`End User Id(s)=${missing.join(', ')} do not exist in db`, 'userIds');
  for (const c of found) audit(ctx, 'customer.delete', { type: 'customer', id: c.id }, customerSnapshot(c), null);
  ctx.em.remove(found);
  await ctx.em.flush();
  return found;
}

export async function getCustomer(ctx: Ctx, id: unknown, field = 'endUserId'): Promise<Customer> {
  authorize(ctx.principal, 'customer.read');
  return findCustomer(ctx, checkCustomerId(field, id), field);
}

export function listCustomers(ctx: Ctx, filter: { budgetId?: string | null }, page: PageArgs) {
  authorize(ctx.principal, 'customer.read');
  return paginate(ctx.em, Customer, filter.budgetId ? { tier: filter.budgetId } : {}, page, { createdAt: 'asc', id: 'asc' }, ['tier']);
}
