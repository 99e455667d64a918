import type { CombinedError } from '@urql/core';

/** Outcome of a form action: done, or a message to show next to the form. */
export type ActionResult = { ok: true } | { ok: false; message: string };

/**
 * The text to show for a failed GraphQL operation: the server's own message (e.g. the
 * BAD_USER_INPUT reason a password was refused), or a generic line for network trouble.
 */
export function errorMessage(error: CombinedError): string {
  const first = error.graphQLErrors[0];
  if (first?.message) return first.message;
  if (error.networkError) return 'Could not reach the server. Please try again.';
  return 'Something went wrong. Please try again.';
}
