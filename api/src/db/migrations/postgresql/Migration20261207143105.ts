import { Migration } from '@mikro-orm/migrations';

export class Migration20261207143105 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "daily_customer_spend" ("day" varchar(10) not null, "end_user" varchar(255) not null, "key_id" varchar(36) not null, "model" varchar(256) not null, "user_id" varchar(128) not null, "team_id" varchar(128) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_nanos" bigint not null default 0, "cache_hits" int not null default 0, "saved_nanos" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "daily_customer_spend_pkey" primary key ("day", "end_user", "key_id", "model", "user_id", "team_id"));`);

    this.addSql(`create table "budgets" ("id" varchar(128) not null, "max_budget" bigint null, "soft_budget" bigint null, "budget_duration" varchar(32) null, "rpm_limit" int null, "tpm_limit" int null, "created_by" varchar(128) null, "updated_by" varchar(128) null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "budgets_pkey" primary key ("id"));`);

    this.addSql(`create table "customers" ("id" varchar(255) not null, "alias" varchar(256) null, "blocked" boolean not null default false, "allowed_model_region" varchar(16) null, "default_model" varchar(256) null, "budget_id" varchar(128) null, "budget_max_budget" bigint null, "budget_soft_budget" bigint null, "budget_budget_duration" varchar(32) null, "budget_budget_reset_at" timestamptz null, "budget_spend" bigint not null default 0, "rpm_limit" int null, "tpm_limit" int null, "metadata" jsonb not null, "created_at" timestamptz not null, "updated_at" timestamptz not null, constraint "customers_pkey" primary key ("id"));`);

    this.addSql(`alter table "customers" add constraint "customers_budget_id_foreign" foreign key ("budget_id") references "budgets" ("id") on update cascade on delete restrict;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "customers" drop constraint "customers_budget_id_foreign";`);

    this.addSql(`drop table if exists "daily_customer_spend" cascade;`);

    this.addSql(`drop table if exists "budgets" cascade;`);

    this.addSql(`drop table if exists "customers" cascade;`);
  }

}
