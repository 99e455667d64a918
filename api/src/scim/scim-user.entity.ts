import { Entity, PrimaryKey, Property, type Opt } from '@mikro-orm/core';

/**
 * What SCIM adds to a Purser user: the IdP's externalId, whether the IdP deactivated the user,
 * and which keys that deactivation blocked (so `active: true` unblocks exactly those, never a
 * key an admin blocked on their own). Keyed by user id; removed with the user by SCIM DELETE.
 */
@Entity({ tableName: 'scim_users' })
export class ScimUser {
  @PrimaryKey({ type: 'string', length: 128 })
  userId!: string;

  @Property({ type: 'string', length: 256, nullable: true })
  externalId: string | null = null;

  @Property({ type: 'boolean', default: true })
  active: boolean & Opt = true;

  @Property({ type: 'json' })
  blockedKeyIds: string[] & Opt = [];

  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();
}

/**
 * A team a SCIM client manages as a group (created or linked by POST /Groups), with the IdP's
 * externalId. Only these teams are SCIM Groups: DELETE unlinks, the team itself stays.
 */
@Entity({ tableName: 'scim_groups' })
export class ScimGroup {
  @PrimaryKey({ type: 'string', length: 128 })
  teamId!: string;

  @Property({ type: 'string', length: 256, nullable: true })
  externalId: string | null = null;

  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();
}
