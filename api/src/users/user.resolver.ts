import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Field, FieldResolver, Float, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { listKeys } from '../keys/key.service.js';
import { Connection, toConnection } from '../graphql/connection.js';
import type { GqlContext } from '../graphql/context.js';
import { TeamRoleEnum, UserRoleEnum } from '../graphql/enums.js';
import type { Role, TeamRole } from '../permissions/roles.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { visibleMembershipsOf } from '../teams/membership.service.js';
import { User } from './user.entity.js';
import { deleteUser, getUser, listUsers, onboardUser, updateMe, updateUser } from './user.service.js';
import { VirtualKey } from '../keys/key.entity.js';

export const UserConnection = Connection(User, 'User');

/** GraphQL's nulls → the service's unset fields. */
export const teamAssignments = (teams: TeamAssignmentInput[] | null | undefined) =>
  teams?.map((t) => ({ teamId: t.teamId, role: t.role ?? undefined, maxBudgetInTeam: t.maxBudgetInTeam }));
const KeyConnectionForUser = Connection(VirtualKey, 'VirtualKey');

@InputType({ description: 'A team to join, with the role inside it.' })
export class TeamAssignmentInput {
  @Field(() => ID, { description: 'Team id.' })
  teamId!: string;

  @Field(() => TeamRoleEnum, { nullable: true, description: 'Role in the team (default user).' })
  role?: TeamRole | null;

  @Field(() => Float, { nullable: true, description: 'Budget inside the team in USD (`max_budget_in_team`).' })
  maxBudgetInTeam?: number | null;
}

@InputType({ description: 'Fields shared by user creation and update.' })
class UserFieldsInput {
  @Field(() => String, { nullable: true, description: 'Email address (unique, case-insensitive).' })
  email?: string | null;

  @Field(() => String, { nullable: true, description: 'Display name.' })
  userAlias?: string | null;

  @Field(() => UserRoleEnum, { nullable: true, description: 'Global role; on create defaults by the creation rule.' })
  userRole?: Role | null;

  @Field(() => [String], { nullable: true, description: 'Models for personal keys; empty = all.' })
  models?: string[] | null;

  @Field(() => Float, { nullable: true, description: 'Budget in USD for personal keys; null = none.' })
  maxBudget?: number | null;

  @Field(() => Float, { nullable: true, description: 'Soft budget in USD (alerts only).' })
  softBudget?: number | null;

  @Field(() => String, { nullable: true, description: 'Budget reset period, e.g. 30d or 1mo.' })
  budgetDuration?: string | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Free-form metadata.' })
  metadata?: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'Password (8-128 characters); stored only as an argon2id hash.' })
  password?: string | null;
}

@InputType({ description: 'A new user.' })
class CreateUserInput extends UserFieldsInput {
  @Field(() => ID, { nullable: true, description: 'User id; generated when omitted.' })
  userId?: string | null;

  @Field(() => [TeamAssignmentInput], { nullable: true, description: 'Teams to join; default_internal_user_params.teams when omitted.' })
  teams?: TeamAssignmentInput[] | null;
}

@InputType({ description: 'Changes to a user; omitted fields stay as they are.' })
class UpdateUserInput extends UserFieldsInput {
  @Field(() => ID, { description: 'The user to change.' })
  userId!: string;

  @Field(() => Float, { nullable: true, description: 'Correct the spend in the current window (USD).' })
  spend?: number | null;
}

@InputType({ description: 'Which user to delete.' })
class DeleteUserInput {
  @Field(() => ID, { description: 'The user to delete; their keys and memberships go too, spend rows stay.' })
  userId!: string;
}

@InputType({ description: 'Changes to your own profile.' })
class UpdateMeInput {
  @Field(() => String, { nullable: true, description: 'Display name.' })
  userAlias?: string | null;
}

@InputType({ description: 'Filters for users.' })
class UserFilter {
  @Field(() => UserRoleEnum, { nullable: true, description: 'Only this role.' })
  role?: Role | null;

  @Field(() => String, { nullable: true, description: 'Email contains this (case-insensitive).' })
  email?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only members of this team.' })
  teamId?: string | null;
}

@ObjectType({ description: 'What deleteUser removed.' })
class DeleteUserPayload {
  @Field(() => ID, { description: 'The deleted user.' })
  userId!: string;

  @Field(() => [ID], { description: 'Ids of the keys deleted with the user.' })
  deletedKeyIds!: string[];
}

const fields = (i: UserFieldsInput) => ({
  email: i.email,
  alias: i.userAlias,
  role: i.userRole ?? undefined,
  models: i.models,
  maxBudget: i.maxBudget,
  softBudget: i.softBudget,
  budgetDuration: i.budgetDuration,
  metadata: i.metadata,
  password: i.password,
});

@Resolver(() => User)
export class UserResolver {
  @Query(() => UserConnection, { description: 'Users the caller may see (admins: all; team admins: their members; others: themselves).' })
  async users(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => UserFilter, { nullable: true, description: 'Narrows the list.' }) filter?: UserFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listUsers(ctx, filter ?? {}, { first, after }));
  }

  @Query(() => User, { description: 'One user, if the caller may see them.' })
  user(@Ctx() ctx: GqlContext, @Arg('id', () => ID, { description: 'The user_id.' }) id: string) {
    return getUser(ctx, id);
  }

  @Mutation(() => User, { description: 'Create a user (proxy_admin).' })
  async createUser(@Ctx() ctx: GqlContext, @Arg('input', () => CreateUserInput, { description: 'The operation input.' }) input: CreateUserInput) {
    const params = {
      ...fields(input),
      userId: input.userId,
      teams: teamAssignments(input.teams),
    };
    // the same creation path as REST /user/new; GraphQL's createUser never mints a key
    return (await onboardUser(ctx, params, { autoCreateKey: false })).user;
  }

  @Mutation(() => User, { description: 'Change a user, their role or budget (proxy_admin). A role change ends their sessions.' })
  updateUser(@Ctx() ctx: GqlContext, @Arg('input', () => UpdateUserInput, { description: 'The operation input.' }) input: UpdateUserInput) {
    return updateUser(ctx, { ...fields(input), userId: input.userId, spend: input.spend });
  }

  @Mutation(() => DeleteUserPayload, { description: 'Delete a user with their keys and memberships (proxy_admin).' })
  async deleteUser(@Ctx() ctx: GqlContext, @Arg('input', () => DeleteUserInput, { description: 'The operation input.' }) input: DeleteUserInput) {
    const { user, keyIds } = await deleteUser(ctx, input.userId);
    return { userId: user.id, deletedKeyIds: keyIds };
  }

  @Mutation(() => User, { description: 'Change your own display name.' })
  updateMe(@Ctx() ctx: GqlContext, @Arg('input', () => UpdateMeInput, { description: 'The operation input.' }) input: UpdateMeInput) {
    return updateMe(ctx, { alias: input.userAlias });
  }

  @FieldResolver(() => UserRoleEnum, { description: 'Global role (LiteLLM `user_role`).' })
  userRole(@Root() user: User) {
    return user.role;
  }

  @FieldResolver(() => [TeamMembership], { description: 'Memberships of this user in teams the caller may see.' })
  teams(@Root() user: User, @Ctx() ctx: GqlContext) {
    return visibleMembershipsOf(ctx, user.id);
  }

  @FieldResolver(() => KeyConnectionForUser, { description: 'Keys of this user that the caller may see.' })
  async keys(
    @Root() user: User,
    @Ctx() ctx: GqlContext,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listKeys(ctx, { userId: user.id }, { first, after }));
  }
}

export { KeyConnectionForUser };
