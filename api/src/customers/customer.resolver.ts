import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Field, FieldResolver, Float, GraphQLISODateTime, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { nanosToUsd } from '../common/money.js';
import { Connection, toConnection } from '../graphql/connection.js';
import type { GqlContext } from '../graphql/context.js';
import { Customer, NamedBudget } from './customer.entity.js';
import {
  createBudget,
  createCustomer,
  deleteBudget,
  deleteCustomers,
  getBudget,
  getCustomer,
  listBudgets,
  listCustomers,
  updateBudget,
  updateCustomer,
  type CustomerParams,
  type LimitParams,
} from './customer.service.js';
import { effectiveLimits } from './effective.js';

export const CustomerConnection = Connection(Customer, 'Customer');
export const NamedBudgetConnection = Connection(NamedBudget, 'NamedBudget');

@InputType({ description: 'Limits of a named budget; omitted fields stay as they are.' })
class BudgetLimitsInput {
  @Field(() => Float, { nullable: true, description: 'Budget per customer in USD; null = none.' })
  maxBudget?: number | null;

  @Field(() => Float, { nullable: true, description: 'Soft budget per customer in USD (shown, never blocks).' })
  softBudget?: number | null;

  @Field(() => String, { nullable: true, description: 'Reset period of each customer\'s spend, e.g. 30d or 1mo; null = never.' })
  budgetDuration?: string | null;

  @Field(() => Int, { nullable: true, description: 'Requests per minute per customer; null = none.' })
  rpmLimit?: number | null;

  @Field(() => Int, { nullable: true, description: 'Tokens per minute per customer; null = none.' })
  tpmLimit?: number | null;
}

@InputType({ description: 'A new named budget.' })
class CreateBudgetInput extends BudgetLimitsInput {
  @Field(() => ID, { nullable: true, description: 'Budget id (LiteLLM `budget_id`); generated when omitted.' })
  budgetId?: string | null;
}

@InputType({ description: 'Changes to a named budget.' })
class UpdateBudgetInput extends BudgetLimitsInput {
  @Field(() => ID, { description: 'The budget to change.' })
  budgetId!: string;
}

@InputType({ description: 'Which named budget to delete (refused while customers reference it).' })
class DeleteBudgetInput {
  @Field(() => ID, { description: 'The budget to delete.' })
  budgetId!: string;
}

@InputType({ description: 'Customer settings; omitted fields stay as they are. Own limits override those of the named budget.' })
class CustomerFieldsInput extends BudgetLimitsInput {
  @Field(() => String, { nullable: true, description: 'Display name.' })
  alias?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Refuse every call naming this customer.' })
  blocked?: boolean | null;

  @Field(() => ID, { nullable: true, description: 'The named budget it is bound by (LiteLLM `budget_id`); null = none.' })
  budgetId?: string | null;

  @Field(() => String, { nullable: true, description: 'LiteLLM `allowed_model_region` (eu or us): stored, not used for routing.' })
  allowedModelRegion?: string | null;

  @Field(() => String, { nullable: true, description: 'LiteLLM `default_model`, a configured model: stored, not applied.' })
  defaultModel?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Free-form metadata.' })
  metadata?: Record<string, unknown> | null;

  @Field(() => Float, { nullable: true, description: 'Correct the spend of the current window, in USD.' })
  spend?: number | null;
}

@InputType({ description: 'A new customer.' })
class CreateCustomerInput extends CustomerFieldsInput {
  @Field(() => ID, { description: 'Customer id: the `user` its calls send (1–255 characters, no control characters).' })
  customerId!: string;
}

@InputType({ description: 'Changes to a customer.' })
class UpdateCustomerInput extends CustomerFieldsInput {
  @Field(() => ID, { description: 'The customer to change.' })
  customerId!: string;
}

@InputType({ description: 'Which customer to delete; its spend rows stay.' })
class DeleteCustomerInput {
  @Field(() => ID, { description: 'The customer to delete.' })
  customerId!: string;
}

@InputType({ description: 'Filters for customers.' })
class CustomerFilter {
  @Field(() => ID, { nullable: true, description: 'Only customers bound by this named budget.' })
  budgetId?: string | null;
}

@ObjectType({ description: 'What deleteCustomer removed.' })
class DeleteCustomerPayload {
  @Field(() => ID, { description: 'The deleted customer.' })
  customerId!: string;
}

@ObjectType({ description: 'What deleteBudget removed.' })
class DeleteBudgetPayload {
  @Field(() => ID, { description: 'The deleted budget.' })
  budgetId!: string;
}

const limits = (i: BudgetLimitsInput): LimitParams => ({
  maxBudget: i.maxBudget,
  softBudget: i.softBudget,
  budgetDuration: i.budgetDuration,
  rpmLimit: i.rpmLimit,
  tpmLimit: i.tpmLimit,
});

const customerFields = (i: CustomerFieldsInput): CustomerParams => ({
  ...limits(i),
  alias: i.alias,
  blocked: i.blocked,
  budgetId: i.budgetId,
  allowedModelRegion: i.allowedModelRegion,
  defaultModel: i.defaultModel,
  metadata: i.metadata,
  spend: i.spend,
});

const OWN = 'The customer\'s own value (overrides the named budget\'s); null = taken from the named budget, if any.';

@Resolver(() => NamedBudget)
export class NamedBudgetResolver {
  @Query(() => NamedBudgetConnection, { description: 'Named budgets (proxy_admin, proxy_admin_viewer).' })
  async budgets(
    @Ctx() ctx: GqlContext,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listBudgets(ctx, { first, after }));
  }

  @Query(() => NamedBudget, { description: 'One named budget (proxy_admin, proxy_admin_viewer).' })
  budget(@Ctx() ctx: GqlContext, @Arg('id', () => ID, { description: 'The budget_id.' }) id: string) {
    return getBudget(ctx, id);
  }

  @Mutation(() => NamedBudget, { description: 'Create a named budget (proxy_admin).' })
  createBudget(@Ctx() ctx: GqlContext, @Arg('input', () => CreateBudgetInput, { description: 'The operation input.' }) input: CreateBudgetInput) {
    return createBudget(ctx, input.budgetId, limits(input));
  }

  @Mutation(() => NamedBudget, { description: 'Change a named budget (proxy_admin); a new duration moves the windows of the customers that use it.' })
  updateBudget(@Ctx() ctx: GqlContext, @Arg('input', () => UpdateBudgetInput, { description: 'The operation input.' }) input: UpdateBudgetInput) {
    return updateBudget(ctx, input.budgetId, limits(input));
  }

  @Mutation(() => DeleteBudgetPayload, { description: 'Delete a named budget no customer references (proxy_admin).' })
  async deleteBudget(@Ctx() ctx: GqlContext, @Arg('input', () => DeleteBudgetInput, { description: 'The operation input.' }) input: DeleteBudgetInput) {
    const b = await deleteBudget(ctx, input.budgetId);
    return { budgetId: b.id };
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Budget per customer in USD; null = none.' })
  maxBudget(@Root() b: NamedBudget) {
    return nanosToUsd(b.maxBudget);
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Soft budget per customer in USD (shown, never blocks).' })
  softBudget(@Root() b: NamedBudget) {
    return nanosToUsd(b.softBudget);
  }
}

@Resolver(() => Customer)
export class CustomerResolver {
  @Query(() => CustomerConnection, { description: 'Customers (LiteLLM end users), oldest first (proxy_admin, proxy_admin_viewer).' })
  async customers(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => CustomerFilter, { nullable: true, description: 'Narrows the list.' }) filter?: CustomerFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listCustomers(ctx, filter ?? {}, { first, after }));
  }

  @Query(() => Customer, { description: 'One customer (proxy_admin, proxy_admin_viewer).' })
  customer(@Ctx() ctx: GqlContext, @Arg('id', () => ID, { description: 'The customer id (the `user` its calls send).' }) id: string) {
    return getCustomer(ctx, id, 'id');
  }

  @Mutation(() => Customer, { description: 'Create a customer (proxy_admin); calls naming an unknown customer create it too.' })
  createCustomer(@Ctx() ctx: GqlContext, @Arg('input', () => CreateCustomerInput, { description: 'The operation input.' }) input: CreateCustomerInput) {
    return createCustomer(ctx, input.customerId, customerFields(input));
  }

  @Mutation(() => Customer, { description: 'Change, block or unblock a customer, or bind it to a named budget (proxy_admin).' })
  updateCustomer(@Ctx() ctx: GqlContext, @Arg('input', () => UpdateCustomerInput, { description: 'The operation input.' }) input: UpdateCustomerInput) {
    return updateCustomer(ctx, input.customerId, customerFields(input));
  }

  @Mutation(() => DeleteCustomerPayload, { description: 'Delete a customer (proxy_admin); its spend rows stay.' })
  async deleteCustomer(@Ctx() ctx: GqlContext, @Arg('input', () => DeleteCustomerInput, { description: 'The operation input.' }) input: DeleteCustomerInput) {
    const [c] = await deleteCustomers(ctx, [input.customerId]);
    return { customerId: c!.id };
  }

  @FieldResolver(() => Float, { description: 'Spend in USD in the current budget window.' })
  spend(@Root() c: Customer) {
    return nanosToUsd(c.budget.spend) ?? 0;
  }

  @FieldResolver(() => NamedBudget, { nullable: true, description: 'The named budget it is bound by (LiteLLM `budget_id`), if any.' })
  budget(@Root() c: Customer) {
    return c.tier ?? null;
  }

  @FieldResolver(() => Float, { nullable: true, description: `Own budget in USD. ${OWN}` })
  ownMaxBudget(@Root() c: Customer) {
    return nanosToUsd(c.budget.maxBudget);
  }

  @FieldResolver(() => String, { nullable: true, description: `Own reset period. ${OWN}` })
  ownBudgetDuration(@Root() c: Customer) {
    return c.budget.budgetDuration;
  }

  @FieldResolver(() => Float, { nullable: true, description: 'The budget that bounds it, in USD: its own, else its named budget\'s; null = unbounded.' })
  maxBudget(@Root() c: Customer) {
    return nanosToUsd(effectiveLimits(c).maxBudget);
  }

  @FieldResolver(() => Float, { nullable: true, description: 'The soft budget that applies, in USD (shown, never blocks).' })
  softBudget(@Root() c: Customer) {
    return nanosToUsd(effectiveLimits(c).softBudget);
  }

  @FieldResolver(() => String, { nullable: true, description: 'The reset period that applies (own, else the named budget\'s); null = never.' })
  budgetDuration(@Root() c: Customer) {
    return effectiveLimits(c).budgetDuration;
  }

  @FieldResolver(() => GraphQLISODateTime, { nullable: true, description: 'When its spend resets next (UTC).' })
  budgetResetAt(@Root() c: Customer) {
    return c.budget.budgetResetAt;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Requests per minute that apply (own, else the named budget\'s).' })
  rpmLimit(@Root() c: Customer) {
    return effectiveLimits(c).rpmLimit;
  }

  @FieldResolver(() => Int, { nullable: true, description: 'Tokens per minute that apply (own, else the named budget\'s).' })
  tpmLimit(@Root() c: Customer) {
    return effectiveLimits(c).tpmLimit;
  }
}
