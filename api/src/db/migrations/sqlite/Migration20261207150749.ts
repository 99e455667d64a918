import { Migration } from '@mikro-orm/migrations';

export class Migration20261207150749 extends Migration {

  // only the new table: the generator's `users` rebuild is the enum CHECK misread (mikro-orm#8139)
  override async up(): Promise<void> {
    this.addSql(`create table \`key_notices\` (\`key_id\` text not null, \`event\` text not null, \`expires_at\` text not null, \`at\` datetime not null, primary key (\`key_id\`, \`event\`, \`expires_at\`));`);
  }

}
