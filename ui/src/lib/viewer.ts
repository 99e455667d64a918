import { getContext, setContext } from 'svelte';
import { graphql } from '$lib/graphql';
import type { ResultOf } from '@graphql-typed-document-node/core';

/** Who is signed in and what they may do: read once by the app layout, shared by context. */
export const MeQuery = graphql(`
  query Me {
    me {
      authMethod
      permissions {
        operation
        scope
        teamIds
      }
      user {
        id
        email
        alias
        userRole
        maxBudget
        personalSpend
        budgetResetAt
      }
    }
  }
`);

export type Viewer = ResultOf<typeof MeQuery>['me'];

const KEY = Symbol('viewer');

export function setViewer(holder: { current: Viewer }) {
  setContext(KEY, holder);
}

/** The signed-in viewer; only inside the signed-in layout. */
export function useViewer(): { current: Viewer } {
  return getContext(KEY);
}
