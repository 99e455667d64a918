import type { Client } from '@urql/core';
import type { ActionResult } from '$lib/errors';
import { errorMessage } from '$lib/errors';
import { graphql } from '$lib/graphql';

const ChangePasswordMutation = graphql(`
  mutation ChangePassword($input: ChangePasswordInput!) {
    changePassword(input: $input)
  }
`);

/** Changes the signed-in user's password; the server ends their other sessions. */
export async function changePassword(client: Client, currentPassword: string, newPassword: string): Promise<ActionResult> {
  const result = await client.mutation(ChangePasswordMutation, { input: { currentPassword, newPassword } }).toPromise();
  if (result.error) return { ok: false, message: errorMessage(result.error) };
  if (result.data?.changePassword !== true) return { ok: false, message: 'The password was not changed.' };
  return { ok: true };
}
