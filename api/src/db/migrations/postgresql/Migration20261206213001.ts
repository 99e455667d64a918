import { Migration } from '@mikro-orm/migrations';

export class Migration20261206213001 extends Migration {

  // playground keys (the dashboard's Try it) are left out of key lists
  override async up(): Promise<void> {
    this.addSql(`alter table "virtual_keys" add column "playground" boolean not null default false;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "virtual_keys" drop column "playground";`);
  }

}
