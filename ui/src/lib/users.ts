import type { Client } from '@urql/core';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { toast } from 'svelte-sonner';
import { dataOrToast } from '$lib/errors';
import { graphql } from '$lib/graphql';

export const PAGE_SIZE = 25;

export const UsersQuery = graphql(`
  query Users($first: Int, $after: String, $filter: UserFilter) {
    users(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          email
          alias
          userRole
          spend
          maxBudget
          hasPassword
          ssoId
          lastSignInAt
          teams {
            teamId
            role
            team {
              teamAlias
            }
          }
        }
      }
    }
  }
`);
export type UserRow = ResultOf<typeof UsersQuery>['users']['edges'][number]['node'];

/** Teams to offer in the invite dialog. */
export const TeamChoicesQuery = graphql(`
  query TeamChoices {
    teams(first: 100) {
      edges {
        node {
          id
          teamAlias
        }
      }
    }
  }
`);

const InviteUserMutation = graphql(`
  mutation InviteUser($input: InviteUserInput!) {
    inviteUser(input: $input) {
      link
      emailSent
      invitation {
        id
        emailError
      }
    }
  }
`);
export type Invite = VariablesOf<typeof InviteUserMutation>['input'];
export type IssuedInvite = ResultOf<typeof InviteUserMutation>['inviteUser'];

export const InvitationsQuery = graphql(`
  query Invitations($first: Int, $after: String, $filter: InvitationFilter) {
    invitations(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          kind
          status
          createdAt
          expiresAt
          emailSentAt
          userId
          user {
            email
            userRole
          }
        }
      }
    }
  }
`);
export type InvitationRow = ResultOf<typeof InvitationsQuery>['invitations']['edges'][number]['node'];

const ResendInvitationMutation = graphql(`
  mutation ResendInvitation($id: ID!) {
    resendInvitation(input: { id: $id }) {
      link
      emailSent
      invitation {
        id
        emailError
      }
    }
  }
`);

const RevokeInvitationMutation = graphql(`
  mutation RevokeInvitation($id: ID!) {
    revokeInvitation(input: { id: $id }) {
      id
      status
    }
  }
`);

/** Creates the user and their invitation; the link comes back once. */
export async function inviteUser(client: Client, input: Invite): Promise<IssuedInvite | null> {
  const data = dataOrToast(await client.mutation(InviteUserMutation, { input }, { additionalTypenames: ['User', 'Invitation'] }).toPromise());
  if (!data) return null;
  toast.success(`Invitation for ${input.email} created`);
  return data.inviteUser;
}

/** A new link for the invitation; the old one stops working. */
export async function resendInvitation(client: Client, id: string): Promise<IssuedInvite | null> {
  const data = dataOrToast(await client.mutation(ResendInvitationMutation, { id }, { additionalTypenames: ['Invitation'] }).toPromise());
  if (!data) return null;
  toast.success('New invitation link issued; the old one no longer works');
  return data.resendInvitation;
}

export async function revokeInvitation(client: Client, id: string): Promise<boolean> {
  const data = dataOrToast(await client.mutation(RevokeInvitationMutation, { id }, { additionalTypenames: ['Invitation'] }).toPromise());
  if (!data) return false;
  toast.success('Invitation revoked');
  return true;
}

/** How the person signs in: password, SSO, or not yet. */
export const signInMethod = (u: Pick<UserRow, 'hasPassword' | 'ssoId'>): string => (u.ssoId ? (u.hasPassword ? 'SSO + password' : 'SSO') : u.hasPassword ? 'Password' : 'None yet');

/** One user with what their page shows (keys and usage come from their own queries). */
export const UserQuery = graphql(`
  query User($id: ID!) {
    user(id: $id) {
      id
      email
      alias
      userRole
      spend
      maxBudget
      budgetDuration
      budgetResetAt
      models
      hasPassword
      ssoId
      lastSignInAt
      createdAt
      teams {
        teamId
        role
        team {
          teamAlias
        }
      }
      keys(first: 1) {
        totalCount
      }
    }
  }
`);
export type UserDetail = ResultOf<typeof UserQuery>['user'];

const UpdateUserMutation = graphql(`
  mutation UpdateUser($input: UpdateUserInput!) {
    updateUser(input: $input) {
      id
      userRole
      maxBudget
      budgetDuration
      budgetResetAt
    }
  }
`);
export type UserChange = VariablesOf<typeof UpdateUserMutation>['input'];

const CreateUserMutation = graphql(`
  mutation CreateUser($input: CreateUserInput!) {
    createUser(input: $input) {
      id
      email
    }
  }
`);
export type NewUser = VariablesOf<typeof CreateUserMutation>['input'];

const DeleteUserMutation = graphql(`
  mutation DeleteUser($userId: ID!) {
    deleteUser(input: { userId: $userId }) {
      userId
      deletedKeyIds
    }
  }
`);

const SendPasswordResetMutation = graphql(`
  mutation SendPasswordReset($input: SendPasswordResetInput!) {
    sendPasswordReset(input: $input) {
      link
      emailSent
      invitation {
        id
        emailError
      }
    }
  }
`);

const who = (u: { email?: string | null; id: string }) => u.email ?? u.id;

/** Changes role, budget or budget period of another user. */
export async function updateUser(client: Client, input: UserChange, label: string): Promise<boolean> {
  const data = dataOrToast(await client.mutation(UpdateUserMutation, { input }, { additionalTypenames: ['User'] }).toPromise());
  if (!data) return false;
  toast.success(`${label} updated`);
  return true;
}

/** Creates a user directly (no invitation); a password is optional, a reset link can follow. */
export async function createUser(client: Client, input: NewUser): Promise<{ id: string } | null> {
  const data = dataOrToast(await client.mutation(CreateUserMutation, { input }, { additionalTypenames: ['User'] }).toPromise());
  if (!data) return null;
  toast.success(`User ${data.createUser.email ?? data.createUser.id} created`);
  return data.createUser;
}

/** Deletes the user with their keys and memberships; their spend rows stay. */
export async function deleteUser(client: Client, user: { email?: string | null; id: string }): Promise<boolean> {
  const data = dataOrToast(await client.mutation(DeleteUserMutation, { userId: user.id }, { additionalTypenames: ['User', 'VirtualKey', 'Team'] }).toPromise());
  if (!data) return false;
  const n = data.deleteUser.deletedKeyIds.length;
  toast.success(`User ${who(user)} deleted${n ? ` with ${n} key${n === 1 ? '' : 's'}` : ''}`);
  return true;
}

/** A password-reset link for the user (shown once; emailed when asked and possible). */
export async function sendPasswordReset(client: Client, userId: string, sendEmail: boolean): Promise<IssuedInvite | null> {
  const data = dataOrToast(await client.mutation(SendPasswordResetMutation, { input: { userId, sendEmail } }, { additionalTypenames: ['Invitation'] }).toPromise());
  if (!data) return null;
  toast.success('Password-reset link issued');
  return data.sendPasswordReset;
}

