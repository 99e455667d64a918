import { Migration } from '@mikro-orm/migrations';

export class Migration20261127200756 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_log" ("id" uuid not null, "at" timestamptz not null, "actor_id" varchar(128) null, "actor_method" varchar(32) not null, "action" varchar(64) not null, "target_type" varchar(32) not null, "target_id" varchar(256) not null, "before" jsonb null, "after" jsonb null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_at_index" on "audit_log" ("at");`);

    this.addSql(`create table "budget_alerts" ("budget" varchar(200) not null, "window" varchar(32) not null, "event" varchar(32) not null, "at" timestamptz not null, constraint "budget_alerts_pkey" primary key ("budget", "window", "event"));`);

    this.addSql(`create table "daily_key_model_spend" ("day" varchar(10) not null, "key_id" varchar(36) not null, "model" varchar(256) not null, "user_id" varchar(128) not null, "team_id" varchar(128) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_micros" bigint not null default 0, "cache_hits" int not null default 0, "saved_micros" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "daily_key_model_spend_pkey" primary key ("day", "key_id", "model", "user_id", "team_id"));`);

    this.addSql(`create table "daily_key_spend" ("day" varchar(10) not null, "key_id" varchar(36) not null, "user_id" varchar(128) not null, "team_id" varchar(128) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_micros" bigint not null default 0, "cache_hits" int not null default 0, "saved_micros" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "daily_key_spend_pkey" primary key ("day", "key_id", "user_id", "team_id"));`);

    this.addSql(`create table "daily_model_spend" ("day" varchar(10) not null, "model" varchar(256) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_micros" bigint not null default 0, "cache_hits" int not null default 0, "saved_micros" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "daily_model_spend_pkey" primary key ("day", "model"));`);

    this.addSql(`create table "daily_team_spend" ("day" varchar(10) not null, "team_id" varchar(128) not null, "model" varchar(256) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_micros" bigint not null default 0, "cache_hits" int not null default 0, "saved_micros" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "daily_team_spend_pkey" primary key ("day", "team_id", "model"));`);

    this.addSql(`create table "daily_user_spend" ("day" varchar(10) not null, "user_id" varchar(128) not null, "model" varchar(256) not null, "requests" int not null default 0, "successes" int not null default 0, "failures" int not null default 0, "prompt_tokens" bigint not null default 0, "completion_tokens" bigint not null default 0, "spend_micros" bigint not null default 0, "cache_hits" int not null default 0, "saved_micros" bigint not null default 0, "cached_completion_tokens" bigint not null default 0, constraint "daily_user_spend_pkey" primary key ("day", "user_id", "model"));`);

    this.addSql(`create table "spend_logs" ("request_id" varchar(64) not null, "key_token" varchar(64) not null, "key_id" varchar(36) null, "user_id" varchar(128) null, "team_id" varchar(128) null, "model" varchar(256) not null, "deployment" varchar(512) null, "call_type" varchar(16) not null, "prompt_tokens" int not null default 0, "completion_tokens" int not null default 0, "cost_micros" bigint not null default 0, "cache_hit" boolean not null default false, "saved_micros" bigint not null default 0, "status" varchar(16) not null, "http_status" int null, "error" varchar(512) null, "estimated" boolean not null default false, "unpriced" boolean not null default false, "start_time" timestamptz not null, "end_time" timestamptz not null, "duration_ms" int not null default 0, "end_user" varchar(256) null, "request" jsonb null, "response" jsonb null, constraint "spend_logs_pkey" primary key ("request_id"));`);
    this.addSql(`create index "spend_logs_team_id_start_time_index" on "spend_logs" ("team_id", "start_time");`);
    this.addSql(`create index "spend_logs_user_id_start_time_index" on "spend_logs" ("user_id", "start_time");`);
    this.addSql(`create index "spend_logs_key_id_start_time_index" on "spend_logs" ("key_id", "start_time");`);
    this.addSql(`create index "spend_logs_start_time_index" on "spend_logs" ("start_time");`);

    this.addSql(`create table "teams" ("id" varchar(128) not null, "created_at" timestamptz not null, "budget_max_budget" bigint null, "updated_at" timestamptz not null, "budget_soft_budget" bigint null, "budget_budget_duration" varchar(32) null, "budget_budget_reset_at" timestamptz null, "budget_spend" bigint not null default 0, "alias" varchar(256) null, "models" jsonb not null, "rpm_limit" int null, "tpm_limit" int null, "member_permissions" jsonb not null, "blocked" boolean not null default false, "metadata" jsonb not null, "created_by" varchar(128) null, constraint "teams_pkey" primary key ("id"));`);

    this.addSql(`create table "users" ("id" varchar(128) not null, "created_at" timestamptz not null, "budget_max_budget" bigint null, "updated_at" timestamptz not null, "budget_soft_budget" bigint null, "budget_budget_duration" varchar(32) null, "budget_budget_reset_at" timestamptz null, "budget_spend" bigint not null default 0, "email" varchar(320) null, "email_key" varchar(320) null, "alias" varchar(256) null, "role" text check ("role" in ('proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer')) not null, "password_hash" varchar(512) null, "sso_id" varchar(256) null, "models" jsonb not null, "personal_spend_micros" bigint not null default 0, "metadata" jsonb not null, "last_sign_in_at" timestamptz null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_key_unique" unique ("email_key");`);
    this.addSql(`alter table "users" add constraint "users_sso_id_unique" unique ("sso_id");`);

    this.addSql(`create table "team_memberships" ("id" uuid not null, "created_at" timestamptz not null, "budget_max_budget" bigint null, "updated_at" timestamptz not null, "budget_soft_budget" bigint null, "budget_budget_duration" varchar(32) null, "budget_budget_reset_at" timestamptz null, "budget_spend" bigint not null default 0, "user_id" varchar(128) not null, "team_id" varchar(128) not null, "role" text check ("role" in ('admin', 'user')) not null, "source" text check ("source" in ('manual', 'sso')) not null default 'manual', constraint "team_memberships_pkey" primary key ("id"));`);
    this.addSql(`alter table "team_memberships" add constraint "team_memberships_user_id_team_id_unique" unique ("user_id", "team_id");`);

    this.addSql(`create table "sessions" ("id" varchar(64) not null, "user_id" varchar(128) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "method" varchar(32) not null default 'password', constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_expires_at_index" on "sessions" ("expires_at");`);

    this.addSql(`create table "invitations" ("id" uuid not null, "user_id" varchar(128) not null, "token_hash" varchar(64) not null, "kind" varchar(16) not null default 'invite', "created_by" varchar(128) null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "used_at" timestamptz null, "revoked_at" timestamptz null, "email_sent_at" timestamptz null, "email_error" varchar(512) null, constraint "invitations_pkey" primary key ("id"));`);
    this.addSql(`alter table "invitations" add constraint "invitations_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create index "invitations_created_at_index" on "invitations" ("created_at");`);

    this.addSql(`create table "virtual_keys" ("id" uuid not null, "created_at" timestamptz not null, "budget_max_budget" bigint null, "updated_at" timestamptz not null, "budget_soft_budget" bigint null, "budget_budget_duration" varchar(32) null, "budget_budget_reset_at" timestamptz null, "budget_spend" bigint not null default 0, "token" varchar(64) not null, "key_name" varchar(32) not null, "key_alias" varchar(256) null, "user_id" varchar(128) null, "team_id" varchar(128) null, "models" jsonb not null, "expires_at" timestamptz null, "tpm_limit" int null, "rpm_limit" int null, "max_parallel_requests" int null, "metadata" jsonb not null, "blocked" boolean not null default false, "created_by" varchar(128) null, "last_used_at" timestamptz null, constraint "virtual_keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "virtual_keys" add constraint "virtual_keys_token_unique" unique ("token");`);
    this.addSql(`alter table "virtual_keys" add constraint "virtual_keys_key_alias_unique" unique ("key_alias");`);

    this.addSql(`alter table "team_memberships" add constraint "team_memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "team_memberships" add constraint "team_memberships_team_id_foreign" foreign key ("team_id") references "teams" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "invitations" add constraint "invitations_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "virtual_keys" add constraint "virtual_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "virtual_keys" add constraint "virtual_keys_team_id_foreign" foreign key ("team_id") references "teams" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "team_memberships" drop constraint "team_memberships_team_id_foreign";`);

    this.addSql(`alter table "virtual_keys" drop constraint "virtual_keys_team_id_foreign";`);

    this.addSql(`alter table "team_memberships" drop constraint "team_memberships_user_id_foreign";`);

    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(`alter table "invitations" drop constraint "invitations_user_id_foreign";`);

    this.addSql(`alter table "virtual_keys" drop constraint "virtual_keys_user_id_foreign";`);

    this.addSql(`drop table if exists "audit_log" cascade;`);

    this.addSql(`drop table if exists "budget_alerts" cascade;`);

    this.addSql(`drop table if exists "daily_key_model_spend" cascade;`);

    this.addSql(`drop table if exists "daily_key_spend" cascade;`);

    this.addSql(`drop table if exists "daily_model_spend" cascade;`);

    this.addSql(`drop table if exists "daily_team_spend" cascade;`);

    this.addSql(`drop table if exists "daily_user_spend" cascade;`);

    this.addSql(`drop table if exists "spend_logs" cascade;`);

    this.addSql(`drop table if exists "teams" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "team_memberships" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "invitations" cascade;`);

    this.addSql(`drop table if exists "virtual_keys" cascade;`);
  }

}
