import { Migration } from '@mikro-orm/migrations';

export class Migration20261127210026 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "weekly_key_model_spend" ("week" varchar(10) not null, "key_id" varchar(36) not null, "model" varchar(256) not null, "user_id" varchar(128) not null, "team_id" varchar(128) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_micros" bigint not null default 0, "cache_hits" int not null default 0, "saved_micros" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "weekly_key_model_spend_pkey" primary key ("week", "key_id", "model", "user_id", "team_id"));`);

    this.addSql(`create table "weekly_key_spend" ("week" varchar(10) not null, "key_id" varchar(36) not null, "user_id" varchar(128) not null, "team_id" varchar(128) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_micros" bigint not null default 0, "cache_hits" int not null default 0, "saved_micros" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "weekly_key_spend_pkey" primary key ("week", "key_id", "user_id", "team_id"));`);

    this.addSql(`create table "weekly_team_spend" ("week" varchar(10) not null, "team_id" varchar(128) not null, "model" varchar(256) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_micros" bigint not null default 0, "cache_hits" int not null default 0, "saved_micros" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "weekly_team_spend_pkey" primary key ("week", "team_id", "model"));`);

    this.addSql(`create table "weekly_user_spend" ("week" varchar(10) not null, "user_id" varchar(128) not null, "model" varchar(256) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_micros" bigint not null default 0, "cache_hits" int not null default 0, "saved_micros" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "weekly_user_spend_pkey" primary key ("week", "user_id", "model"));`);

    // existing databases: the weekly roll-ups start from the daily ones (the Monday of each day's ISO week)
    this.addSql(`insert into "weekly_key_model_spend" ("week", "key_id", "model", "user_id", "team_id", "requests", "successes", "failures", "prompt_tokens", "completion_tokens", "spend_micros", "cache_hits", "saved_micros", "cached_completion_tokens") select to_char(date_trunc('week', "day"::date), 'YYYY-MM-DD'), "key_id", "model", "user_id", "team_id", sum("requests"), sum("successes"), sum("failures"), sum("prompt_tokens"), sum("completion_tokens"), sum("spend_micros"), sum("cache_hits"), sum("saved_micros"), sum("cached_completion_tokens") from "daily_key_model_spend" group by to_char(date_trunc('week', "day"::date), 'YYYY-MM-DD'), "key_id", "model", "user_id", "team_id";`);
    this.addSql(`insert into "weekly_key_spend" ("week", "key_id", "user_id", "team_id", "requests", "successes", "failures", "prompt_tokens", "completion_tokens", "spend_micros", "cache_hits", "saved_micros", "cached_completion_tokens") select to_char(date_trunc('week', "day"::date), 'YYYY-MM-DD'), "key_id", "user_id", "team_id", sum("requests"), sum("successes"), sum("failures"), sum("prompt_tokens"), sum("completion_tokens"), sum("spend_micros"), sum("cache_hits"), sum("saved_micros"), sum("cached_completion_tokens") from "daily_key_spend" group by to_char(date_trunc('week', "day"::date), 'YYYY-MM-DD'), "key_id", "user_id", "team_id";`);
    this.addSql(`insert into "weekly_team_spend" ("week", "team_id", "model", "requests", "successes", "failures", "prompt_tokens", "completion_tokens", "spend_micros", "cache_hits", "saved_micros", "cached_completion_tokens") select to_char(date_trunc('week', "day"::date), 'YYYY-MM-DD'), "team_id", "model", sum("requests"), sum("successes"), sum("failures"), sum("prompt_tokens"), sum("completion_tokens"), sum("spend_micros"), sum("cache_hits"), sum("saved_micros"), sum("cached_completion_tokens") from "daily_team_spend" group by to_char(date_trunc('week', "day"::date), 'YYYY-MM-DD'), "team_id", "model";`);
    this.addSql(`insert into "weekly_user_spend" ("week", "user_id", "model", "requests", "successes", "failures", "prompt_tokens", "completion_tokens", "spend_micros", "cache_hits", "saved_micros", "cached_completion_tokens") select to_char(date_trunc('week', "day"::date), 'YYYY-MM-DD'), "user_id", "model", sum("requests"), sum("successes"), sum("failures"), sum("prompt_tokens"), sum("completion_tokens"), sum("spend_micros"), sum("cache_hits"), sum("saved_micros"), sum("cached_completion_tokens") from "daily_user_spend" group by to_char(date_trunc('week', "day"::date), 'YYYY-MM-DD'), "user_id", "model";`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "weekly_key_model_spend" cascade;`);

    this.addSql(`drop table if exists "weekly_key_spend" cascade;`);

    this.addSql(`drop table if exists "weekly_team_spend" cascade;`);

    this.addSql(`drop table if exists "weekly_user_spend" cascade;`);
  }

}
