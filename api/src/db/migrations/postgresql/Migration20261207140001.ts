import { Migration } from '@mikro-orm/migrations';

/**
 * Money becomes integer nano-dollars (was micro-dollars): every amount is multiplied by 1000 and
 * the columns named *_micros are renamed *_nanos; all of them already are 64-bit integers
 * (SQLite integer, PostgreSQL bigint). Budget limits above $9,000,000 (common/money.ts MAX_USD)
 * are capped there so each stays a JS safe integer; NULL (no limit) stays NULL.
 * Written by hand: the generator sees a rename as drop + add and would lose the data.
 */
export class Migration20261207140001 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "daily_model_spend" rename column "spend_micros" to "spend_nanos";`);
    this.addSql(`alter table "daily_model_spend" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "daily_model_spend" set "spend_nanos" = "spend_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "daily_team_spend" rename column "spend_micros" to "spend_nanos";`);
    this.addSql(`alter table "daily_team_spend" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "daily_team_spend" set "spend_nanos" = "spend_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "daily_user_spend" rename column "spend_micros" to "spend_nanos";`);
    this.addSql(`alter table "daily_user_spend" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "daily_user_spend" set "spend_nanos" = "spend_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "daily_key_spend" rename column "spend_micros" to "spend_nanos";`);
    this.addSql(`alter table "daily_key_spend" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "daily_key_spend" set "spend_nanos" = "spend_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "daily_key_model_spend" rename column "spend_micros" to "spend_nanos";`);
    this.addSql(`alter table "daily_key_model_spend" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "daily_key_model_spend" set "spend_nanos" = "spend_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "weekly_team_spend" rename column "spend_micros" to "spend_nanos";`);
    this.addSql(`alter table "weekly_team_spend" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "weekly_team_spend" set "spend_nanos" = "spend_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "weekly_user_spend" rename column "spend_micros" to "spend_nanos";`);
    this.addSql(`alter table "weekly_user_spend" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "weekly_user_spend" set "spend_nanos" = "spend_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "weekly_key_spend" rename column "spend_micros" to "spend_nanos";`);
    this.addSql(`alter table "weekly_key_spend" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "weekly_key_spend" set "spend_nanos" = "spend_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "weekly_key_model_spend" rename column "spend_micros" to "spend_nanos";`);
    this.addSql(`alter table "weekly_key_model_spend" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "weekly_key_model_spend" set "spend_nanos" = "spend_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "spend_logs" rename column "cost_micros" to "cost_nanos";`);
    this.addSql(`alter table "spend_logs" rename column "saved_micros" to "saved_nanos";`);
    this.addSql(`update "spend_logs" set "cost_nanos" = "cost_nanos" * 1000, "saved_nanos" = "saved_nanos" * 1000;`);
    this.addSql(`alter table "users" rename column "personal_spend_micros" to "personal_spend_nanos";`);
    this.addSql(`update "users" set "personal_spend_nanos" = "personal_spend_nanos" * 1000;`);
    this.addSql(`update "users" set "budget_max_budget" = case when "budget_max_budget" > 9000000000000 then 9000000000000000 else "budget_max_budget" * 1000 end, "budget_soft_budget" = case when "budget_soft_budget" > 9000000000000 then 9000000000000000 else "budget_soft_budget" * 1000 end, "budget_spend" = "budget_spend" * 1000;`);
    this.addSql(`update "teams" set "budget_max_budget" = case when "budget_max_budget" > 9000000000000 then 9000000000000000 else "budget_max_budget" * 1000 end, "budget_soft_budget" = case when "budget_soft_budget" > 9000000000000 then 9000000000000000 else "budget_soft_budget" * 1000 end, "budget_spend" = "budget_spend" * 1000;`);
    this.addSql(`update "team_memberships" set "budget_max_budget" = case when "budget_max_budget" > 9000000000000 then 9000000000000000 else "budget_max_budget" * 1000 end, "budget_soft_budget" = case when "budget_soft_budget" > 9000000000000 then 9000000000000000 else "budget_soft_budget" * 1000 end, "budget_spend" = "budget_spend" * 1000;`);
    this.addSql(`update "virtual_keys" set "budget_max_budget" = case when "budget_max_budget" > 9000000000000 then 9000000000000000 else "budget_max_budget" * 1000 end, "budget_soft_budget" = case when "budget_soft_budget" > 9000000000000 then 9000000000000000 else "budget_soft_budget" * 1000 end, "budget_spend" = "budget_spend" * 1000;`);
  }

}
