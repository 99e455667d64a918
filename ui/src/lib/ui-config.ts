import type { Client } from '@urql/core';
import type { ResultOf } from '@graphql-typed-document-node/core';
import { graphql } from '$lib/graphql';

/** Public settings the sign-in page needs before anyone signs in (`uiConfig`, no sign-in needed). */
export const UiConfigQuery = graphql(`
  query UiConfig {
    uiConfig {
      ssoEnabled
      ssoProvider
      autoRedirectToSso
      ssoLoginUrl
      logoutUrl
      uiAccessMode
    }
  }
`);

export type UiConfig = ResultOf<typeof UiConfigQuery>['uiConfig'];

/** Where SSO sign-in starts (served by the API, outside the dashboard). */
export const SSO_LOGIN_PATH = '/sso/key/generate';

/** Reads `uiConfig`; null when it cannot be read (the password form still works then). */
export async function loadUiConfig(client: Client): Promise<UiConfig | null> {
  const res = await client.query(UiConfigQuery, {}, { requestPolicy: 'network-only' }).toPromise();
  return res.data?.uiConfig ?? null;
}

/**
 * With `auto_redirect_ui_login_to_sso`, the sign-in page goes straight to SSO, unless the URL
 * carries `fallback` (`/fallback/login` → `/ui/login?fallback=1`) to offer password sign-in.
 */
export function shouldAutoRedirectToSso(config: UiConfig | null, url: URL): boolean {
  return !!config?.autoRedirectToSso && !url.searchParams.has('fallback');
}

/** Leaves the dashboard for the SSO flow. */
export function redirectToSso(): void {
  window.location.href = SSO_LOGIN_PATH;
}
