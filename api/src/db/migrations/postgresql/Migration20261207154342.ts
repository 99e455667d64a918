import { Migration } from '@mikro-orm/migrations';

export class Migration20261207154342 extends Migration {

  // a membership made by SCIM group provisioning: source 'scim'
  override async up(): Promise<void> {
    this.addSql(`alter table "team_memberships" drop constraint if exists "team_memberships_source_check";`);

    this.addSql(`alter table "team_memberships" add constraint "team_memberships_source_check" check("source" in ('manual', 'sso', 'scim'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table "team_memberships" drop constraint if exists "team_memberships_source_check";`);

    this.addSql(`alter table "team_memberships" add constraint "team_memberships_source_check" check("source" in ('manual', 'sso'));`);
  }

}
