import type { Client, CombinedError } from '@urql/core';
import { goto } from '$app/navigation';
import { resolve } from '$app/paths';
import { graphql } from '$lib/graphql';
import { loadUiConfig } from '$lib/ui-config';

export const LoginMutation = graphql(`
  mutation Login($input: LoginInput!) {
    login(input: $input) {
      user {
        id
        userRole
      }
    }
  }
`);

export const LogoutMutation = graphql(`
  mutation Logout {
    logout
  }
`);

export type SignInResult = { ok: true } | { ok: false; message: string };

/**
 * Signs in with an email (or `admin`) and password through the `login` mutation. On success
 * the server sets the session cookie and we go to `next` or the dashboard home; otherwise the
 * API's message (a throttled sign-in says how long to wait) is returned for display.
 */
export async function signIn(client: Client, username: string, password: string, next: string | null = null): Promise<SignInResult> {
  const res = await client.mutation(LoginMutation, { input: { email: username, password } }, { requestPolicy: 'network-only' }).toPromise();
  if (res.data?.login) {
    // eslint-disable-next-line svelte/no-navigation-without-resolve -- `next` is a checked /ui/ path
    await goto(safeNext(next) ?? resolve('/keys'), { replaceState: true, invalidateAll: true });
    return { ok: true };
  }
  const error = res.error;
  const message = error?.graphQLErrors[0]?.message;
  if (message) return { ok: false, message };
  if (error?.networkError) return { ok: false, message: 'Could not reach the server. Please try again.' };
  return { ok: false, message: 'Sign-in failed. Please try again.' };
}

/** The sign-in page for a signed-out visit to `url`, remembering where to come back. */
export function signInPath(url: URL): string {
  const here = url.pathname + url.search;
  const home = resolve('/');
  if (url.pathname === home || url.pathname === home.replace(/\/$/, '')) return resolve('/login');
  return `${resolve('/login')}?next=${encodeURIComponent(here)}`;
}

/** `next` only when it is a path of the dashboard itself (never another origin). */
export function safeNext(next: string | null): string | null {
  if (!next) return null;
  const base = resolve('/').replace(/\/$/, '') + '/';
  if (!next.startsWith(base) || next.startsWith('//') || next.includes('\\')) return null;
  if (next.startsWith(resolve('/login'))) return null;
  return next;
}

/**
 * Signs out through the `logout` mutation (the server ends the session and clears the
 * cookie), then goes where `uiConfig.logoutUrl` says (`PROXY_LOGOUT_URL`, e.g. the IdP's
 * logout) or to the sign-in page. If the mutation cannot be made, LiteLLM's `GET /logout`
 * does the same.
 */
export async function signOut(client: Client): Promise<void> {
  const out = await client.mutation(LogoutMutation, {}).toPromise();
  if (!out.data?.logout) {
    window.location.href = '/logout';
    return;
  }
  const config = await loadUiConfig(client);
  window.location.href = config?.logoutUrl ?? resolve('/login');
}

/** True when a GraphQL result failed because the caller is not signed in. */
export function isUnauthenticated(error: CombinedError | undefined): boolean {
  if (!error) return false;
  if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return true;
  const status = (error.response as Response | undefined)?.status;
  return status === 401;
}
