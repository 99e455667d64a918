import { Entity, Index, ManyToOne, PrimaryKey, Property, Unique, type Opt, type Rel } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';
import { BudgetedEntity } from '../common/base.entity.js';
import type { Team } from '../teams/team.entity.js';
import type { User } from '../users/user.entity.js';

/** A virtual API key. Only the SHA-256 of the secret is stored; the secret is shown once. */
@Entity({ tableName: 'virtual_keys' })
// key lists page newest first: at 100,000 keys a sort of the whole table per page otherwise
@Index({ properties: ['createdAt', 'id'] })
@ObjectType('VirtualKey', { description: 'A virtual API key for the gateway. The secret itself is never returned after creation.' })
export class VirtualKey extends BudgetedEntity {
  @Field(() => ID, { description: 'Stable key id (survives regeneration).' })
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  /** SHA-256 hex of the secret (LiteLLM `token`) */
  @Unique()
  @Property({ type: 'string', length: 64 })
  token!: string;

  @Field(() => String, { description: 'Display form of the secret, `sk-...abcd`.' })
  /** display form `sk-...abcd` */
  @Property({ type: 'string', length: 32 })
  keyName!: string;

  @Field(() => String, { nullable: true, description: 'Unique alias (LiteLLM `key_alias`).' })
  @Unique()
  @Property({ type: 'string', length: 256, nullable: true })
  keyAlias: string | null = null;

  @ManyToOne({ entity: 'User', nullable: true, deleteRule: 'cascade' })
  user: Rel<User> | null = null;

  @ManyToOne({ entity: 'Team', nullable: true, deleteRule: 'cascade' })
  team: Rel<Team> | null = null;

  @Field(() => [String], { description: 'Models this key may use; empty = all its owner or team may use.' })
  @Property({ type: 'json' })
  models: string[] & Opt = [];

  @Field(() => GraphQLISODateTime, { name: 'expires', nullable: true, description: 'Expiry (UTC); null = never.' })
  @Property({ type: 'datetime', nullable: true })
  expiresAt: Date | null = null;

  @Field(() => Int, { nullable: true, description: 'Tokens per minute.' })
  @Property({ type: 'integer', nullable: true })
  tpmLimit: number | null = null;

  @Field(() => Int, { nullable: true, description: 'Requests per minute.' })
  @Property({ type: 'integer', nullable: true })
  rpmLimit: number | null = null;

  @Field(() => Int, { nullable: true, description: 'Calls in flight at once.' })
  @Property({ type: 'integer', nullable: true })
  maxParallelRequests: number | null = null;

  @Field(() => GraphQLJSONObject, { description: 'Free-form metadata.' })
  @Property({ type: 'json' })
  metadata: Record<string, unknown> & Opt = {};

  @Field(() => Boolean, { description: 'A blocked key is refused by the gateway.' })
  @Property({ type: 'boolean', default: false })
  blocked: boolean & Opt = false;

  @Field(() => String, { nullable: true, description: 'User id of whoever created the key.' })
  @Property({ type: 'string', length: 128, nullable: true })
  createdBy: string | null = null;

  /** minted by playgroundKey for the dashboard's Try it: short-lived, left out of key lists */
  @Field(() => Boolean, { description: 'Minted for the dashboard’s Try it panel (short-lived; not listed).' })
  @Property({ type: 'boolean', default: false })
  playground: boolean & Opt = false;

  /** SHA-256 hex of the secret before the last rotation, accepted until previousTokenUntil (a grace period); never a secret */
  @Index()
  @Property({ type: 'string', length: 64, nullable: true })
  previousToken: string | null = null;

  /** when previousToken stops working (shown as rotatingUntil while in the future) */
  @Property({ type: 'datetime', nullable: true })
  previousTokenUntil: Date | null = null;

  /** the grace end while a rotation's grace period lasts, else null */
  rotatingUntil(now = Date.now()): Date | null {
    return this.previousTokenUntil && this.previousTokenUntil.getTime() > now ? this.previousTokenUntil : null;
  }

  @Field(() => Boolean, { description: 'Rotated on schedule every rotationInterval (LiteLLM `auto_rotate`); the owner gets the new secret by a one-time link.' })
  @Property({ type: 'boolean', default: false })
  autoRotate: boolean & Opt = false;

  @Field(() => String, { nullable: true, description: 'How often a key with autoRotate gets a new secret, e.g. 30d (LiteLLM `rotation_interval`).' })
  @Property({ type: 'string', length: 32, nullable: true })
  rotationInterval: string | null = null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When the next scheduled rotation is due (UTC); null = none scheduled.' })
  @Property({ type: 'datetime', nullable: true })
  nextRotationAt: Date | null = null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Last gateway call (UTC).' })
  @Property({ type: 'datetime', nullable: true })
  lastUsedAt: Date | null = null;
}
