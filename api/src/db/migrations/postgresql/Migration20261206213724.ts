import { Migration } from '@mikro-orm/migrations';

export class Migration20261206213724 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`alter table "teams" add column "model_aliases" jsonb not null default '{}';`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "teams" drop column "model_aliases";`);
  }

}
