import type { Client } from '@urql/core';
import { toast } from 'svelte-sonner';
import { dataOrMessage, dataOrToast } from '$lib/errors';
import { graphql } from '$lib/graphql';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';

export const PAGE_SIZE = 25;

/** One page of the keys the caller may see (the server scopes: admins all, others own/team). */
export const KeysQuery = graphql(`
  query Keys($first: Int, $after: String, $filter: KeyFilter) {
    keys(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          keyAlias
          keyName
          userId
          teamId
          blocked
          expires
          spend
          maxBudget
          lastUsedAt
          createdAt
          models
          user {
            email
          }
          team {
            teamAlias
          }
        }
      }
    }
  }
`);

export type KeyRow = ResultOf<typeof KeysQuery>['keys']['edges'][number]['node'];
export type KeyOptions = ResultOf<typeof KeyCreationOptionsQuery>['keyCreationOptions'];

/** What the Create key dialog may offer this caller. */
export const KeyCreationOptionsQuery = graphql(`
  query KeyCreationOptions {
    keyCreationOptions {
      forOtherUsers
      personal {
        allowed
        reason
        models
        maxBudgetCeiling
        requiredParams
      }
      teams {
        teamId
        teamAlias
        teamRole
        allowed
        reason
        models
        maxBudgetCeiling
        requiredParams
      }
      upperBounds {
        maxBudget
        budgetDuration
        duration
        rpmLimit
        tpmLimit
        maxParallelRequests
      }
      defaults {
        maxBudget
        budgetDuration
        duration
      }
    }
  }
`);

/** What a regeneration may give the old secret (general_settings.key_rotation_*). */
export const KeyRotationOptionsQuery = graphql(`
  query KeyRotationOptions {
    keyCreationOptions {
      rotation {
        maxGracePeriod
        gracePeriodChoices
        scheduledGracePeriod
      }
    }
  }
`);
export type RotationOptions = ResultOf<typeof KeyRotationOptionsQuery>['keyCreationOptions']['rotation'];

const GenerateKeyMutation = graphql(`
  mutation GenerateKey($input: GenerateKeyInput!) {
    generateKey(input: $input) {
      secret
      key {
        id
        keyAlias
        keyName
      }
    }
  }
`);

const DeleteKeyMutation = graphql(`
  mutation DeleteKey($id: ID!) {
    deleteKey(input: { id: $id }) {
      id
    }
  }
`);

export type KeyStatus = 'active' | 'blocked' | 'expired';

export function keyStatus(key: Pick<KeyRow, 'blocked' | 'expires'>, now = Date.now()): KeyStatus {
  if (key.blocked) return 'blocked';
  if (key.expires && new Date(key.expires).getTime() <= now) return 'expired';
  return 'active';
}

/** Mints a key; returns the secret (shown once) or null after a toast with the API's message. */
export type NewKey = VariablesOf<typeof GenerateKeyMutation>['input'];

export async function createKey(client: Client, input: NewKey): Promise<{ secret: string; alias: string | null } | null> {
  const data = dataOrToast(await client.mutation(GenerateKeyMutation, { input }, { additionalTypenames: ['VirtualKey'] }).toPromise());
  if (!data) return null;
  toast.success(`Key ${data.generateKey.key.keyAlias ?? data.generateKey.key.keyName} created`);
  return { secret: data.generateKey.secret, alias: data.generateKey.key.keyAlias ?? null };
}

export async function deleteKey(client: Client, key: Pick<KeyRow, 'id' | 'keyAlias' | 'keyName'>): Promise<boolean> {
  const data = dataOrToast(await client.mutation(DeleteKeyMutation, { id: key.id }, { additionalTypenames: ['VirtualKey'] }).toPromise());
  if (!data) return false;
  toast.success(`Key ${key.keyAlias ?? key.keyName} deleted`);
  return true;
}

/** One key with everything its page shows, including what stops a call now. */
export const KeyQuery = graphql(`
  query Key($id: ID!) {
    key(id: $id) {
      id
      keyAlias
      keyName
      userId
      teamId
      blocked
      expires
      rotatingUntil
      autoRotate
      rotationInterval
      nextRotationAt
      spend
      maxBudget
      softBudget
      budgetDuration
      budgetResetAt
      rpmLimit
      tpmLimit
      maxParallelRequests
      models
      lastUsedAt
      createdAt
      user {
        email
      }
      team {
        teamAlias
      }
      limits {
        callable
        refusal
        caps {
          kind
          scope
          label
          limit
          used
          reserved
          remaining
          resetsAt
          refuses
          message
          runway {
            status
            dailyRate
            exhaustedAt
            beforeReset
            daysLeft
          }
        }
      }
    }
  }
`);
export type KeyDetail = ResultOf<typeof KeyQuery>['key'];

const UpdateKeyMutation = graphql(`
  mutation UpdateKey($input: UpdateKeyInput!) {
    updateKey(input: $input) {
      id
      keyAlias
    }
  }
`);
export type KeyChanges = VariablesOf<typeof UpdateKeyMutation>['input'];

const RegenerateKeyMutation = graphql(`
  mutation RegenerateKey($id: ID!, $gracePeriod: String) {
    regenerateKey(input: { id: $id, gracePeriod: $gracePeriod }) {
      secret
      key {
        id
        keyName
        rotatingUntil
      }
    }
  }
`);

const BlockKeyMutation = graphql(`
  mutation BlockKey($id: ID!) {
    blockKey(input: { id: $id }) {
      id
      blocked
    }
  }
`);

const UnblockKeyMutation = graphql(`
  mutation UnblockKey($id: ID!) {
    unblockKey(input: { id: $id }) {
      id
      blocked
    }
  }
`);

const keyName = (k: Pick<KeyDetail, 'keyAlias' | 'keyName'>) => k.keyAlias ?? k.keyName;

/** Saves edits through updateKey (the API checks bounds and ceilings again). */
export async function saveKey(client: Client, input: KeyChanges): Promise<boolean> {
  const data = dataOrToast(await client.mutation(UpdateKeyMutation, { input }, { additionalTypenames: ['VirtualKey'] }).toPromise());
  if (!data) return false;
  toast.success(`Key ${data.updateKey.keyAlias ?? 'settings'} saved`);
  return true;
}

export type Rotated = { ok: true; secret: string; rotatingUntil: string | null } | { ok: false; message: string };

/**
 * A new secret for the key (shown once). The old one stops at once, or keeps working for
 * `gracePeriod` (null = none); a refusal comes back as the API's message for the form.
 */
export async function rotateKey(client: Client, key: Pick<KeyDetail, 'id' | 'keyAlias' | 'keyName'>, gracePeriod: string | null = null): Promise<Rotated> {
  const r = dataOrMessage(await client.mutation(RegenerateKeyMutation, { id: key.id, gracePeriod }, { additionalTypenames: ['VirtualKey'] }).toPromise());
  if (!r.ok) return r;
  toast.success(`Key ${keyName(key)} regenerated`);
  return { ok: true, secret: r.data.regenerateKey.secret, rotatingUntil: r.data.regenerateKey.key.rotatingUntil ?? null };
}

const UpdateRotationMutation = graphql(`
  mutation UpdateKeyRotation($input: UpdateKeyInput!) {
    updateKey(input: $input) {
      id
      autoRotate
      rotationInterval
      nextRotationAt
    }
  }
`);

/** Turns scheduled rotation on or off (updateKey checks the interval); the API's refusal for the form. */
export async function saveRotationSchedule(client: Client, key: Pick<KeyDetail, 'id' | 'keyAlias' | 'keyName'>, autoRotate: boolean, rotationInterval: string | null): Promise<{ ok: true } | { ok: false; message: string }> {
  const r = dataOrMessage(await client.mutation(UpdateRotationMutation, { input: { id: key.id, autoRotate, rotationInterval } }, { additionalTypenames: ['VirtualKey'] }).toPromise());
  if (!r.ok) return r;
  toast.success(autoRotate ? `Key ${keyName(key)} rotates every ${r.data.updateKey.rotationInterval}` : `Scheduled rotation of ${keyName(key)} turned off`);
  return { ok: true };
}

export async function setBlocked(client: Client, key: Pick<KeyDetail, 'id' | 'keyAlias' | 'keyName'>, blocked: boolean): Promise<boolean> {
  const result = blocked
    ? await client.mutation(BlockKeyMutation, { id: key.id }, { additionalTypenames: ['VirtualKey'] }).toPromise()
    : await client.mutation(UnblockKeyMutation, { id: key.id }, { additionalTypenames: ['VirtualKey'] }).toPromise();
  if (!dataOrToast<unknown>(result)) return false;
  toast.success(`Key ${keyName(key)} ${blocked ? 'blocked' : 'unblocked'}`);
  return true;
}

/** Models the caller may use, with where (personal keys, which teams). */
export const ModelsQuery = graphql(`
  query Models {
    models {
      id
      personal
      teamIds
    }
  }
`);
