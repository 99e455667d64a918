import { Embedded, Entity, Property, type Opt } from '@mikro-orm/core';
import { Field, Float, GraphQLISODateTime, ObjectType } from 'type-graphql';
import { Budget } from '../budgets/budget.embeddable.js';
import { nanosToUsd } from './money.js';

/** Timestamps and the budget shared by users, teams, memberships and keys. */
@Entity({ abstract: true })
@ObjectType()
export abstract class BudgetedEntity {
  @Embedded(() => Budget, { prefix: 'budget_' })
  budget: Budget = new Budget();

  @Field(() => GraphQLISODateTime, { description: 'When it was created (UTC).' })
  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

  @Field(() => GraphQLISODateTime, { description: 'When it was last changed (UTC).' })
  @Property({ type: 'datetime', onUpdate: () => new Date() })
  updatedAt: Date & Opt = new Date();

  @Field(() => Float, { nullable: true, description: 'Budget limit in USD; null = no limit.' })
  get maxBudget(): number | null {
    return nanosToUsd(this.budget.maxBudget);
  }

  @Field(() => Float, { nullable: true, description: 'Soft budget in USD: crossing it alerts, never blocks.' })
  get softBudget(): number | null {
    return nanosToUsd(this.budget.softBudget);
  }

  @Field(() => Float, { description: 'Spend in USD in the current budget window.' })
  get spend(): number {
    return nanosToUsd(this.budget.spend) ?? 0;
  }

  @Field(() => String, { nullable: true, description: 'How often the budget resets (e.g. 30d, 1mo); null = never.' })
  get budgetDuration(): string | null {
    return this.budget.budgetDuration;
  }

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the budget resets next (UTC).' })
  get budgetResetAt(): Date | null {
    return this.budget.budgetResetAt;
  }
}
