import { Migration } from '@mikro-orm/migrations';

export class Migration20261206213723 extends Migration {

  // only the new column: the generator's `users` rebuild is the enum CHECK misread (mikro-orm#8139)
  override async up(): Promise<void> {
    this.addSql(`alter table \`teams\` add column \`model_aliases\` json not null default '{}';`);

  }

}
