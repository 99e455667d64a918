import { Migration } from '@mikro-orm/migrations';

export class Migration20261207153500 extends Migration {

  // the provider's prompt cache on spend rows and roll-ups (existing rows: 0)
  override async up(): Promise<void> {
    this.addSql(`alter table \`spend_logs\` add column \`cached_prompt_tokens\` integer not null default 0;`);
    this.addSql(`alter table \`spend_logs\` add column \`cache_write_tokens\` integer not null default 0;`);
    this.addSql(`alter table \`spend_logs\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_model_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`daily_model_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_model_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_model_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_team_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`daily_team_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_team_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_team_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_user_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`daily_user_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_user_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_user_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_key_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`daily_key_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_key_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_key_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_key_model_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`daily_key_model_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_key_model_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_key_model_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_customer_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`daily_customer_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_customer_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`daily_customer_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_team_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`weekly_team_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_team_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_team_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_user_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`weekly_user_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_user_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_user_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_key_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`weekly_key_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_key_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_key_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_key_model_spend\` add column \`prompt_cache_hits\` integer not null default 0;`);
    this.addSql(`alter table \`weekly_key_model_spend\` add column \`cached_prompt_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_key_model_spend\` add column \`cache_write_tokens\` bigint not null default 0;`);
    this.addSql(`alter table \`weekly_key_model_spend\` add column \`prompt_cache_saved_nanos\` bigint not null default 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table \`spend_logs\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`spend_logs\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`spend_logs\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`daily_model_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`daily_model_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`daily_model_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`daily_model_spend\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`daily_team_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`daily_team_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`daily_team_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`daily_team_spend\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`daily_user_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`daily_user_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`daily_user_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`daily_user_spend\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`daily_key_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`daily_key_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`daily_key_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`daily_key_spend\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`daily_key_model_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`daily_key_model_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`daily_key_model_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`daily_key_model_spend\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`daily_customer_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`daily_customer_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`daily_customer_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`daily_customer_spend\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`weekly_team_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`weekly_team_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`weekly_team_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`weekly_team_spend\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`weekly_user_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`weekly_user_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`weekly_user_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`weekly_user_spend\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`weekly_key_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`weekly_key_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`weekly_key_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`weekly_key_spend\` drop column \`prompt_cache_saved_nanos\`;`);
    this.addSql(`alter table \`weekly_key_model_spend\` drop column \`prompt_cache_hits\`;`);
    this.addSql(`alter table \`weekly_key_model_spend\` drop column \`cached_prompt_tokens\`;`);
    this.addSql(`alter table \`weekly_key_model_spend\` drop column \`cache_write_tokens\`;`);
    this.addSql(`alter table \`weekly_key_model_spend\` drop column \`prompt_cache_saved_nanos\`;`);
  }

}
