import type { Client } from '@urql/core';
import { errorMessage } from '$lib/errors';
import { graphql } from '$lib/graphql';

const ClaimRotatedKeyMutation = graphql(`
  mutation ClaimRotatedKey($input: ClaimRotatedKeyInput!) {
    claimRotatedKey(input: $input) {
      secret
      key {
        id
        keyName
        keyAlias
      }
    }
  }
`);

export type ClaimResult =
  | { ok: true; secret: string; keyName: string; keyAlias: string | null }
  | { ok: false; message: string };

/**
 * Takes a scheduled rotation's new secret with the mailed link's token: works once. Called on a
 * click, never on page load, so a mail scanner that opens links does not use it up.
 */
export async function claimRotatedKey(client: Client, token: string): Promise<ClaimResult> {
  const r = await client.mutation(ClaimRotatedKeyMutation, { input: { token } }).toPromise();
  if (r.error || !r.data) return { ok: false, message: r.error ? errorMessage(r.error) : 'No data returned.' };
  const c = r.data.claimRotatedKey;
  return { ok: true, secret: c.secret, keyName: c.key.keyName, keyAlias: c.key.keyAlias ?? null };
}
