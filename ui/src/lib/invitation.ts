import type { Client } from '@urql/core';
import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import type { ActionResult } from '$lib/errors';
import { errorMessage } from '$lib/errors';
import { graphql } from '$lib/graphql';
import type { InvitationQuery as InvitationQueryResult } from '$lib/graphql/graphql';

/** Anonymous: whose invitation a token is and whether it can still be used. */
export const InvitationQuery = graphql(`
  query Invitation($token: String!) {
    invitation(token: $token) {
      email
      userAlias
      kind
      status
      valid
      expiresAt
    }
  }
`);

const AcceptInvitationMutation = graphql(`
  mutation AcceptInvitation($input: AcceptInvitationInput!) {
    acceptInvitation(input: $input) {
      user {
        id
      }
    }
  }
`);

export type InvitationInfo = NonNullable<InvitationQueryResult['invitation']>;

/** Why an invitation link cannot be used, or null when it can. */
export function invitationProblem(info: InvitationInfo | null | undefined): string | null {
  if (!info) return 'This invitation link is not valid. Check that you copied the whole link, or ask your admin for a new one.';
  if (info.valid) return null;
  switch (info.status) {
    case 'used':
      return 'This invitation link was already used. Sign in, or ask your admin for a password reset.';
    case 'expired':
      return 'This invitation link has expired. Ask your admin to resend it.';
    case 'revoked':
      return 'This invitation link was revoked. Ask your admin for a new one.';
    default:
      return 'This invitation link can no longer be used. Ask your admin for a new one.';
  }
}

/**
 * Sets the password with the invitation token; the server signs the person in (session cookie),
 * so on success we go to the dashboard home.
 */
export async function acceptInvitation(client: Client, token: string, password: string): Promise<ActionResult> {
  const result = await client.mutation(AcceptInvitationMutation, { input: { token, password } }).toPromise();
  if (result.error || !result.data) {
    return { ok: false, message: result.error ? errorMessage(result.error) : 'No data returned.' };
  }
  await goto(resolve('/keys'), { replaceState: true, invalidateAll: true });
  return { ok: true };
}
