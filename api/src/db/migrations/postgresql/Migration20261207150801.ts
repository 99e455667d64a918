import { Migration } from '@mikro-orm/migrations';

export class Migration20261207150801 extends Migration {

  // key lists page newest first (created_at desc, id desc): an index instead of a sort per page
  override async up(): Promise<void> {
    this.addSql(`create index "virtual_keys_created_at_id_index" on "virtual_keys" ("created_at", "id");`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "virtual_keys_created_at_id_index";`);
  }

}
