import { BigIntType, Entity, Index, PrimaryKey, Property, Unique, type Opt } from '@mikro-orm/core';
import { Field, GraphQLISODateTime, ID, Int, ObjectType } from 'type-graphql';

export const ACCESS_REQUEST_KINDS = ['key_model', 'key_limit', 'team_membership', 'user_budget'] as const;
export type AccessRequestKind = (typeof ACCESS_REQUEST_KINDS)[number];
export const ACCESS_REQUEST_STATUSES = ['pending', 'approved', 'denied', 'cancelled', 'expired'] as const;
export type AccessRequestStatus = (typeof ACCESS_REQUEST_STATUSES)[number];

/** A user's ask for more access (a model, a limit, a team); an approver decides it once. */
@Entity({ tableName: 'access_requests' })
@Index({ properties: ['createdAt'] })
@ObjectType('AccessRequest', { description: 'A request for more access, decided by an admin of its scope.' })
export class AccessRequest {
  @Field(() => ID, { description: 'Request id.' })
  @PrimaryKey({ type: 'uuid' })
  id!: string;

  @Property({ type: 'string', length: 32 })
  kind!: AccessRequestKind;

  /** stored status; `expired` is derived from expiresAt while pending */
  @Property({ type: 'string', length: 16, default: 'pending' })
  state: Exclude<AccessRequestStatus, 'expired'> & Opt = 'pending';

  @Field(() => ID, { description: 'The user who asked.' })
  @Property({ type: 'string', length: 128 })
  requesterId!: string;

  @Field(() => ID, { nullable: true, description: 'The team the request concerns (its admins may decide it).' })
  @Property({ type: 'string', length: 128, nullable: true })
  teamId: string | null = null;

  @Field(() => ID, { nullable: true, description: 'The key the request concerns.' })
  @Property({ type: 'string', length: 64, nullable: true })
  keyId: string | null = null;

  @Field(() => String, { nullable: true, description: 'The model asked for (key model requests).' })
  @Property({ type: 'string', length: 256, nullable: true })
  model: string | null = null;

  /** nano-dollars (key limit and personal budget requests); GraphQL shows USD */
  @Property({ type: new BigIntType('number'), nullable: true })
  maxBudget: number | null = null;

  @Field(() => Int, { nullable: true, description: 'Requests per minute asked for (key limit requests).' })
  @Property({ type: 'integer', nullable: true })
  rpmLimit: number | null = null;

  @Field(() => Int, { nullable: true, description: 'Tokens per minute asked for (key limit requests).' })
  @Property({ type: 'integer', nullable: true })
  tpmLimit: number | null = null;

  @Field(() => String, { nullable: true, description: 'Why the requester needs it.' })
  @Property({ type: 'string', length: 1000, nullable: true })
  reason: string | null = null;

  /** what makes two pending requests the same; cleared once decided, so asking again later works */
  @Unique()
  @Property({ type: 'string', length: 512, nullable: true })
  dedupeKey: string | null = null;

  @Field(() => ID, { nullable: true, description: 'Who approved, denied or cancelled it.' })
  @Property({ type: 'string', length: 128, nullable: true })
  decidedBy: string | null = null;

  @Field(() => GraphQLISODateTime, { nullable: true, description: 'When it was decided or cancelled (UTC).' })
  @Property({ type: 'datetime', nullable: true })
  decidedAt: Date | null = null;

  @Field(() => String, { nullable: true, description: 'The decider’s reason (required when denying).' })
  @Property({ type: 'string', length: 1000, nullable: true })
  decisionReason: string | null = null;

  @Field(() => GraphQLISODateTime, { description: 'When it was made (UTC).' })
  @Property({ type: 'datetime' })
  createdAt: Date & Opt = new Date();

  @Field(() => GraphQLISODateTime, { description: 'When a pending request expires and can no longer be decided (UTC).' })
  @Property({ type: 'datetime' })
  expiresAt!: Date;

  get status(): AccessRequestStatus {
    if (this.state === 'pending' && this.expiresAt.getTime() <= Date.now()) return 'expired';
    return this.state;
  }
}
