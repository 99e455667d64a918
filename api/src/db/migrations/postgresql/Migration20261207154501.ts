import { Migration } from '@mikro-orm/migrations';

export class Migration20261207154501 extends Migration {

  // key rotation: the previous secret's hash and grace end, the auto_rotate schedule, one-time claim links
  override async up(): Promise<void> {
    this.addSql(`alter table "virtual_keys" add column "previous_token" varchar(64) null, add column "previous_token_until" timestamptz null, add column "auto_rotate" boolean not null default false, add column "rotation_interval" varchar(32) null, add column "next_rotation_at" timestamptz null;`);
    this.addSql(`create index "virtual_keys_previous_token_index" on "virtual_keys" ("previous_token");`);
    this.addSql(`create table "key_claims" ("token_hash" varchar(64) not null, "key_id" varchar(64) not null, "sealed" varchar(512) not null, "expires_at" timestamptz not null, "created_at" timestamptz not null, constraint "key_claims_pkey" primary key ("token_hash"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "key_claims" cascade;`);
    this.addSql(`drop index "virtual_keys_previous_token_index";`);
    this.addSql(`alter table "virtual_keys" drop column "previous_token", drop column "previous_token_until", drop column "auto_rotate", drop column "rotation_interval", drop column "next_rotation_at";`);
  }

}
