import { BigIntType, Entity, Enum, PrimaryKey, Property, Unique, type Opt } from '@mikro-orm/core';
import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, Float, GraphQLISODateTime, ID, ObjectType } from 'type-graphql';
import { BudgetedEntity } from '../common/base.entity.js';
import { nanosToUsd } from '../common/money.js';
import { ROLES, type Role } from '../permissions/roles.js';

@Entity({ tableName: 'users' })
@ObjectType('User', { description: 'A person (or the master-key admin) who can sign in and own keys.' })
export class User extends BudgetedEntity {
  @Field(() => ID, { description: 'User id (LiteLLM `user_id`).' })
  @PrimaryKey({ type: 'string', length: 128 })
  id!: string;

  @Field(() => String, { nullable: true, description: 'Email address; unique, case-insensitive.' })
  @Property({ type: 'string', length: 320, nullable: true })
  email: string | null = null;

  /** lower-cased email: the unique, case-insensitive lookup column */
  @Unique()
  @Property({ type: 'string', length: 320, nullable: true })
  emailKey: string | null = null;

  @Field(() => String, { nullable: true, description: 'Display name.' })
  @Property({ type: 'string', length: 256, nullable: true })
  alias: string | null = null;

  // exposed as `userRole` (LiteLLM's name) by the resolver
  @Enum({ items: () => [...ROLES], type: 'string' })
  role!: Role;

  /** argon2id hash; never leaves the server */
  @Property({ type: 'string', length: 512, nullable: true, hidden: true })
  passwordHash: string | null = null;

  @Field(() => String, { nullable: true, description: 'Id at the SSO identity provider, when linked.' })
  @Unique()
  @Property({ type: 'string', length: 256, nullable: true })
  ssoId: string | null = null;

  @Field(() => [String], { description: 'Models this user may use with personal keys; empty = all.' })
  @Property({ type: 'json' })
  models: string[] & Opt = [];

  /** spend through personal keys only: the user budget blocks on this (ROLES.md) */
  @Property({ type: new BigIntType('number'), default: 0 })
  personalSpendNanos: number & Opt = 0;

  @Field(() => GraphQLJSONObject, { description: 'Free-form metadata.' })
  @Property({ type: 'json' })
  metadata: Record<string, unknown> & Opt = {};

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'Last successful sign-in (UTC).' })
  @Property({ type: 'datetime', nullable: true })
  lastSignInAt: Date | null = null;

  @Field(() => Boolean, { description: 'Whether a password is set (the hash itself is never exposed).' })
  get hasPassword(): boolean {
    return this.passwordHash !== null;
  }

  @Field(() => Float, { description: 'Spend in USD through personal keys (no team) in the current window.' })
  get personalSpend(): number {
    return nanosToUsd(this.personalSpendNanos) ?? 0;
  }
}
