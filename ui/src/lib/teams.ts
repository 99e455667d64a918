import type { Client } from '@urql/core';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { toast } from 'svelte-sonner';
import { dataOrToast } from '$lib/errors';
import { graphql } from '$lib/graphql';

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
  mutation CreateTeam($alias: String!, $maxBudget: Float, $budgetDuration: String) {
    createTeam(input: { teamAlias: $alias, maxBudget: $maxBudget, budgetDuration: $budgetDuration }) {
      id
      teamAlias
    }
  }
`);

const AddTeamMemberMutation = graphql(`
  mutation AddTeamMember($teamId: ID!, $email: String!) {
    addTeamMember(input: { teamId: $teamId, email: $email }) {
      userId
      teamId
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

export async function createTeam(client: Client, alias: string, maxBudget: number | null, budgetDuration: string | null): Promise<string | null> {
  const data = dataOrToast(await client.mutation(CreateTeamMutation, { alias, maxBudget, budgetDuration }, { additionalTypenames: ['Team'] }).toPromise());
  if (!data) return null;
  toast.success(`Team ${data.createTeam.teamAlias ?? data.createTeam.id} created`);
  return data.createTeam.id;
}

export async function addTeamMember(client: Client, teamId: string, email: string): Promise<boolean> {
  const data = dataOrToast(await client.mutation(AddTeamMemberMutation, { teamId, email }, { additionalTypenames: ['Team', 'TeamMember'] }).toPromise());
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
