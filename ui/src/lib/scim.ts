import type { Client } from '@urql/core';
import { toast } from 'svelte-sonner';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { dataOrMessage, dataOrToast } from '$lib/errors';
import { graphql } from '$lib/graphql';

/** The SCIM page: where the IdP sends requests, and the tokens it may use (newest first). */
export const ScimTokensQuery = graphql(`
  query ScimTokens {
    scimBaseUrl
    scimTokens {
      id
      name
      hint
      createdAt
      lastUsedAt
      revokedAt
      createdBy
      createdByUser {
        email
      }
    }
  }
`);
export type ScimTokenRow = ResultOf<typeof ScimTokensQuery>['scimTokens'][number];

const CreateScimTokenMutation = graphql(`
  mutation CreateScimToken($name: String!) {
    createScimToken(input: { name: $name }) {
      secret
      baseUrl
      token {
        id
        name
      }
    }
  }
`);

const RevokeScimTokenMutation = graphql(`
  mutation RevokeScimToken($id: ID!) {
    revokeScimToken(input: { id: $id }) {
      id
      revokedAt
    }
  }
`);

/** A new token: its secret (shown once) and the base URL, or the API's refusal for the form. */
export async function createScimToken(client: Client, name: string): Promise<{ ok: true; secret: string; baseUrl: string } | { ok: false; message: string }> {
  const r = dataOrMessage(await client.mutation(CreateScimTokenMutation, { name }, { additionalTypenames: ['ScimToken'] }).toPromise());
  if (!r.ok) return r;
  toast.success(`SCIM token ${r.data.createScimToken.token.name} created`);
  return { ok: true, secret: r.data.createScimToken.secret, baseUrl: r.data.createScimToken.baseUrl };
}

export async function revokeScimToken(client: Client, token: Pick<ScimTokenRow, 'id' | 'name'>): Promise<boolean> {
  const data = dataOrToast(await client.mutation(RevokeScimTokenMutation, { id: token.id }, { additionalTypenames: ['ScimToken'] }).toPromise());
  if (!data) return false;
  toast.success(`SCIM token ${token.name} revoked`);
  return true;
}
