import { Migration } from '@mikro-orm/migrations';

export class Migration20261207154001 extends Migration {

  // SCIM provisioning: the IdPs' tokens (hashed), and what SCIM adds to users and teams
  override async up(): Promise<void> {
    this.addSql(`create table "scim_tokens" ("id" uuid not null, "name" varchar(128) not null, "token_hash" varchar(64) not null, "hint" varchar(16) not null, "created_by" varchar(128) null, "created_at" timestamptz not null, "last_used_at" timestamptz null, "revoked_at" timestamptz null, constraint "scim_tokens_pkey" primary key ("id"));`);
    this.addSql(`alter table "scim_tokens" add constraint "scim_tokens_token_hash_unique" unique ("token_hash");`);
    this.addSql(`create table "scim_users" ("user_id" varchar(128) not null, "external_id" varchar(256) null, "active" boolean not null default true, "blocked_key_ids" jsonb not null, "created_at" timestamptz not null, constraint "scim_users_pkey" primary key ("user_id"));`);
    this.addSql(`create table "scim_groups" ("team_id" varchar(128) not null, "external_id" varchar(256) null, "created_at" timestamptz not null, constraint "scim_groups_pkey" primary key ("team_id"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "scim_groups" cascade;`);
    this.addSql(`drop table if exists "scim_users" cascade;`);
    this.addSql(`drop table if exists "scim_tokens" cascade;`);
  }

}
