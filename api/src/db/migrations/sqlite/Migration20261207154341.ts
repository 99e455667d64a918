import { Migration } from '@mikro-orm/migrations';

export class Migration20261207154341 extends Migration {

  override async up(): Promise<void> {
    // a membership made by SCIM group provisioning: source 'scim' (SQLite rebuilds the table for the check)
    this.addSql(`pragma foreign_keys = off;`);
    this.addSql(`create table \`team_memberships__temp_alter\` (\`id\` text not null, \`created_at\` datetime not null, \`budget_max_budget\` bigint null, \`updated_at\` datetime not null, \`budget_soft_budget\` bigint null, \`budget_budget_duration\` text null, \`budget_budget_reset_at\` datetime null, \`budget_spend\` bigint not null default 0, \`user_id\` text not null, \`team_id\` text not null, \`role\` text check (\`role\` in ('admin', 'user')) not null, \`source\` text check (\`source\` in ('manual', 'sso', 'scim')) not null default 'manual', constraint \`team_memberships_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, constraint \`team_memberships_team_id_foreign\` foreign key(\`team_id\`) references \`teams\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`insert into \`team_memberships__temp_alter\` select \`id\`, \`created_at\`, \`budget_max_budget\`, \`updated_at\`, \`budget_soft_budget\`, \`budget_budget_duration\`, \`budget_budget_reset_at\`, \`budget_spend\`, \`user_id\`, \`team_id\`, \`role\`, \`source\` from \`team_memberships\`;`);
    this.addSql(`drop table \`team_memberships\`;`);
    this.addSql(`alter table \`team_memberships__temp_alter\` rename to \`team_memberships\`;`);
    this.addSql(`create index \`team_memberships_user_id_index\` on \`team_memberships\` (\`user_id\`);`);
    this.addSql(`create index \`team_memberships_team_id_index\` on \`team_memberships\` (\`team_id\`);`);
    this.addSql(`create unique index \`team_memberships_user_id_team_id_unique\` on \`team_memberships\` (\`user_id\`, \`team_id\`);`);
    this.addSql(`pragma foreign_keys = on;`);
  }

}
