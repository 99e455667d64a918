import { Entity, PrimaryKey, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';

/** A bearer token an identity provider (Okta, Entra ID) uses on /scim/v2. Only its SHA-256 is stored. */
@Entity({ tableName: 'scim_tokens' })
@ObjectType('ScimToken', { description: 'A SCIM provisioning token. The secret itself is shown only when created.' })
export class ScimToken {
  @Field(() => ID, { description: 'Token id.' })
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Field(() => String, { description: 'Name given by the admin, e.g. "Okta production".' })
  @Property({ type: 'string', length: 128 })
  name!: string;

  /** SHA-256 of the secret */
  @Unique()
  @Property({ type: 'string', length: 64, hidden: true })
  tokenHash!: string;

  @Field(() => String, { description: 'Last four characters of the secret, to tell tokens apart.' })
  @Property({ type: 'string', length: 16 })
  hint!: string;

  @Field(() => String, { nullable: true, description: 'User id of who created it.' })
  @Property({ type: 'string', length: 128, nullable: true })
  createdBy: string | null = null;

  @Field(() => GraphQLISODateTime, { description: 'When it was created (UTC).' })
  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was last used (UTC).' })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was revoked; a revoked token is refused.' })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;
}
