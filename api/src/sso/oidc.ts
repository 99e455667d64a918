import * as oidc from 'openid-client';
import { decodeJwtPayload, type RawClaims } from './claims.js';
import type { SsoConfig } from './config.js';

/** What the user sees when a step with the IdP fails: readable, never a stack trace. */
export class SsoFlowError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    message: string,
    readonly advice: string,
  ) {
    super(message);
  }
}

export interface PendingLogin {
  state: string;
  nonce: string;
  verifier: string;
  debug: boolean;
  createdAt: number;
}

const idpUnreachable = (e: unknown) =>
  new SsoFlowError(502, 'Identity provider unreachable', `Purser could not reach the identity provider: ${(e as Error).message}`, 'Try again in a moment; if it keeps failing, ask your admin to check the SSO settings (issuer / endpoints).');

/**
 * Authorization code flow with PKCE, state and nonce, through openid-client. With an issuer
 * (GENERIC_ISSUER or a preset) discovery gives the endpoints and ID-token checks; with
 * explicit endpoints only, the ID token's claims are read as LiteLLM does (its signature is not
 * checked: set GENERIC_ISSUER for that), and nonce, audience and expiry are still checked.
 */
export class OidcClient {
  private config: Promise<oidc.Configuration> | null = null;

  constructor(private readonly cfg: SsoConfig) {}

  private configuration(): Promise<oidc.Configuration> {
    if (this.config) return this.config;
    const c = this.cfg;
    const auth = c.clientSecret ? oidc.ClientSecretPost(c.clientSecret) : oidc.None();
    if (c.issuer) {
      this.config = oidc.discovery(new URL(c.issuer), c.clientId, undefined, auth, c.insecure ? { execute: [oidc.allowInsecureRequests] } : undefined);
      // a failed discovery is retried on the next sign-in
      this.config.catch(() => (this.config = null));
    } else {
      const conf = new oidc.Configuration(
        { issuer: new URL(c.endpoints!.authorization).origin, authorization_endpoint: c.endpoints!.authorization, token_endpoint: c.endpoints!.token, userinfo_endpoint: c.endpoints!.userinfo ?? undefined },
        c.clientId,
        undefined,
        auth,
      );
      if (c.insecure) oidc.allowInsecureRequests(conf);
      this.config = Promise.resolve(conf);
    }
    return this.config;
  }

  async start(redirectUri: string, debug: boolean): Promise<{ url: string; pending: PendingLogin }> {
    let conf: oidc.Configuration;
    try {
      conf = await this.configuration();
    } catch (e) {
      throw idpUnreachable(e);
    }
    const pending: PendingLogin = { state: oidc.randomState(), nonce: oidc.randomNonce(), verifier: oidc.randomPKCECodeVerifier(), debug, createdAt: Date.now() };
    const url = oidc.buildAuthorizationUrl(conf, {
      redirect_uri: redirectUri,
      scope: this.cfg.scope,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(pending.verifier),
      code_challenge_method: 'S256',
    });
    return { url: url.href, pending };
  }

  /** Exchanges the code; returns the claims from the ID token, userinfo and a JWT access token. */
  async finish(currentUrl: URL, pending: PendingLogin): Promise<RawClaims> {
    let conf: oidc.Configuration;
    try {
      conf = await this.configuration();
    } catch (e) {
      throw idpUnreachable(e);
    }
    let tokens: Awaited<ReturnType<typeof oidc.authorizationCodeGrant>>;
    try {
      if (this.cfg.issuer)
        tokens = await oidc.authorizationCodeGrant(conf, currentUrl, {
          pkceCodeVerifier: pending.verifier,
          expectedState: pending.state,
          expectedNonce: pending.nonce,
          idTokenExpected: true,
        });
      else return await this.manualExchange(currentUrl, pending);
    } catch (e) {
      if (e instanceof SsoFlowError) throw e;
      const err = e as Error & { code?: string; error?: string; error_description?: string };
      if (err.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' || err.error || err.name === 'ResponseBodyError')
        throw new SsoFlowError(502, 'Sign-in could not be completed', `The identity provider refused the code exchange: ${err.error_description ?? err.error ?? err.message}`, 'Start the sign-in again. If it keeps failing, ask your admin to check the client id, secret and redirect URI registered at the IdP.');
      if (err.name === 'TypeError' || /fetch|ECONNREFUSED|ENOTFOUND/i.test(err.message)) throw idpUnreachable(e);
      throw new SsoFlowError(400, 'Sign-in could not be verified', `The identity provider's answer failed verification: ${err.message}`, 'Start the sign-in again from the sign-in page.');
    }
    const idToken = (tokens.claims() as Record<string, unknown> | undefined) ?? null;
    let userinfo: Record<string, unknown> | null = null;
    if (conf.serverMetadata().userinfo_endpoint && idToken?.sub) {
      try {
        userinfo = (await oidc.fetchUserInfo(conf, tokens.access_token, String(idToken.sub))) as Record<string, unknown>;
      } catch {
        userinfo = null; // userinfo is a second source only
      }
    }
    return { idToken, userinfo, accessToken: decodeJwtPayload(tokens.access_token) };
  }

  private async manualExchange(currentUrl: URL, pending: PendingLogin): Promise<RawClaims> {
    const c = this.cfg;
    const code = currentUrl.searchParams.get('code');
    if (!code) throw new SsoFlowError(400, 'Sign-in could not be completed', 'The identity provider sent no authorization code.', 'Start the sign-in again.');
    const body = new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: `${currentUrl.origin}${currentUrl.pathname}`,
      client_id: c.clientId,
      code_verifier: pending.verifier,
      ...(c.clientSecret ? { client_secret: c.clientSecret } : {}),
    });
    let res: Response;
    try {
      res = await fetch(c.endpoints!.token, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' }, body, signal: AbortSignal.timeout(15_000) });
    } catch (e) {
      throw idpUnreachable(e);
    }
    const json = (await res.json().catch(() => ({}))) as Record<string, string>;
    if (!res.ok || !json.access_token)
      throw new SsoFlowError(502, 'Sign-in could not be completed', `The identity provider refused the code exchange: ${json.error_description ?? json.error ?? res.status}`, 'Start the sign-in again. If it keeps failing, ask your admin to check the client id, secret and redirect URI.');
    const idToken = decodeJwtPayload(json.id_token);
    if (idToken) {
      const aud = Array.isArray(idToken.aud) ? idToken.aud : [idToken.aud];
      if (idToken.nonce !== pending.nonce || !aud.includes(c.clientId) || (typeof idToken.exp === 'number' && idToken.exp * 1000 < Date.now()))
        throw new SsoFlowError(400, 'Sign-in could not be verified', 'The ID token does not belong to this sign-in (nonce, audience or expiry mismatch).', 'Start the sign-in again from the sign-in page.');
    }
    let userinfo: Record<string, unknown> | null = null;
    if (c.endpoints!.userinfo) {
      const r = await fetch(c.endpoints!.userinfo, { headers: { authorization: `Bearer ${json.access_token}` }, signal: AbortSignal.timeout(15_000) }).catch(() => null);
      if (r?.ok) userinfo = (await r.json().catch(() => null)) as Record<string, unknown> | null;
    }
    return { idToken, userinfo, accessToken: decodeJwtPayload(json.access_token) };
  }
}
