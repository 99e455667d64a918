import type { Client } from '@urql/core';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { toast } from 'svelte-sonner';
import { dataOrToast } from '$lib/errors';
import { graphql } from '$lib/graphql';
import type { TeamRole } from '$lib/graphql/graphql';
import { teamRoleLabel } from '$lib/roles';

export const TeamsQuery = graphql(`
  query Teams($first: Int, $after: String) {
    teams(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          teamAlias
          spend
          maxBudget
          budgetDuration
          models
          blocked
          members {
            userId
          }
        }
      }
    }
  }
`);

export const TeamQuery = graphql(`
  query Team($id: ID!) {
    team(id: $id) {
      id
      teamAlias
      spend
      maxBudget
      budgetDuration
      budgetResetAt
      models
      rpmLimit
      tpmLimit
      blocked
      members {
        userId
        role
        source
        spend
        maxBudget
        user {
          email
          alias
        }
      }
    }
  }
`);
export type TeamDetail = ResultOf<typeof TeamQuery>['team'];

const CreateTeamMutation = graphql(`
  mutation CreateTeam($input: CreateTeamInput!) {
    createTeam(input: $input) {
      id
      teamAlias
    }
  }
`);

const AddTeamMemberMutation = graphql(`
  mutation AddTeamMember($teamId: ID!, $email: String!, $role: TeamRole) {
    addTeamMember(input: { teamId: $teamId, email: $email, role: $role }) {
      userId
      teamId
    }
  }
`);

const UpdateTeamMutation = graphql(`
  mutation UpdateTeam($input: UpdateTeamInput!) {
    updateTeam(input: $input) {
      id
      teamAlias
      maxBudget
      budgetDuration
      budgetResetAt
      models
      rpmLimit
      tpmLimit
      blocked
    }
  }
`);
export type TeamChanges = VariablesOf<typeof UpdateTeamMutation>['input'];

const UpdateTeamMemberMutation = graphql(`
  mutation UpdateTeamMember($teamId: ID!, $userId: ID!, $role: TeamRole!) {
    updateTeamMember(input: { teamId: $teamId, userId: $userId, role: $role }) {
      userId
      teamId
      role
    }
  }
`);

/** The team's spend and calls over the last days, for the team page's usage card. */
export const TeamUsageQuery = graphql(`
  query TeamUsage($filter: UsageFilter!) {
    usage(filter: $filter) {
      totals {
        spend
        requests
        totalTokens
      }
    }
  }
`);

const RemoveTeamMemberMutation = graphql(`
  mutation RemoveTeamMember($teamId: ID!, $userId: ID!) {
    removeTeamMember(input: { teamId: $teamId, userId: $userId }) {
      userId
      blockedKeyIds
    }
  }
`);

export type NewTeam = VariablesOf<typeof CreateTeamMutation>['input'];

export async function createTeam(client: Client, input: NewTeam): Promise<string | null> {
  const data = dataOrToast(await client.mutation(CreateTeamMutation, { input }, { additionalTypenames: ['Team'] }).toPromise());
  if (!data) return null;
  toast.success(`Team ${data.createTeam.teamAlias ?? data.createTeam.id} created`);
  return data.createTeam.id;
}

export async function addTeamMember(client: Client, teamId: string, email: string, role: string | null = null): Promise<boolean> {
  const data = dataOrToast(await client.mutation(AddTeamMemberMutation, { teamId, email, role: (role || null) as TeamRole | null }, { additionalTypenames: ['Team', 'TeamMember'] }).toPromise());
  if (!data) return false;
  toast.success(`${email} added to the team`);
  return true;
}

export async function removeTeamMember(client: Client, teamId: string, userId: string, label: string): Promise<boolean> {
  const data = dataOrToast(await client.mutation(RemoveTeamMemberMutation, { teamId, userId }, { additionalTypenames: ['Team', 'TeamMember'] }).toPromise());
  if (!data) return false;
  const blocked = data.removeTeamMember.blockedKeyIds.length;
  toast.success(`${label} removed${blocked ? `; ${blocked} of their team keys blocked` : ''}`);
  return true;
}

/** Saves team settings (admins); the API checks every bound again. */
export async function saveTeam(client: Client, input: TeamChanges): Promise<boolean> {
  const data = dataOrToast(await client.mutation(UpdateTeamMutation, { input }, { additionalTypenames: ['Team'] }).toPromise());
  if (!data) return false;
  toast.success(`Team ${data.updateTeam.teamAlias ?? data.updateTeam.id} saved`);
  return true;
}

/** Blocks or unblocks every key of the team at once. */
export async function setTeamBlocked(client: Client, teamId: string, blocked: boolean): Promise<boolean> {
  const data = dataOrToast(await client.mutation(UpdateTeamMutation, { input: { teamId, blocked } }, { additionalTypenames: ['Team'] }).toPromise());
  if (!data) return false;
  toast.success(`Team ${data.updateTeam.teamAlias ?? teamId} ${blocked ? 'blocked: its keys are refused' : 'unblocked'}`);
  return true;
}

export async function changeMemberRole(client: Client, teamId: string, userId: string, role: string, label: string): Promise<boolean> {
  const data = dataOrToast(await client.mutation(UpdateTeamMemberMutation, { teamId, userId, role: role as TeamRole }, { additionalTypenames: ['Team', 'TeamMember'] }).toPromise());
  if (!data) return false;
  toast.success(`${label} is now ${teamRoleLabel(data.updateTeamMember.role).toLowerCase()}`);
  return true;
}
