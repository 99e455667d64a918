import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { Field, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import type { User } from '../users/user.entity.js';

export type InvitationKind = 'invite' | 'password_reset';

/** A single-use link that lets a user set a password. Only the SHA-256 of its token is stored. */
@Entity({ tableName: 'invitations' })
@Index({ properties: ['createdAt'] })
@ObjectType('Invitation', { description: 'An invitation (or password reset) link for a user. The link itself is shown only when created or resent.' })
export class Invitation {
  @Field(() => ID, { description: 'Invitation id.' })
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @ManyToOne({ entity: 'User', deleteRule: 'cascade' })
  user!: Rel<User>;

  /** SHA-256 of the link token */
  @Unique()
  @Property({ type: 'string', length: 64 })
  tokenHash!: string;

  @Field(() => String, { description: 'Kind: `invite` (new user) or `password_reset` (existing user).' })
  @Property({ type: 'string', length: 16, default: 'invite' })
  kind: InvitationKind & Opt = 'invite';

  @Field(() => String, { nullable: true, description: 'User id of who created it.' })
  @Property({ type: 'string', length: 128, nullable: true })
  createdBy: string | null = null;

  @Field(() => GraphQLISODateTime, { description: 'When it was created (UTC).' })
  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

  @Field(() => GraphQLISODateTime, { description: 'When the link stops working (UTC).' })
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was accepted.' })
  @Property({ type: 'datetime', nullable: true })
  usedAt: Date | null = null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was revoked.' })
  @Property({ type: 'datetime', nullable: true })
  revokedAt: Date | null = null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the invitation email was last sent.' })
  @Property({ type: 'datetime', nullable: true })
  emailSentAt: Date | null = null;

  @Field(() => String, { nullable: true, description: 'Why the last email could not be sent.' })
  @Property({ type: 'string', length: 512, nullable: true })
  emailError: string | null = null;

  get status(): 'pending' | 'used' | 'expired' | 'revoked' {
    if (this.usedAt) return 'used';
    if (this.revokedAt) return 'revoked';
    if (this.expiresAt.getTime() <= Date.now()) return 'expired';
    return 'pending';
  }
}
