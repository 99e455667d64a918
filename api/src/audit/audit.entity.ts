import { Entity, Index, PrimaryKey, Property } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';

/** One management write: who did what to which object, before and after (no secrets). */
@Entity({ tableName: 'audit_log' })
@Index({ properties: ['at'] })
@ObjectType('AuditEntry', { description: 'One management write: who did what to which object (no secrets).' })
export class AuditEntry {
  @Field(() => ID, { description: 'Entry id.' })
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Field(() => GraphQLISODateTime, { description: 'When (UTC).' })
  @Property({ type: 'datetime' })
  at: Date = new Date();

  @Field(() => String, { description: 'User id of the actor (default_user_id for the master key).', nullable: true })
  @Property({ type: 'string', length: 128, nullable: true })
  actorId: string | null = null;

  @Field(() => String, { description: 'How the actor authenticated (master_key, session, virtual_key, system, scim).' })
  @Property({ type: 'string', length: 32 })
  actorMethod!: string;

  @Field(() => String, { description: 'What was done, e.g. key.generate, team.member.add.' })
  @Property({ type: 'string', length: 64 })
  action!: string;

  @Field(() => String, { description: 'Kind of object: user, team, key.' })
  @Property({ type: 'string', length: 32 })
  targetType!: string;

  @Field(() => String, { description: 'Id of the object.' })
  @Property({ type: 'string', length: 256 })
  targetId!: string;

  @Field(() => GraphQLJSONObject, { description: 'The object before (null on create).', nullable: true })
  @Property({ type: 'json', nullable: true })
  before: Record<string, unknown> | null = null;

  @Field(() => GraphQLJSONObject, { description: 'The object after (null on delete).', nullable: true })
  @Property({ type: 'json', nullable: true })
  after: Record<string, unknown> | null = null;
}
