import { Migration } from '@mikro-orm/migrations';

export class Migration20261208023000 extends Migration {

  // access requests: a pending request holds its dedupe_key (unique), cleared once decided
  override async up(): Promise<void> {
    this.addSql(`create table \`access_requests\` (\`id\` text not null, \`kind\` text not null, \`state\` text not null default 'pending', \`requester_id\` text not null, \`team_id\` text null, \`key_id\` text null, \`model\` text null, \`max_budget\` bigint null, \`rpm_limit\` integer null, \`tpm_limit\` integer null, \`reason\` text null, \`dedupe_key\` text null, \`decided_by\` text null, \`decided_at\` datetime null, \`decision_reason\` text null, \`created_at\` datetime not null, \`expires_at\` datetime not null, primary key (\`id\`));`);
    this.addSql(`create unique index \`access_requests_dedupe_key_unique\` on \`access_requests\` (\`dedupe_key\`);`);
    this.addSql(`create index \`access_requests_created_at_index\` on \`access_requests\` (\`created_at\`);`);
  }

}
