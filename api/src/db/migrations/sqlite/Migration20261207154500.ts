import { Migration } from '@mikro-orm/migrations';

export class Migration20261207154500 extends Migration {

  // key rotation: the previous secret's hash and grace end, the auto_rotate schedule, one-time claim links
  override async up(): Promise<void> {
    this.addSql(`alter table \`virtual_keys\` add column \`previous_token\` text null;`);
    this.addSql(`alter table \`virtual_keys\` add column \`previous_token_until\` datetime null;`);
    this.addSql(`alter table \`virtual_keys\` add column \`auto_rotate\` integer not null default false;`);
    this.addSql(`alter table \`virtual_keys\` add column \`rotation_interval\` text null;`);
    this.addSql(`alter table \`virtual_keys\` add column \`next_rotation_at\` datetime null;`);
    this.addSql(`create index \`virtual_keys_previous_token_index\` on \`virtual_keys\` (\`previous_token\`);`);
    this.addSql(`create table \`key_claims\` (\`token_hash\` text not null, \`key_id\` text not null, \`sealed\` text not null, \`expires_at\` datetime not null, \`created_at\` datetime not null, primary key (\`token_hash\`));`);
  }

}
