import { Migration } from '@mikro-orm/migrations';

export class Migration20261206213000 extends Migration {

  // playground keys (the dashboard's Try it) are left out of key lists
  override async up(): Promise<void> {
    this.addSql(`alter table \`virtual_keys\` add column \`playground\` integer not null default false;`);
  }

}
