import { GraphQLJSONObject } from 'graphql-scalars';
import { Arg, Ctx, Field, FieldResolver, Float, GraphQLISODateTime, ID, InputType, Int, Mutation, ObjectType, Query, Resolver, Root } from 'type-graphql';
import { Connection, toConnection } from '../graphql/connection.js';
import type { GqlContext } from '../graphql/context.js';
import { TeamRoleEnum } from '../graphql/enums.js';
import type { TeamRole } from '../permissions/roles.js';
import { listKeys } from '../keys/key.service.js';
import { KeyConnectionForUser } from '../users/user.resolver.js';
import { User } from '../users/user.entity.js';
import { visibleUser } from '../users/user.service.js';
import { TeamMembership } from './membership.entity.js';
import { memberBudget } from './membership.service.js';
import { Team } from './team.entity.js';
import {
  addMember,
  createTeam,
  deleteTeam,
  getTeam,
  listMembers,
  listTeams,
  removeMember,
  updateMember,
  updateTeam,
  visibleTeam,
  type TeamParams,
} from './team.service.js';

export const TeamConnection = Connection(Team, 'Team');

const HIDDEN = 'Null unless the caller is this member, an admin of the team, or a proxy_admin / proxy_admin_viewer.';

@InputType({ description: 'Team settings; omitted fields stay as they are (or take default_team_params on create).' })
class TeamFieldsInput {
  @Field(() => String, { nullable: true, description: 'Display name.' })
  teamAlias?: string | null;

  @Field(() => [String], { nullable: true, description: 'Models the team may use; empty = all.' })
  models?: string[] | null;

  @Field(() => Float, { nullable: true, description: 'Team budget in USD; null = none.' })
  maxBudget?: number | null;

  @Field(() => Float, { nullable: true, description: 'Soft budget in USD (alerts only).' })
  softBudget?: number | null;

  @Field(() => String, { nullable: true, description: 'Budget reset period, e.g. 30d or 1mo.' })
  budgetDuration?: string | null;

  @Field(() => Int, { nullable: true, description: 'Tokens per minute for the team.' })
  tpmLimit?: number | null;

  @Field(() => Int, { nullable: true, description: 'Requests per minute for the team.' })
  rpmLimit?: number | null;

  @Field(() => Boolean, { nullable: true, description: 'Block every key of the team.' })
  blocked?: boolean | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'Free-form metadata.' })
  metadata?: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, {
    nullable: true,
    description: 'LiteLLM model_aliases: alias the team\'s keys send → a model the team may use, e.g. {"cheap-model": "gpt-4o-mini"}.',
  })
  modelAliases?: Record<string, unknown> | null;
}

@InputType({ description: 'A member to add when creating a team: an existing user by id or exact email.' })
class NewTeamMemberInput {
  @Field(() => ID, { nullable: true, description: 'User id.' })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact email of an existing user.' })
  email?: string | null;

  @Field(() => TeamRoleEnum, { nullable: true, description: 'Role in the team (default user).' })
  role?: TeamRole | null;
}

@InputType({ description: 'A new team.' })
class CreateTeamInput extends TeamFieldsInput {
  @Field(() => ID, { nullable: true, description: 'Team id (e.g. an SSO group id); generated when omitted.' })
  teamId?: string | null;

  @Field(() => [NewTeamMemberInput], { nullable: true, description: 'Initial members.' })
  members?: NewTeamMemberInput[] | null;
}

@InputType({ description: 'Changes to a team.' })
class UpdateTeamInput extends TeamFieldsInput {
  @Field(() => ID, { description: 'The team to change.' })
  teamId!: string;
}

@InputType({ description: 'Which team to delete.' })
class DeleteTeamInput {
  @Field(() => ID, { description: 'The team to delete; its keys and memberships go too.' })
  teamId!: string;
}

/** Which membership, and its budget: a base class only, so add and update keep their own input types. */
@InputType({ description: 'Shared fields (not in the schema: no resolver names this type).' })
class TeamMemberFields {
  @Field(() => ID, { description: 'Team id.' })
  teamId!: string;

  @Field(() => ID, { nullable: true, description: 'User id (or give email).' })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact email of an existing user (or give userId).' })
  email?: string | null;

  @Field(() => Float, { nullable: true, description: 'Budget inside the team in USD (`max_budget_in_team`).' })
  maxBudgetInTeam?: number | null;

  @Field(() => String, { nullable: true, description: 'Reset period of the member budget.' })
  budgetDuration?: string | null;
}

@InputType({ description: 'An existing user to add to a team, with role and member budget.' })
class AddTeamMemberInput extends TeamMemberFields {
  @Field(() => TeamRoleEnum, { nullable: true, description: 'Role in the team (default USER).' })
  role?: TeamRole | null;
}

@InputType({ description: "Changes to a member's team role or member budget; omitted fields stay as they are." })
class UpdateTeamMemberInput extends TeamMemberFields {
  @Field(() => TeamRoleEnum, { nullable: true, description: 'New role in the team.' })
  role?: TeamRole | null;
}

@InputType({ description: 'A membership to remove.' })
class RemoveTeamMemberInput {
  @Field(() => ID, { description: 'Team id.' })
  teamId!: string;

  @Field(() => ID, { nullable: true, description: 'User id (or give email).' })
  userId?: string | null;

  @Field(() => String, { nullable: true, description: 'Exact email (or give userId).' })
  email?: string | null;
}

@InputType({ description: 'Filters for teams.' })
class TeamFilter {
  @Field(() => ID, { nullable: true, description: 'Only teams this user belongs to.' })
  userId?: string | null;
}

@ObjectType({ description: 'What deleteTeam removed.' })
class DeleteTeamPayload {
  @Field(() => ID, { description: 'The deleted team.' })
  teamId!: string;

  @Field(() => [ID], { description: 'Ids of the keys deleted with the team.' })
  deletedKeyIds!: string[];
}

@ObjectType({ description: 'What removeTeamMember removed.' })
class RemoveTeamMemberPayload {
  @Field(() => ID, { description: 'Team id.' })
  teamId!: string;

  @Field(() => ID, { description: 'User id.' })
  userId!: string;

  @Field(() => [ID], { description: "Ids of the member's keys of this team, blocked by the removal: they stop at the gateway at once (an admin may unblock them after adding the member back)." })
  blockedKeyIds!: string[];
}

const teamFields = (i: TeamFieldsInput): TeamParams => ({
  teamAlias: i.teamAlias,
  models: i.models,
  maxBudget: i.maxBudget,
  softBudget: i.softBudget,
  budgetDuration: i.budgetDuration,
  tpmLimit: i.tpmLimit,
  rpmLimit: i.rpmLimit,
  blocked: i.blocked,
  metadata: i.metadata,
  modelAliases: i.modelAliases,
});

@Resolver(() => Team)
export class TeamResolver {
  @Query(() => TeamConnection, { description: 'Teams the caller may see (admins: all; others: their own).' })
  async teams(
    @Ctx() ctx: GqlContext,
    @Arg('filter', () => TeamFilter, { nullable: true, description: 'Narrows the list.' }) filter?: TeamFilter,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listTeams(ctx, filter ?? {}, { first, after }));
  }

  @Query(() => Team, { description: 'One team, if the caller may see it.' })
  team(@Ctx() ctx: GqlContext, @Arg('id', () => ID, { description: 'The team_id.' }) id: string) {
    return getTeam(ctx, id);
  }

  @Mutation(() => Team, { description: 'Create a team (proxy_admin); default_team_params fill unset fields except models.' })
  createTeam(@Ctx() ctx: GqlContext, @Arg('input', () => CreateTeamInput, { description: 'The operation input.' }) input: CreateTeamInput) {
    return createTeam(ctx, { ...teamFields(input), teamId: input.teamId, members: input.members });
  }

  @Mutation(() => Team, { description: 'Change team settings or budget (proxy_admin).' })
  updateTeam(@Ctx() ctx: GqlContext, @Arg('input', () => UpdateTeamInput, { description: 'The operation input.' }) input: UpdateTeamInput) {
    return updateTeam(ctx, input.teamId, teamFields(input));
  }

  @Mutation(() => DeleteTeamPayload, { description: 'Delete a team with its keys and memberships (proxy_admin).' })
  async deleteTeam(@Ctx() ctx: GqlContext, @Arg('input', () => DeleteTeamInput, { description: 'The operation input.' }) input: DeleteTeamInput) {
    const { team, keyIds } = await deleteTeam(ctx, input.teamId);
    return { teamId: team.id, deletedKeyIds: keyIds };
  }

  @Mutation(() => TeamMembership, { description: 'Add an existing user to a team (proxy_admin or team admin).' })
  addTeamMember(@Ctx() ctx: GqlContext, @Arg('input', () => AddTeamMemberInput, { description: 'The operation input.' }) input: AddTeamMemberInput) {
    return addMember(ctx, input);
  }

  @Mutation(() => TeamMembership, { description: "Change a member's team role or budget (proxy_admin or team admin)." })
  updateTeamMember(@Ctx() ctx: GqlContext, @Arg('input', () => UpdateTeamMemberInput, { description: 'The operation input.' }) input: UpdateTeamMemberInput) {
    return updateMember(ctx, input);
  }

  @Mutation(() => RemoveTeamMemberPayload, { description: 'Remove a member (proxy_admin or team admin).' })
  async removeTeamMember(@Ctx() ctx: GqlContext, @Arg('input', () => RemoveTeamMemberInput, { description: 'The operation input.' }) input: RemoveTeamMemberInput) {
    const { membership, blockedKeyIds } = await removeMember(ctx, input);
    return { teamId: input.teamId, userId: membership.user.id, blockedKeyIds };
  }

  @FieldResolver(() => String, { nullable: true, description: 'Display name (LiteLLM `team_alias`).' })
  teamAlias(@Root() team: Team) {
    return team.alias;
  }

  @FieldResolver(() => [TeamMembership], { description: 'Members the caller may see.' })
  members(@Root() team: Team, @Ctx() ctx: GqlContext) {
    return listMembers(ctx, team.id);
  }

  @FieldResolver(() => KeyConnectionForUser, { description: 'Keys of this team that the caller may see.' })
  async keys(
    @Root() team: Team,
    @Ctx() ctx: GqlContext,
    @Arg('first', () => Int, { nullable: true, description: 'Page size (max 100, default 25).' }) first?: number,
    @Arg('after', () => String, { nullable: true, description: 'Cursor to continue after.' }) after?: string,
  ) {
    return toConnection(await listKeys(ctx, { teamId: team.id }, { first, after }));
  }
}

@Resolver(() => TeamMembership)
export class TeamMemberResolver {
  @FieldResolver(() => ID, { description: 'User id of the member.' })
  userId(@Root() m: TeamMembership) {
    return m.user.id;
  }

  @FieldResolver(() => ID, { description: 'Team id.' })
  teamId(@Root() m: TeamMembership) {
    return m.team.id;
  }

  // the member's figures: null unless the caller is the member, a team admin or a platform admin
  @FieldResolver(() => Float, { nullable: true, description: `Spend in USD in the current budget window. ${HIDDEN}` })
  spend(@Root() m: TeamMembership, @Ctx() ctx: GqlContext) {
    return memberBudget(ctx, m).spend;
  }

  @FieldResolver(() => Float, { nullable: true, description: `Member budget in USD (\`max_budget_in_team\`); null = no limit. ${HIDDEN}` })
  maxBudget(@Root() m: TeamMembership, @Ctx() ctx: GqlContext) {
    return memberBudget(ctx, m).maxBudget;
  }

  @FieldResolver(() => Float, { nullable: true, description: `Soft budget in USD: crossing it alerts, never blocks. ${HIDDEN}` })
  softBudget(@Root() m: TeamMembership, @Ctx() ctx: GqlContext) {
    return memberBudget(ctx, m).softBudget;
  }

  @FieldResolver(() => String, { nullable: true, description: `How often the member budget resets (e.g. 30d, 1mo); null = never. ${HIDDEN}` })
  budgetDuration(@Root() m: TeamMembership, @Ctx() ctx: GqlContext) {
    return memberBudget(ctx, m).budgetDuration;
  }

  @FieldResolver(() => GraphQLISODateTime, { nullable: true, description: `When the member budget resets next (UTC). ${HIDDEN}` })
  budgetResetAt(@Root() m: TeamMembership, @Ctx() ctx: GqlContext) {
    return memberBudget(ctx, m).budgetResetAt;
  }

  @FieldResolver(() => User, { nullable: true, description: 'The member, if the caller may see that user.' })
  user(@Root() m: TeamMembership, @Ctx() ctx: GqlContext) {
    return visibleUser(ctx, m.user.id);
  }

  @FieldResolver(() => Team, { nullable: true, description: 'The team, if the caller may see it.' })
  team(@Root() m: TeamMembership, @Ctx() ctx: GqlContext) {
    return visibleTeam(ctx, m.team.id);
  }
}
