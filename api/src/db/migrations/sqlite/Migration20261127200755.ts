import { Migration } from '@mikro-orm/migrations';

export class Migration20261127200755 extends Migration {

  override async up(): Promise<void> {
    this.addSql(`create table \`audit_log\` (\`id\` text not null, \`at\` datetime not null, \`actor_id\` text null, \`actor_method\` text not null, \`action\` text not null, \`target_type\` text not null, \`target_id\` text not null, \`before\` json null, \`after\` json null, primary key (\`id\`));`);
    this.addSql(`create index \`audit_log_at_index\` on \`audit_log\` (\`at\`);`);

    this.addSql(`create table \`budget_alerts\` (\`budget\` text not null, \`window\` text not null, \`event\` text not null, \`at\` datetime not null, primary key (\`budget\`, \`window\`, \`event\`));`);

    this.addSql(`create table \`daily_key_model_spend\` (\`day\` text not null, \`key_id\` text not null, \`model\` text not null, \`user_id\` text not null, \`team_id\` text not null, \`requests\` integer not null default 0, \`successes\` integer not null default 0, \`failures\` integer not null default 0, \`prompt_tokens\` bigint not null default 0, \`completion_tokens\` bigint not null default 0, \`spend_micros\` bigint not null default 0, \`cache_hits\` integer not null default 0, \`saved_micros\` bigint not null default 0, \`cached_completion_tokens\` bigint not null default 0, primary key (\`day\`, \`key_id\`, \`model\`, \`user_id\`, \`team_id\`)) without rowid;`);

    this.addSql(`create table \`daily_key_spend\` (\`day\` text not null, \`key_id\` text not null, \`user_id\` text not null, \`team_id\` text not null, \`requests\` integer not null default 0, \`successes\` integer not null default 0, \`failures\` integer not null default 0, \`prompt_tokens\` bigint not null default 0, \`completion_tokens\` bigint not null default 0, \`spend_micros\` bigint not null default 0, \`cache_hits\` integer not null default 0, \`saved_micros\` bigint not null default 0, \`cached_completion_tokens\` bigint not null default 0, primary key (\`day\`, \`key_id\`, \`user_id\`, \`team_id\`)) without rowid;`);

    this.addSql(`create table \`daily_model_spend\` (\`day\` text not null, \`model\` text not null, \`requests\` integer not null default 0, \`successes\` integer not null default 0, \`failures\` integer not null default 0, \`prompt_tokens\` bigint not null default 0, \`completion_tokens\` bigint not null default 0, \`spend_micros\` bigint not null default 0, \`cache_hits\` integer not null default 0, \`saved_micros\` bigint not null default 0, \`cached_completion_tokens\` bigint not null default 0, primary key (\`day\`, \`model\`)) without rowid;`);

    this.addSql(`create table \`daily_team_spend\` (\`day\` text not null, \`team_id\` text not null, \`model\` text not null, \`requests\` integer not null default 0, \`successes\` integer not null default 0, \`failures\` integer not null default 0, \`prompt_tokens\` bigint not null default 0, \`completion_tokens\` bigint not null default 0, \`spend_micros\` bigint not null default 0, \`cache_hits\` integer not null default 0, \`saved_micros\` bigint not null default 0, \`cached_completion_tokens\` bigint not null default 0, primary key (\`day\`, \`team_id\`, \`model\`)) without rowid;`);

    this.addSql(`create table \`daily_user_spend\` (\`day\` text not null, \`user_id\` text not null, \`model\` text not null, \`requests\` integer not null default 0, \`successes\` integer not null default 0, \`failures\` integer not null default 0, \`prompt_tokens\` bigint not null default 0, \`completion_tokens\` bigint not null default 0, \`spend_micros\` bigint not null default 0, \`cache_hits\` integer not null default 0, \`saved_micros\` bigint not null default 0, \`cached_completion_tokens\` bigint not null default 0, primary key (\`day\`, \`user_id\`, \`model\`)) without rowid;`);

    this.addSql(`create table \`spend_logs\` (\`request_id\` text not null, \`key_token\` text not null, \`key_id\` text null, \`user_id\` text null, \`team_id\` text null, \`model\` text not null, \`deployment\` text null, \`call_type\` text not null, \`prompt_tokens\` integer not null default 0, \`completion_tokens\` integer not null default 0, \`cost_micros\` bigint not null default 0, \`cache_hit\` integer not null default false, \`saved_micros\` bigint not null default 0, \`status\` text not null, \`http_status\` integer null, \`error\` text null, \`estimated\` integer not null default false, \`unpriced\` integer not null default false, \`start_time\` datetime not null, \`end_time\` datetime not null, \`duration_ms\` integer not null default 0, \`end_user\` text null, \`request\` json null, \`response\` json null, primary key (\`request_id\`));`);
    this.addSql(`create index \`spend_logs_team_id_start_time_index\` on \`spend_logs\` (\`team_id\`, \`start_time\`);`);
    this.addSql(`create index \`spend_logs_user_id_start_time_index\` on \`spend_logs\` (\`user_id\`, \`start_time\`);`);
    this.addSql(`create index \`spend_logs_key_id_start_time_index\` on \`spend_logs\` (\`key_id\`, \`start_time\`);`);
    this.addSql(`create index \`spend_logs_start_time_index\` on \`spend_logs\` (\`start_time\`);`);

    this.addSql(`create table \`teams\` (\`id\` text not null, \`created_at\` datetime not null, \`budget_max_budget\` bigint null, \`updated_at\` datetime not null, \`budget_soft_budget\` bigint null, \`budget_budget_duration\` text null, \`budget_budget_reset_at\` datetime null, \`budget_spend\` bigint not null default 0, \`alias\` text null, \`models\` json not null, \`rpm_limit\` integer null, \`tpm_limit\` integer null, \`member_permissions\` json not null, \`blocked\` integer not null default false, \`metadata\` json not null, \`created_by\` text null, primary key (\`id\`));`);

    this.addSql(`create table \`users\` (\`id\` text not null, \`created_at\` datetime not null, \`budget_max_budget\` bigint null, \`updated_at\` datetime not null, \`budget_soft_budget\` bigint null, \`budget_budget_duration\` text null, \`budget_budget_reset_at\` datetime null, \`budget_spend\` bigint not null default 0, \`email\` text null, \`email_key\` text null, \`alias\` text null, \`role\` text check (\`role\` in ('proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer')) not null, \`password_hash\` text null, \`sso_id\` text null, \`models\` json not null, \`personal_spend_micros\` bigint not null default 0, \`metadata\` json not null, \`last_sign_in_at\` datetime null, primary key (\`id\`));`);
    this.addSql(`create unique index \`users_email_key_unique\` on \`users\` (\`email_key\`);`);
    this.addSql(`create unique index \`users_sso_id_unique\` on \`users\` (\`sso_id\`);`);

    this.addSql(`create table \`team_memberships\` (\`id\` text not null, \`created_at\` datetime not null, \`budget_max_budget\` bigint null, \`updated_at\` datetime not null, \`budget_soft_budget\` bigint null, \`budget_budget_duration\` text null, \`budget_budget_reset_at\` datetime null, \`budget_spend\` bigint not null default 0, \`user_id\` text not null, \`team_id\` text not null, \`role\` text check (\`role\` in ('admin', 'user')) not null, \`source\` text check (\`source\` in ('manual', 'sso')) not null default 'manual', constraint \`team_memberships_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, constraint \`team_memberships_team_id_foreign\` foreign key(\`team_id\`) references \`teams\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`team_memberships_user_id_index\` on \`team_memberships\` (\`user_id\`);`);
    this.addSql(`create index \`team_memberships_team_id_index\` on \`team_memberships\` (\`team_id\`);`);
    this.addSql(`create unique index \`team_memberships_user_id_team_id_unique\` on \`team_memberships\` (\`user_id\`, \`team_id\`);`);

    this.addSql(`create table \`sessions\` (\`id\` text not null, \`user_id\` text not null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`method\` text not null default 'password', constraint \`sessions_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`sessions_user_id_index\` on \`sessions\` (\`user_id\`);`);
    this.addSql(`create index \`sessions_expires_at_index\` on \`sessions\` (\`expires_at\`);`);

    this.addSql(`create table \`invitations\` (\`id\` text not null, \`user_id\` text not null, \`token_hash\` text not null, \`kind\` text not null default 'invite', \`created_by\` text null, \`created_at\` datetime not null, \`expires_at\` datetime not null, \`used_at\` datetime null, \`revoked_at\` datetime null, \`email_sent_at\` datetime null, \`email_error\` text null, constraint \`invitations_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`invitations_user_id_index\` on \`invitations\` (\`user_id\`);`);
    this.addSql(`create unique index \`invitations_token_hash_unique\` on \`invitations\` (\`token_hash\`);`);
    this.addSql(`create index \`invitations_created_at_index\` on \`invitations\` (\`created_at\`);`);

    this.addSql(`create table \`virtual_keys\` (\`id\` text not null, \`created_at\` datetime not null, \`budget_max_budget\` bigint null, \`updated_at\` datetime not null, \`budget_soft_budget\` bigint null, \`budget_budget_duration\` text null, \`budget_budget_reset_at\` datetime null, \`budget_spend\` bigint not null default 0, \`token\` text not null, \`key_name\` text not null, \`key_alias\` text null, \`user_id\` text null, \`team_id\` text null, \`models\` json not null, \`expires_at\` datetime null, \`tpm_limit\` integer null, \`rpm_limit\` integer null, \`max_parallel_requests\` integer null, \`metadata\` json not null, \`blocked\` integer not null default false, \`created_by\` text null, \`last_used_at\` datetime null, constraint \`virtual_keys_user_id_foreign\` foreign key(\`user_id\`) references \`users\`(\`id\`) on delete cascade on update cascade, constraint \`virtual_keys_team_id_foreign\` foreign key(\`team_id\`) references \`teams\`(\`id\`) on delete cascade on update cascade, primary key (\`id\`));`);
    this.addSql(`create unique index \`virtual_keys_token_unique\` on \`virtual_keys\` (\`token\`);`);
    this.addSql(`create unique index \`virtual_keys_key_alias_unique\` on \`virtual_keys\` (\`key_alias\`);`);
    this.addSql(`create index \`virtual_keys_user_id_index\` on \`virtual_keys\` (\`user_id\`);`);
    this.addSql(`create index \`virtual_keys_team_id_index\` on \`virtual_keys\` (\`team_id\`);`);
  }

}
