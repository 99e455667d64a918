import { Arg, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { AuthMethodEnum, UserRoleEnum } from '../graphql/enums.js';
import type { Role } from '../permissions/roles.js';
import { Connection, toConnection } from '../graphql/connection.js';
import type { GqlContext } from '../graphql/context.js';
import { setSessionCookie } from '../http/cookies.js';
import { refuseCrossSite } from '../http/request-context.js';
import { permissionsOf, Viewer } from '../auth/auth.resolver.js';
import { principalForUser } from '../auth/credentials.js';
import { User } from '../users/user.entity.js';
import { TeamAssignmentInput, teamAssignments } from '../users/user.resolver.js';
import { visibleUser } from '../users/user.service.js';
import { Invitation } from './invitation.entity.js';
import {
  acceptInvitation,
  invitationByToken,
  inviteExistingUser,
  inviteUser,
  listInvitations,
  resendInvitation,
  revokeInvitation,
  type IssuedInvitation,
} from './invitation.service.js';

const InvitationConnection = Connection(Invitation, 'Invitation');

@InputType({ description: 'Invite a person: creates the user (by the creation rule) and an invitation link.' })
class InviteUserInput {
  @Field(() => String, { description: 'Email of the person.' }) email!: string;
  @Field(() => String, { nullable: true, description: 'Display name.' }) userAlias?: string | null;
  @Field(() => UserRoleEnum, { nullable: true, description: 'Role; defaults by the creation rule.' }) userRole?: Role | null;
  @Field(() => [ID], { nullable: true, description: 'Teams to join as member.' }) teamIds?: string[] | null;
  @Field(() => [TeamAssignmentInput], { nullable: true, description: 'Teams to join with a role and member budget (besides teamIds).' })
  teams?: TeamAssignmentInput[] | null;
  @Field(() => Float, { nullable: true, description: 'Budget in USD for personal keys.' }) maxBudget?: number | null;
  @Field(() => String, { nullable: true, description: 'Budget reset period, e.g. 1mo.' }) budgetDuration?: string | null;
  @Field(() => [String], { nullable: true, description: 'Models for personal keys; empty = all.' }) models?: string[] | null;
  @Field(() => Boolean, { nullable: true, description: 'Email the link (needs PROXY_BASE_URL and SMTP).' }) sendEmail?: boolean | null;
}

@InputType({ description: 'An invitation to issue a new link for.' })
class ResendInvitationInput {
  @Field(() => ID, { description: 'Invitation id.' }) id!: string;
  @Field(() => Boolean, { nullable: true, description: 'Email the new link (needs PROXY_BASE_URL and SMTP).' }) sendEmail?: boolean | null;
}

@InputType({ description: 'An invitation to revoke.' })
class RevokeInvitationInput {
  @Field(() => ID, { description: 'Invitation id.' }) id!: string;
}

@InputType({ description: 'Send an existing user a link to set a new password.' })
class SendPasswordResetInput {
  @Field(() => ID, { description: 'The user.' }) userId!: string;
  @Field(() => Boolean, { nullable: true, description: 'Email the link (needs PROXY_BASE_URL and SMTP).' }) sendEmail?: boolean | null;
}

@InputType({ description: 'Accept an invitation: choose a password.' })
class AcceptInvitationInput {
  @Field(() => String, { description: 'The token from the invitation link.' }) token!: string;
  @Field(() => String, { description: 'New password: 8-128 characters, not easy to guess.' }) password!: string;
}

@InputType({ description: 'Filters for invitations.' })
class InvitationFilter {
  @Field(() => ID, { nullable: true, description: 'Only this user.' }) userId?: string | null;
  @Field(() => String, { nullable: true, description: 'Status: `pending`, `used`, `expired` or `revoked`.' }) status?: string | null;
}

@ObjectType({ description: 'An invitation with its link: the link is shown only here, once.' })
class IssuedInvitationPayload {
  @Field(() => Invitation, { description: 'The invitation.' }) invitation!: Invitation;
  @Field(() => String, { description: 'The link to share: <base>/ui/invite/<token>. Not shown again.' }) link!: string;
  @Field(() => Boolean, { description: 'Whether the email went out (see invitation.emailError when not).' }) emailSent!: boolean;
}

@ObjectType({ description: 'What the invite page may know about a link (anonymous).' })
class InvitationInfo {
  @Field(() => String, { nullable: true, description: 'Email of the invited person.' }) email!: string | null;
  @Field(() => String, { nullable: true, description: 'Their display name.' }) userAlias!: string | null;
  @Field(() => String, { description: 'Kind: `invite` or `password_reset`.' }) kind!: string;
  @Field(() => String, { description: 'Status: `pending`, `used`, `expired` or `revoked`.' }) status!: string;
  @Field(() => Boolean, { description: 'Whether the link can still be used.' }) valid!: boolean;
  @Field(() => String, { description: 'When the link stops working (ISO).' }) expiresAt!: string;
}

const payload = (i: IssuedInvitation) => ({ invitation: i.invitation, link: i.link, emailSent: i.emailSent });

@Resolver(() => Invitation)
export class InvitationResolver {
  @Query(() => InvitationConnection, { description: 'Invitations, newest first (admins; admin viewers read only).' })
  async invitations(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => InvitationFilter, { nullable: true, description: 'Filters.' }) filter?: InvitationFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listInvitations(ctx, filter ?? {}, { first, after }));
  }

  @Query(() => InvitationInfo, { nullable: true, description: 'Anonymous: whose invitation a token is and whether it is still valid; null when unknown.' })
  async invitation(@Ctx() ctx: GqlContext, @Arg('token', () => String, { description: 'The token from the invitation link.' }) token: string): Promise<InvitationInfo | null> {
    const inv = await invitationByToken(ctx, token);
    if (!inv) return null;
    return { email: inv.user.email, userAlias: inv.user.alias, kind: inv.kind, status: inv.status, valid: inv.status === 'pending', expiresAt: inv.expiresAt.toISOString() };
  }

  @Mutation(() => IssuedInvitationPayload, { description: 'Create a user and an invitation link (proxy_admin).' })
  async inviteUser(@Ctx() ctx: GqlContext, @Arg('input', () => InviteUserInput, { description: 'The mutation input.' }) input: InviteUserInput) {
    return payload(await inviteUser(ctx, { ...input, alias: input.userAlias, teams: teamAssignments(input.teams) }));
  }

  @Mutation(() => IssuedInvitationPayload, { description: 'New link for an invitation (the old one stops working).' })
  async resendInvitation(@Ctx() ctx: GqlContext, @Arg('input', () => ResendInvitationInput, { description: 'The mutation input.' }) input: ResendInvitationInput) {
    return payload(await resendInvitation(ctx, input.id, input.sendEmail === true));
  }

  @Mutation(() => Invitation, { description: 'Revoke an invitation: its link stops working.' })
  revokeInvitation(@Ctx() ctx: GqlContext, @Arg('input', () => RevokeInvitationInput, { description: 'The mutation input.' }) input: RevokeInvitationInput) {
    return revokeInvitation(ctx, input.id);
  }

  @Mutation(() => IssuedInvitationPayload, { description: 'Send an existing user a password-reset link (proxy_admin).' })
  async sendPasswordReset(@Ctx() ctx: GqlContext, @Arg('input', () => SendPasswordResetInput, { description: 'The mutation input.' }) input: SendPasswordResetInput) {
    return payload(await inviteExistingUser(ctx, input.userId, 'password_reset', input.sendEmail === true));
  }

  @Mutation(() => Viewer, { description: 'Anonymous: set the password with an invitation token and sign in (sets the session cookie).' })
  async acceptInvitation(@Ctx() ctx: GqlContext, @Arg('input', () => AcceptInvitationInput, { description: 'The mutation input.' }) input: AcceptInvitationInput): Promise<Viewer> {
    refuseCrossSite(ctx.app, ctx.request); // it signs in too: no login CSRF with a foreign token
    const { user, cookie } = await acceptInvitation(ctx, input.token, input.password);
    setSessionCookie(ctx.app, ctx.reply, cookie);
    const principal = await principalForUser(ctx, user, 'session');
    return { authMethod: AuthMethodEnum.SESSION, user, permissions: permissionsOf({ ...ctx, principal }) };
  }

  @FieldResolver(() => String, { description: 'Status: `pending`, `used`, `expired` or `revoked`.' })
  status(@Root() inv: Invitation) {
    return inv.status;
  }

  @FieldResolver(() => ID, { description: 'The invited user id.' })
  userId(@Root() inv: Invitation) {
    return inv.user.id;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The invited user, if the caller may see them.' })
  user(@Root() inv: Invitation, @Ctx() ctx: GqlContext) {
    return visibleUser(ctx, inv.user.id);
  }
}
