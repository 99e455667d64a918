import type { CombinedError } from '@urql/core';
import { toast } from 'svelte-sonner';

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

/** The one error handler of UI actions: the API's message, in a toast. */
export function showError(error: CombinedError | undefined, fallback = 'Something went wrong. Please try again.'): void {
  toast.error(error ? errorMessage(error) : fallback);
}

/** The same handler for failures that are not GraphQL's (the gateway's own error text). */
export function showFailure(message: string): void {
  toast.error(message);
}

/**
 * Runs a mutation result through the handler: the data when it worked, null (and a toast with
 * the API's message) when it did not.
 */
export function dataOrToast<T>(result: { data?: T | null; error?: CombinedError }): T | null {
  if (result.error || !result.data) {
    showError(result.error, 'No data returned.');
    return null;
  }
  return result.data;
}

/**
 * The same result for forms that show the API's refusal next to their fields (and keep the
 * person's input): the data, or the message.
 */
export function dataOrMessage<T>(result: { data?: T | null; error?: CombinedError }): { ok: true; data: T } | { ok: false; message: string } {
  if (result.error || !result.data) return { ok: false, message: result.error ? errorMessage(result.error) : 'No data returned.' };
  return { ok: true, data: result.data };
}
