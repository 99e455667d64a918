import { BigIntType, Embeddable, Property } from '@mikro-orm/core';

/**
 * One budget value used by keys, users, teams and team memberships. Money is integer
 * nano-dollars (see common/money.ts); `spend` only moves through SQL increments.
 */
@Embeddable()
export class Budget {
  @Property({ type: new BigIntType('number'), nullable: true })
  maxBudget: number | null = null;

  @Property({ type: new BigIntType('number'), nullable: true })
  softBudget: number | null = null;

  @Property({ type: 'string', length: 32, nullable: true })
  budgetDuration: string | null = null;

  @Property({ type: 'datetime', nullable: true })
  budgetResetAt: Date | null = null;

  @Property({ type: new BigIntType('number'), default: 0 })
  spend: number = 0;
}
