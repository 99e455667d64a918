import type { Client } from '@urql/core';
import { toast } from 'svelte-sonner';
import type { ResultOf, VariablesOf } from '@graphql-typed-document-node/core';
import { dataOrMessage, dataOrToast } from '$lib/errors';
import { graphql } from '$lib/graphql';

export const PAGE_SIZE = 25;

/** One page of customers (LiteLLM end users), oldest first, with what bounds them and their runway. */
export const CustomersQuery = graphql(`
  query Customers($first: Int, $after: String) {
    customers(first: $first, after: $after) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          alias
          blocked
          spend
          maxBudget
          ownMaxBudget
          budgetDuration
          ownBudgetDuration
          budgetResetAt
          budget {
            id
          }
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
export type CustomerRow = ResultOf<typeof CustomersQuery>['customers']['edges'][number]['node'];

const CreateCustomerMutation = graphql(`
  mutation CreateCustomer($input: CreateCustomerInput!) {
    createCustomer(input: $input) {
      id
    }
  }
`);
export type NewCustomer = VariablesOf<typeof CreateCustomerMutation>['input'];

const UpdateCustomerMutation = graphql(`
  mutation UpdateCustomer($input: UpdateCustomerInput!) {
    updateCustomer(input: $input) {
      id
      blocked
    }
  }
`);
export type CustomerChanges = VariablesOf<typeof UpdateCustomerMutation>['input'];

const label = (c: { id: string | number; alias?: string | null }) => c.alias ?? String(c.id);

/** Creates a customer; the API's refusal comes back for the form. */
export async function createCustomer(client: Client, input: NewCustomer): Promise<{ ok: true } | { ok: false; message: string }> {
  const r = dataOrMessage(await client.mutation(CreateCustomerMutation, { input }, { additionalTypenames: ['Customer'] }).toPromise());
  if (!r.ok) return r;
  toast.success(`Customer ${label({ id: input.customerId, alias: input.alias })} created`);
  return { ok: true };
}

export async function saveCustomer(client: Client, input: CustomerChanges): Promise<{ ok: true } | { ok: false; message: string }> {
  const r = dataOrMessage(await client.mutation(UpdateCustomerMutation, { input }, { additionalTypenames: ['Customer'] }).toPromise());
  if (!r.ok) return r;
  toast.success(`Customer ${label({ id: input.customerId, alias: input.alias })} saved`);
  return { ok: true };
}

/** Block or unblock: every call naming a blocked customer is refused. */
export async function setCustomerBlocked(client: Client, c: Pick<CustomerRow, 'id' | 'alias'>, blocked: boolean): Promise<boolean> {
  const data = dataOrToast(await client.mutation(UpdateCustomerMutation, { input: { customerId: c.id, blocked } }, { additionalTypenames: ['Customer'] }).toPromise());
  if (!data) return false;
  toast.success(`Customer ${label(c)} ${blocked ? 'blocked' : 'unblocked'}`);
  return true;
}
