import type { CombinedError } from '@urql/core';
import { goto } from '$app/navigation';
import { resolve } from '$app/paths';

/** Successful body of `POST /v2/login`. */
export interface LoginSuccess {
  user_id: string;
  user_role: string;
  redirect_url: string;
}

/** Error envelope returned by the `/v2` REST endpoints. */
interface ErrorBody {
  error?: { message?: string; type?: string; param?: string | null; code?: string | number | null };
}

export type SignInResult = { ok: true; login: LoginSuccess } | { ok: false; message: string };

async function readErrorMessage(res: Response): Promise<string | undefined> {
  try {
    const body = (await res.json()) as ErrorBody;
    const message = body?.error?.message;
    return typeof message === 'string' && message.length > 0 ? message : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Signs in with an email (or `admin`) and password via `POST /v2/login`.
 * On success the server sets the session cookie and we navigate to the dashboard home;
 * otherwise the API's `error.message` is returned for display.
 */
export async function signIn(username: string, password: string, next: string | null = null): Promise<SignInResult> {
  let res: Response;
  try {
    res = await fetch('/v2/login', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username, password }),
    });
  } catch {
    return { ok: false, message: 'Could not reach the server. Please try again.' };
  }

  if (res.ok) {
    const login = (await res.json().catch(() => ({}))) as LoginSuccess;
    // eslint-disable-next-line svelte/no-navigation-without-resolve -- `next` is a checked /ui/ path
    await goto(safeNext(next) ?? resolve('/keys'), { replaceState: true, invalidateAll: true });
    return { ok: true, login };
  }

  const message = await readErrorMessage(res);
  if (res.status === 429) return { ok: false, message: throttledMessage(message, res.headers.get('retry-after')) };
  if (message) return { ok: false, message };
  if (res.status === 401) return { ok: false, message: 'Invalid username or password.' };
  if (res.status === 403) return { ok: false, message: 'You are not allowed to sign in to this dashboard.' };
  return { ok: false, message: `Sign-in failed (HTTP ${res.status}).` };
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

/** 429: the server's message, making sure it says how long to wait (from `retry-after`). */
function throttledMessage(message: string | undefined, retryAfter: string | null): string {
  const base = message ?? 'Too many sign-in attempts.';
  const seconds = retryAfter && /^\d+$/.test(retryAfter) ? Number(retryAfter) : null;
  if (seconds === null) return message ?? `${base} Please wait and try again.`;
  return base.includes(`${seconds} second`) ? base : `${base} Try again in ${seconds} second${seconds === 1 ? '' : 's'}.`;
}

/**
 * Signs out with `POST /logout` (a state change is never a GET): the server ends the session,
 * clears the cookie and names where to go next, `PROXY_LOGOUT_URL` (e.g. the IdP's logout) or
 * the sign-in page. If the POST cannot be made, LiteLLM's `GET /logout` does the same.
 */
export async function signOut(): Promise<void> {
  try {
    const res = await fetch('/logout', { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } });
    const body = (await res.json()) as { redirect_url?: unknown };
    if (res.ok && typeof body.redirect_url === 'string') {
      window.location.href = body.redirect_url;
      return;
    }
  } catch {
    /* fall through to GET /logout */
  }
  window.location.href = '/logout';
}

/** True when a GraphQL result failed because the caller is not signed in. */
export function isUnauthenticated(error: CombinedError | undefined): boolean {
  if (!error) return false;
  if (error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED')) return true;
  const status = (error.response as Response | undefined)?.status;
  return status === 401;
}
