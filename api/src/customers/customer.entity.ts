import { BigIntType, Embedded, Entity, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { Budget } from '../budgets/budget.embeddable.js';


/**
 * A named budget (LiteLLM `LiteLLM_BudgetTable`, `/budget/new`): limits that customers
 * reference by `budget_id` ("pricing tiers"). It holds no spend: each customer spends against
 * it on its own row, in its own window. Money is integer micro-dollars.
 */
@Entity({ tableName: 'budgets' })
@ObjectType('NamedBudget', { description: 'A named budget (LiteLLM `/budget/new`, a pricing tier): limits customers reference by budgetId; each customer spends against it on its own.' })
export class NamedBudget {
  @Field(() => ID, { description: 'Budget id (LiteLLM `budget_id`).' })
  @PrimaryKey({ type: 'string', length: 128 })
  id!: string;

  @Property({ type: new BigIntType('number'), nullable: true })
  maxBudget: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  softBudget: number | null = null;

  @Field(() => String, { nullable: true, description: 'How often each customer\'s spend resets (e.g. 30d, 1mo); null = never.' })
  @Property({ type: 'string', length: 32, nullable: true })
  budgetDuration: string | null = null;

  @Field(() => Int, { nullable: true, description: 'Requests per minute for each customer on this budget; null = none.' })
  @Property({ type: 'integer', nullable: true })
  rpmLimit: number | null = null;

  @Field(() => Int, { nullable: true, description: 'Tokens per minute for each customer on this budget; null = none.' })
  @Property({ type: 'integer', nullable: true })
  tpmLimit: number | null = null;

  @Field(() => String, { nullable: true, description: 'Who created it (user id).' })
  @Property({ type: 'string', length: 128, nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'string', length: 128, nullable: true })
  updatedBy: string | null = null;

  @Field(() => GraphQLISODateTime, { description: 'When it was created (UTC).' })
  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

  @Field(() => GraphQLISODateTime, { description: 'When it was last changed (UTC).' })
  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}

/**
 * A customer (LiteLLM end user): the `user` a gateway call names. Its own budget fields
 * (`budget.maxBudget`, `budget.softBudget`, `budget.budgetDuration`, `rpmLimit`, `tpmLimit`)
 * override those of the named budget it references (`tier`); `budget.budgetResetAt` is the
 * window of its spend under the effective duration (customers/effective.ts).
 */
@Entity({ tableName: 'customers' })
@ObjectType('Customer', { description: 'A customer (LiteLLM end user): the `user` a gateway call names. Its spend is counted and bounded by its own limits or its named budget\'s.' })
export class Customer {
  @Field(() => ID, { description: 'Customer id (LiteLLM `user_id` / `end_user_id`): the `user` calls send.' })
  @PrimaryKey({ type: 'string', length: 255 })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Display name (LiteLLM `alias`).' })
  @Property({ type: 'string', length: 256, nullable: true })
  alias: string | null = null;

  @Field(() => Boolean, { description: 'A blocked customer: every call naming it is refused (400).' })
  @Property({ type: 'boolean', default: false })
  blocked: boolean & Opt = false;

  @Field(() => String, { nullable: true, description: 'LiteLLM `allowed_model_region` (eu/us): stored and shown, not used for routing.' })
  @Property({ type: 'string', length: 16, nullable: true })
  allowedModelRegion: string | null = null;

  @Field(() => String, { nullable: true, description: 'LiteLLM `default_model`: stored and shown, not applied to calls.' })
  @Property({ type: 'string', length: 256, nullable: true })
  defaultModel: string | null = null;

  @ManyToOne({ entity: () => NamedBudget, fieldName: 'budget_id', nullable: true, deleteRule: 'restrict' })
  tier: Rel<NamedBudget> | null = null;

  @Embedded(() => Budget, { prefix: 'budget_' })
  budget: Budget = new Budget();

  @Property({ type: 'integer', nullable: true })
  rpmLimit: number | null = null;

  @Property({ type: 'integer', nullable: true })
  tpmLimit: number | null = null;

  @Field(() => GraphQLJSONObject, { description: 'Free-form metadata.' })
  @Property({ type: 'json' })
  metadata: Record<string, unknown> & Opt = {};

  @Field(() => GraphQLISODateTime, { description: 'When it was created (UTC): by an admin, or on its first call.' })
  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

  @Field(() => GraphQLISODateTime, { description: 'When it was last changed (UTC).' })
  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
