import { Migration } from '@mikro-orm/migrations';

export class Migration20261207154000 extends Migration {

  // SCIM provisioning: the IdPs' tokens (hashed), and what SCIM adds to users and teams
  override async up(): Promise<void> {
    this.addSql(`create table \`scim_tokens\` (\`id\` text not null, \`name\` text not null, \`token_hash\` text not null, \`hint\` text not null, \`created_by\` text null, \`created_at\` datetime not null, \`last_used_at\` datetime null, \`revoked_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`scim_tokens_token_hash_unique\` on \`scim_tokens\` (\`token_hash\`);`);
    this.addSql(`create table \`scim_users\` (\`user_id\` text not null, \`external_id\` text null, \`active\` integer not null default true, \`blocked_key_ids\` json not null, \`created_at\` datetime not null, primary key (\`user_id\`));`);
    this.addSql(`create table \`scim_groups\` (\`team_id\` text not null, \`external_id\` text null, \`created_at\` datetime not null, primary key (\`team_id\`));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists \`scim_groups\`;`);
    this.addSql(`drop table if exists \`scim_users\`;`);
    this.addSql(`drop table if exists \`scim_tokens\`;`);
  }

}
