import { Migration } from '@mikro-orm/migrations';

export class Migration20261127194217 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "audit_log" ("id" uuid not null, "at" timestamptz not null, "actor_id" varchar(128) null, "actor_method" varchar(32) not null, "action" varchar(64) not null, "target_type" varchar(32) not null, "target_id" varchar(256) not null, "before" jsonb null, "after" jsonb null, constraint "audit_log_pkey" primary key ("id"));`);
    this.addSql(`create index "audit_log_at_index" on "audit_log" ("at");`);

    this.addSql(`create table "teams" ("id" varchar(128) not null, "created_at" timestamptz not null, "budget_max_budget" bigint null, "updated_at" timestamptz not null, "budget_soft_budget" bigint null, "budget_budget_duration" varchar(32) null, "budget_budget_reset_at" timestamptz null, "budget_spend" bigint not null default 0, "alias" varchar(256) null, "models" jsonb not null, "rpm_limit" int null, "tpm_limit" int null, "member_permissions" jsonb not null, "blocked" boolean not null default false, "metadata" jsonb not null, "created_by" varchar(128) null, constraint "teams_pkey" primary key ("id"));`);

    this.addSql(`create table "users" ("id" varchar(128) not null, "created_at" timestamptz not null, "budget_max_budget" bigint null, "updated_at" timestamptz not null, "budget_soft_budget" bigint null, "budget_budget_duration" varchar(32) null, "budget_budget_reset_at" timestamptz null, "budget_spend" bigint not null default 0, "email" varchar(320) null, "email_key" varchar(320) null, "alias" varchar(256) null, "role" text check ("role" in ('proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer')) not null, "password_hash" varchar(512) null, "sso_id" varchar(256) null, "models" jsonb not null, "personal_spend_micros" bigint not null default 0, "metadata" jsonb not null, "last_sign_in_at" timestamptz null, constraint "users_pkey" primary key ("id"));`);
    this.addSql(`alter table "users" add constraint "users_email_key_unique" unique ("email_key");`);
    this.addSql(`alter table "users" add constraint "users_sso_id_unique" unique ("sso_id");`);

    this.addSql(`create table "team_memberships" ("id" uuid not null, "created_at" timestamptz not null, "budget_max_budget" bigint null, "updated_at" timestamptz not null, "budget_soft_budget" bigint null, "budget_budget_duration" varchar(32) null, "budget_budget_reset_at" timestamptz null, "budget_spend" bigint not null default 0, "user_id" varchar(128) not null, "team_id" varchar(128) not null, "role" text check ("role" in ('admin', 'user')) not null, "source" text check ("source" in ('manual', 'sso')) not null default 'manual', constraint "team_memberships_pkey" primary key ("id"));`);
    this.addSql(`alter table "team_memberships" add constraint "team_memberships_user_id_team_id_unique" unique ("user_id", "team_id");`);

    this.addSql(`create table "sessions" ("id" varchar(64) not null, "user_id" varchar(128) not null, "created_at" timestamptz not null, "expires_at" timestamptz not null, "method" varchar(32) not null default 'password', constraint "sessions_pkey" primary key ("id"));`);
    this.addSql(`create index "sessions_expires_at_index" on "sessions" ("expires_at");`);

    this.addSql(`create table "virtual_keys" ("id" uuid not null, "created_at" timestamptz not null, "budget_max_budget" bigint null, "updated_at" timestamptz not null, "budget_soft_budget" bigint null, "budget_budget_duration" varchar(32) null, "budget_budget_reset_at" timestamptz null, "budget_spend" bigint not null default 0, "token" varchar(64) not null, "key_name" varchar(32) not null, "key_alias" varchar(256) null, "user_id" varchar(128) null, "team_id" varchar(128) null, "models" jsonb not null, "expires_at" timestamptz null, "tpm_limit" int null, "rpm_limit" int null, "max_parallel_requests" int null, "metadata" jsonb not null, "blocked" boolean not null default false, "created_by" varchar(128) null, "last_used_at" timestamptz null, constraint "virtual_keys_pkey" primary key ("id"));`);
    this.addSql(`alter table "virtual_keys" add constraint "virtual_keys_token_unique" unique ("token");`);
    this.addSql(`alter table "virtual_keys" add constraint "virtual_keys_key_alias_unique" unique ("key_alias");`);

    this.addSql(`alter table "team_memberships" add constraint "team_memberships_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "team_memberships" add constraint "team_memberships_team_id_foreign" foreign key ("team_id") references "teams" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "sessions" add constraint "sessions_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);

    this.addSql(`alter table "virtual_keys" add constraint "virtual_keys_user_id_foreign" foreign key ("user_id") references "users" ("id") on update cascade on delete cascade;`);
    this.addSql(`alter table "virtual_keys" add constraint "virtual_keys_team_id_foreign" foreign key ("team_id") references "teams" ("id") on update cascade on delete cascade;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "team_memberships" drop constraint "team_memberships_team_id_foreign";`);

    this.addSql(`alter table "virtual_keys" drop constraint "virtual_keys_team_id_foreign";`);

    this.addSql(`alter table "team_memberships" drop constraint "team_memberships_user_id_foreign";`);

    this.addSql(`alter table "sessions" drop constraint "sessions_user_id_foreign";`);

    this.addSql(`alter table "virtual_keys" drop constraint "virtual_keys_user_id_foreign";`);

    this.addSql(`drop table if exists "audit_log" cascade;`);

    this.addSql(`drop table if exists "teams" cascade;`);

    this.addSql(`drop table if exists "users" cascade;`);

    this.addSql(`drop table if exists "team_memberships" cascade;`);

    this.addSql(`drop table if exists "sessions" cascade;`);

    this.addSql(`drop table if exists "virtual_keys" cascade;`);
  }

}
