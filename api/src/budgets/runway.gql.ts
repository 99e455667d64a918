import { Field, Float, GraphQLISODateTime, ObjectType, registerEnumType } from 'type-graphql';
import { nanosToUsd } from '../common/money.js';
import { upperCaseEnum } from '../graphql/enums.js';
import type { Runway } from './runway.js';

const RunwayStatusEnum = upperCaseEnum(['no_limit', 'no_spend', 'exhausted', 'before_reset', 'not_before_reset'] as const);
registerEnumType(RunwayStatusEnum, {
  name: 'RunwayStatus',
  description: 'What the 7-day spend rate says about a budget.',
  valuesConfig: {
    NO_LIMIT: { description: 'The budget has no max: it never runs out.' },
    NO_SPEND: { description: 'Nothing was spent in the last 7 days and today: no forecast.' },
    EXHAUSTED: { description: 'The budget is used up already.' },
    BEFORE_RESET: { description: 'At the current rate it runs out before its next reset (or, without a reset, at all).' },
    NOT_BEFORE_RESET: { description: 'At the current rate it lasts until its next reset.' },
  },
});

@ObjectType({ description: 'When a budget runs out at its current 7-day spend rate (the last 7 full UTC days and today so far).' })
export class BudgetRunway {
  @Field(() => RunwayStatusEnum, { description: 'What the forecast says, in one word.' })
  status!: Runway['status'];

  @Field(() => Float, { description: 'Spend per day at the 7-day rate, in USD.' })
  dailyRate!: number;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the budget runs out at that rate, if before its next reset (now when already out); null otherwise.' })
  exhaustedAt!: Date | null;

  @Field(() => Boolean, { description: 'Whether the budget runs out before its next reset at that rate.' })
  beforeReset!: boolean;

  @Field(() => Float, { nullable: true, description: 'Days until exhaustedAt (fractional); null when exhaustedAt is null.' })
  daysLeft!: number | null;
}

export function runwayToGql(r: Runway): BudgetRunway {
  return { status: r.status, dailyRate: nanosToUsd(r.dailyRate) ?? 0, exhaustedAt: r.exhaustedAt === null ? null : new Date(r.exhaustedAt), beforeReset: r.beforeReset, daysLeft: r.daysLeft };
}
