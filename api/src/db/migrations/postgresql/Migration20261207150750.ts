import { Migration } from '@mikro-orm/migrations';

export class Migration20261207150750 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table "key_notices" ("key_id" varchar(64) not null, "event" varchar(32) not null, "expires_at" varchar(32) not null, "at" timestamptz not null, constraint "key_notices_pkey" primary key ("key_id", "event", "expires_at"));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists "key_notices" cascade;`);
  }

}
