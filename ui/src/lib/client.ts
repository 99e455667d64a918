import { Client, cacheExchange, fetchExchange } from '@urql/core';

/** Same-origin GraphQL endpoint served by the Purser API. */
export const GRAPHQL_URL = '/graphql';

/**
 * Creates the urql client used by the dashboard.
 *
 * - POST only: the API's CSRF prevention rejects GET operations.
 * - `credentials: 'same-origin'` so the session cookie set by `/v2/login` is sent.
 */
export function createPurserClient(): Client {
  return new Client({
    url: GRAPHQL_URL,
    preferGetMethod: false,
    fetchOptions: { credentials: 'same-origin' },
    exchanges: [cacheExchange, fetchExchange],
  });
}
