import { BigIntType, Embedded, Entity, ManyToOne, PrimaryKey, Property, type Opt, type Rel } from '@mikro-orm/core';
import { Budget } from '../budgets/budget.embeddable.js';


/**
 * A named budget (LiteLLM `LiteLLM_BudgetTable`, `/budget/new`): limits that customers
 * reference by `budget_id` ("pricing tiers"). It holds no spend: each customer spends against
 * it on its own row, in its own window. Money is integer micro-dollars.
 */
@Entity({ tableName: 'budgets' })
export class NamedBudget {
  @PrimaryKey({ type: 'string', length: 128 })
  id!: string;

  @Property({ type: new BigIntType('number'), nullable: true })
  maxBudget: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  softBudget: number | null = null;

  @Property({ type: 'string', length: 32, nullable: true })
  budgetDuration: string | null = null;

  @Property({ type: 'integer', nullable: true })
  rpmLimit: number | null = null;

  @Property({ type: 'integer', nullable: true })
  tpmLimit: number | null = null;

  @Property({ type: 'string', length: 128, nullable: true })
  createdBy: string | null = null;

  @Property({ type: 'string', length: 128, nullable: true })
  updatedBy: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

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
export class Customer {
  @PrimaryKey({ type: 'string', length: 255 })
  id!: string;

  @Property({ type: 'string', length: 256, nullable: true })
  alias: string | null = null;

  @Property({ type: 'boolean', default: false })
  blocked: boolean & Opt = false;

  @Property({ type: 'string', length: 16, nullable: true })
  allowedModelRegion: string | null = null;

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

  @Property({ type: 'json' })
  metadata: Record<string, unknown> & Opt = {};

  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();
}
