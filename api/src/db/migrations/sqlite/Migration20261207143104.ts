import { Migration } from '@mikro-orm/migrations';

export class Migration20261207143104 extends Migration {

  // customers, named budgets and the per-customer roll-up; the generator's `users` rebuild is the enum CHECK misread (mikro-orm#8139)
  override async up(): Promise<void> {
    this.addSql(`create table \`daily_customer_spend\` (\`day\` text not null, \`end_user\` text not null, \`key_id\` text not null, \`model\` text not null, \`user_id\` text not null, \`team_id\` text not null, \`requests\` integer not null default 0, \`successes\` integer not null default 0, \`failures\` integer not null default 0, \`prompt_tokens\` bigint not null default 0, \`completion_tokens\` bigint not null default 0, \`spend_nanos\` bigint not null default 0, \`cache_hits\` integer not null default 0, \`saved_nanos\` bigint not null default 0, \`cached_completion_tokens\` bigint not null default 0, primary key (\`day\`, \`end_user\`, \`key_id\`, \`model\`, \`user_id\`, \`team_id\`));`);

    this.addSql(`create table \`budgets\` (\`id\` text not null, \`max_budget\` bigint null, \`soft_budget\` bigint null, \`budget_duration\` text null, \`rpm_limit\` integer null, \`tpm_limit\` integer null, \`created_by\` text null, \`updated_by\` text null, \`created_at\` datetime not null, \`updated_at\` datetime not null, primary key (\`id\`));`);

    this.addSql(`create table \`customers\` (\`id\` text not null, \`alias\` text null, \`blocked\` integer not null default false, \`allowed_model_region\` text null, \`default_model\` text null, \`budget_id\` text null, \`budget_max_budget\` bigint null, \`budget_soft_budget\` bigint null, \`budget_budget_duration\` text null, \`budget_budget_reset_at\` datetime null, \`budget_spend\` bigint not null default 0, \`rpm_limit\` integer null, \`tpm_limit\` integer null, \`metadata\` json not null, \`created_at\` datetime not null, \`updated_at\` datetime not null, constraint \`customers_budget_id_foreign\` foreign key(\`budget_id\`) references \`budgets\`(\`id\`) on delete restrict on update cascade, primary key (\`id\`));`);
    this.addSql(`create index \`customers_budget_id_index\` on \`customers\` (\`budget_id\`);`);
  }

}
