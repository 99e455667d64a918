import { BigIntType, Entity, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * Daily roll-ups by UTC day. Narrow tables, one per set of dimensions the usage views group
 * or filter by: a query reads the smallest table that has every dimension it needs. Absent
 * dimensions are '' (not NULL) so the primary key makes upserts work.
 */
abstract class DailyMetrics {
  @Property({ type: 'integer', default: 0 }) requests: number = 0;
  @Property({ type: 'integer', default: 0 }) successes: number = 0;
  @Property({ type: 'integer', default: 0 }) failures: number = 0;
  @Property({ type: 'bigint', default: 0 }) promptTokens: number = 0;
  @Property({ type: 'bigint', default: 0 }) completionTokens: number = 0;
  @Property({ type: new BigIntType('number'), default: 0 }) spendNanos: number = 0;
  @Property({ type: 'integer', default: 0 }) cacheHits: number = 0;
  @Property({ type: new BigIntType('number'), default: 0 }) savedNanos: number = 0;
  @Property({ type: 'bigint', default: 0 }) cachedCompletionTokens: number = 0;
  /** the provider's prompt cache: calls that read from it, tokens read and written, what the reads saved */
  @Property({ type: 'integer', default: 0 }) promptCacheHits: number = 0;
  @Property({ type: 'bigint', default: 0 }) cachedPromptTokens: number = 0;
  @Property({ type: 'bigint', default: 0 }) cacheWriteTokens: number = 0;
  @Property({ type: new BigIntType('number'), default: 0 }) promptCacheSavedNanos: number = 0;
}

@Entity({ tableName: 'daily_model_spend' })
export class DailyModelSpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) day!: string;
  @PrimaryKey({ type: 'string', length: 256 }) model!: string;
}

@Entity({ tableName: 'daily_team_spend' })
export class DailyTeamSpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) day!: string;
  @PrimaryKey({ type: 'string', length: 128 }) teamId!: string;
  @PrimaryKey({ type: 'string', length: 256 }) model!: string;
}

@Entity({ tableName: 'daily_user_spend' })
export class DailyUserSpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) day!: string;
  @PrimaryKey({ type: 'string', length: 128 }) userId!: string;
  @PrimaryKey({ type: 'string', length: 256 }) model!: string;
}

/** per key without model: a key fixes its user and team, so this stays small */
@Entity({ tableName: 'daily_key_spend' })
export class DailyKeySpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) day!: string;
  @PrimaryKey({ type: 'string', length: 36 }) keyId!: string;
  @PrimaryKey({ type: 'string', length: 128 }) userId!: string;
  @PrimaryKey({ type: 'string', length: 128 }) teamId!: string;
}

/** every dimension: read only when a query needs key (or user+team) together with model */
@Entity({ tableName: 'daily_key_model_spend' })
export class DailyKeyModelSpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) day!: string;
  @PrimaryKey({ type: 'string', length: 36 }) keyId!: string;
  @PrimaryKey({ type: 'string', length: 256 }) model!: string;
  @PrimaryKey({ type: 'string', length: 128 }) userId!: string;
  @PrimaryKey({ type: 'string', length: 128 }) teamId!: string;
}

/** per customer (the request's `user`, '' for none) with every other dimension: read only when a query needs the customer */
@Entity({ tableName: 'daily_customer_spend' })
export class DailyCustomerSpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) day!: string;
  @PrimaryKey({ type: 'string', length: 255 }) endUser!: string;
  @PrimaryKey({ type: 'string', length: 36 }) keyId!: string;
  @PrimaryKey({ type: 'string', length: 256 }) model!: string;
  @PrimaryKey({ type: 'string', length: 128 }) userId!: string;
  @PrimaryKey({ type: 'string', length: 128 }) teamId!: string;
}

/** an alert already sent for a budget window (at most once per window, across restarts) */
@Entity({ tableName: 'budget_alerts' })
export class BudgetAlertSent {
  @PrimaryKey({ type: 'string', length: 200 }) budget!: string;
  @PrimaryKey({ type: 'string', length: 32 }) window!: string;
  @PrimaryKey({ type: 'string', length: 32 }) event!: string;
  @Property({ type: 'datetime' }) at: Date = new Date();
}

/*
 * Weekly roll-ups (UTC ISO weeks, `week` = the Monday, YYYY-MM-DD) for the wide dimensions:
 * a range that holds whole weeks reads them for those weeks and the daily tables only for
 * the days before the first and after the last whole week (usage.service.ts `aggregate`).
 */

@Entity({ tableName: 'weekly_team_spend' })
export class WeeklyTeamSpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) week!: string;
  @PrimaryKey({ type: 'string', length: 128 }) teamId!: string;
  @PrimaryKey({ type: 'string', length: 256 }) model!: string;
}

@Entity({ tableName: 'weekly_user_spend' })
export class WeeklyUserSpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) week!: string;
  @PrimaryKey({ type: 'string', length: 128 }) userId!: string;
  @PrimaryKey({ type: 'string', length: 256 }) model!: string;
}

@Entity({ tableName: 'weekly_key_spend' })
export class WeeklyKeySpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) week!: string;
  @PrimaryKey({ type: 'string', length: 36 }) keyId!: string;
  @PrimaryKey({ type: 'string', length: 128 }) userId!: string;
  @PrimaryKey({ type: 'string', length: 128 }) teamId!: string;
}

@Entity({ tableName: 'weekly_key_model_spend' })
export class WeeklyKeyModelSpend extends DailyMetrics {
  @PrimaryKey({ type: 'string', length: 10 }) week!: string;
  @PrimaryKey({ type: 'string', length: 36 }) keyId!: string;
  @PrimaryKey({ type: 'string', length: 256 }) model!: string;
  @PrimaryKey({ type: 'string', length: 128 }) userId!: string;
  @PrimaryKey({ type: 'string', length: 128 }) teamId!: string;
}
