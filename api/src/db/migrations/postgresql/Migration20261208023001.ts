import { Migration } from '@mikro-orm/migrations';

export class Migration20261208023001 extends Migration {

  // access requests: a pending request holds its dedupe_key (unique), cleared once decided
  override async up(): Promise<void> {
    this.addSql(`create table "access_requests" ("id" uuid not null, "kind" varchar(32) not null, "state" varchar(16) not null default 'pending', "requester_id" varchar(128) not null, "team_id" varchar(128) null, "key_id" varchar(64) null, "model" varchar(256) null, "max_budget" bigint null, "rpm_limit" int null, "tpm_limit" int null, "reason" varchar(1000) null, "dedupe_key" varchar(512) null, "decided_by" varchar(128) null, "decided_at" timestamptz null, "decision_reason" varchar(1000) null, "created_at" timestamptz not null, "expires_at" timestamptz not null, constraint "access_requests_pkey" primary key ("id"));`);
    this.addSql(`alter table "access_requests" add constraint "access_requests_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(`create index "access_requests_created_at_index" on "access_requests" ("created_at");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "access_requests" cascade;`);
  }

}
