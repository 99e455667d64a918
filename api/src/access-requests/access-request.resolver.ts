import { Arg, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, registerEnumType, Resolver, Root } from 'type-graphql';
import { nanosToUsd } from '../common/money.js';
import { Connection, toConnection } from '../graphql/connection.js';
import type { GqlContext } from '../graphql/context.js';
import { upperCaseEnum } from '../graphql/enums.js';
import { ACCESS_REQUEST_KINDS, ACCESS_REQUEST_STATUSES, AccessRequest, type AccessRequestKind, type AccessRequestStatus } from './access-request.entity.js';
import {
  approveAccessRequest,
  cancelAccessRequest,
  createAccessRequest,
  denyAccessRequest,
  getAccessRequest,
  listAccessRequests,
  pendingAccessRequestCount,
} from './access-request.service.js';

export const AccessRequestKindEnum = upperCaseEnum(ACCESS_REQUEST_KINDS);
registerEnumType(AccessRequestKindEnum, {
  name: 'AccessRequestKind',
  description: 'What an access request asks for.',
  valuesConfig: {
    KEY_MODEL: { description: 'One more model on a key.' },
    KEY_LIMIT: { description: 'A higher budget, rpm or tpm limit on a key.' },
    TEAM_MEMBERSHIP: { description: 'Membership of a team (as a user).' },
    USER_BUDGET: { description: 'A higher personal budget (a proxy_admin decides).' },
  },
});
export const AccessRequestStatusEnum = upperCaseEnum(ACCESS_REQUEST_STATUSES);
registerEnumType(AccessRequestStatusEnum, {
  name: 'AccessRequestStatus',
  description: 'Where an access request stands.',
  valuesConfig: {
    PENDING: { description: 'Waiting for a decision.' },
    APPROVED: { description: 'Approved and applied.' },
    DENIED: { description: 'Denied, with a reason.' },
    CANCELLED: { description: 'Withdrawn by the requester.' },
    EXPIRED: { description: 'Not decided in time (general_settings.access_request_ttl); it can no longer be decided.' },
  },
});

const AccessRequestConnection = Connection(AccessRequest, 'AccessRequest');

@InputType({ description: 'Ask for more access for oneself.' })
class CreateAccessRequestInput {
  @Field(() => AccessRequestKindEnum, { description: 'What is asked for.' }) kind!: AccessRequestKind;
  @Field(() => ID, { nullable: true, description: 'The key, for KEY_MODEL and KEY_LIMIT requests.' }) keyId?: string | null;
  @Field(() => ID, { nullable: true, description: 'The team, for TEAM_MEMBERSHIP requests.' }) teamId?: string | null;
  @Field(() => String, { nullable: true, description: 'The model, for KEY_MODEL requests.' }) model?: string | null;
  @Field(() => Float, { nullable: true, description: 'Budget in USD, for KEY_LIMIT and USER_BUDGET requests.' }) maxBudget?: number | null;
  @Field(() => Int, { nullable: true, description: 'Requests per minute, for KEY_LIMIT requests.' }) rpmLimit?: number | null;
  @Field(() => Int, { nullable: true, description: 'Tokens per minute, for KEY_LIMIT requests.' }) tpmLimit?: number | null;
  @Field(() => String, { nullable: true, description: 'Why it is needed (at most 1000 characters).' }) reason?: string | null;
}

@InputType({ description: 'Approve a pending access request: it is applied at once, as the approver.' })
class ApproveAccessRequestInput {
  @Field(() => ID, { description: 'Request id.' }) id!: string;
  @Field(() => String, { nullable: true, description: 'An optional note for the requester.' }) reason?: string | null;
}

@InputType({ description: 'Deny a pending access request.' })
class DenyAccessRequestInput {
  @Field(() => ID, { description: 'Request id.' }) id!: string;
  @Field(() => String, { description: 'Why it is denied (shown to the requester).' }) reason!: string;
}

@InputType({ description: 'Withdraw one’s own pending access request.' })
class CancelAccessRequestInput {
  @Field(() => ID, { description: 'Request id.' }) id!: string;
}

@InputType({ description: 'Filters for access requests.' })
class AccessRequestFilter {
  @Field(() => AccessRequestStatusEnum, { nullable: true, description: 'Only requests with this status.' }) status?: AccessRequestStatus | null;
  @Field(() => ID, { nullable: true, description: 'Only requests about this team.' }) teamId?: string | null;
  @Field(() => ID, { nullable: true, description: 'Only requests by this user.' }) requesterId?: string | null;
}

@Resolver(() => AccessRequest)
export class AccessRequestResolver {
  @Query(() => AccessRequestConnection, { description: 'Access requests the caller may see, newest first: their own, their teams’ as team admin, or all as an admin.' })
  async accessRequests(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => AccessRequestFilter, { nullable: true, description: 'Filters.' }) filter?: AccessRequestFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listAccessRequests(ctx, filter ?? {}, { first, after }));
  }

  @Query(() => AccessRequest, { description: 'One access request; NOT_FOUND when the caller may not see it.' })
  accessRequest(@Ctx() ctx: GqlContext, @Arg('id', () => ID, { description: 'Request id.' }) id: string) {
    return getAccessRequest(ctx, id);
  }

  @Query(() => Int, { description: 'How many pending requests the caller may decide (not their own).' })
  pendingAccessRequestCount(@Ctx() ctx: GqlContext) {
    return pendingAccessRequestCount(ctx);
  }

  @Mutation(() => AccessRequest, { description: 'Ask for more access for oneself; CONFLICT names an identical pending request.' })
  createAccessRequest(@Ctx() ctx: GqlContext, @Arg('input', () => CreateAccessRequestInput, { description: 'The mutation input.' }) input: CreateAccessRequestInput) {
    return createAccessRequest(ctx, input);
  }

  @Mutation(() => AccessRequest, { description: 'Approve and apply a pending request (team admin within the team, or proxy_admin); never one’s own.' })
  approveAccessRequest(@Ctx() ctx: GqlContext, @Arg('input', () => ApproveAccessRequestInput, { description: 'The mutation input.' }) input: ApproveAccessRequestInput) {
    return approveAccessRequest(ctx, input.id, input.reason);
  }

  @Mutation(() => AccessRequest, { description: 'Deny a pending request with a reason; never one’s own.' })
  denyAccessRequest(@Ctx() ctx: GqlContext, @Arg('input', () => DenyAccessRequestInput, { description: 'The mutation input.' }) input: DenyAccessRequestInput) {
    return denyAccessRequest(ctx, input.id, input.reason);
  }

  @Mutation(() => AccessRequest, { description: 'Withdraw one’s own pending request.' })
  cancelAccessRequest(@Ctx() ctx: GqlContext, @Arg('input', () => CancelAccessRequestInput, { description: 'The mutation input.' }) input: CancelAccessRequestInput) {
    return cancelAccessRequest(ctx, input.id);
  }

  @FieldResolver(() => AccessRequestKindEnum, { description: 'What is asked for.' })
  kind(@Root() r: AccessRequest) {
    return r.kind;
  }

  @FieldResolver(() => AccessRequestStatusEnum, { description: 'Where it stands (EXPIRED once pending past expiresAt).' })
  status(@Root() r: AccessRequest) {
    return r.status;
  }

  @FieldResolver(() => Float, { nullable: true, description: 'Budget asked for, in USD.' })
  maxBudget(@Root() r: AccessRequest) {
    return nanosToUsd(r.maxBudget);
  }
}
