/** Public settings the sign-in page needs before anyone signs in (`GET /ui-config`). */
export interface UiConfig {
  sso_enabled: boolean;
  sso_provider: 'google' | 'microsoft' | 'generic' | null;
  auto_redirect_to_sso: boolean;
  sso_login_url: string | null;
  logout_url: string | null;
  ui_access_mode: string;
}

/** Where SSO sign-in starts (served by the API, outside the dashboard). */
export const SSO_LOGIN_PATH = '/sso/key/generate';

/** Fetches `/ui-config`; null when it cannot be read (the password form still works then). */
export async function loadUiConfig(fetcher: typeof fetch = fetch): Promise<UiConfig | null> {
  try {
    const res = await fetcher('/ui-config', { headers: { accept: 'application/json' } });
    return res.ok ? ((await res.json()) as UiConfig) : null;
  } catch {
    return null;
  }
}

/**
 * With `auto_redirect_ui_login_to_sso`, the sign-in page goes straight to SSO, unless the URL
 * carries `fallback` (`/fallback/login` → `/ui/login?fallback=1`) to offer password sign-in.
 */
export function shouldAutoRedirectToSso(config: UiConfig | null, url: URL): boolean {
  return !!config?.auto_redirect_to_sso && !url.searchParams.has('fallback');
}

/** Leaves the dashboard for the SSO flow. */
export function redirectToSso(): void {
  window.location.href = SSO_LOGIN_PATH;
}
