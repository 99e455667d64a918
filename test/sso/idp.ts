/**
 * A real OpenID Provider for the SSO tests: oidc-provider on loopback with one confidential
 * client (PKCE required) whose redirect URIs are Purser's /sso/callback and /sso/debug/callback.
 * The test picks who signs in (`nextAccountId`) or that consent is denied (`denyNext`); the
 * interaction routes finish login and consent at once, so a test drives the whole redirect flow
 * over HTTP. `groups` (and `role`, with `profile`) go into the ID token (STACK.md trap 11).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';
import { CookieJar } from '../helpers/jar.js';

export interface IdpAccount {
  sub: string;
  email?: string;
  email_verified?: boolean;
  name?: string;
  groups?: string[];
  role?: string;
}

export interface TokenResponse {
  access_token?: string;
  id_token?: string;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, IdpAccount>;
  /** who the next authorization request signs in as */
  nextAccountId: string | null;
  /** the next interaction ends with error=access_denied (consent refused) */
  denyNext: boolean;
  /** every token endpoint response body, to check no token leaks into a page */
  tokens: TokenResponse[];
  close(): Promise<void>;
}

export const CLIENT_ID = 'purser-test';
export const CLIENT_SECRET = 'purser-test-secret-0123456789abcdef';

/**
 * `purserBase` may be computed once the IdP listens (a free port picked before the IdP binds
 * its own could be handed to the IdP).
 */
export async function startIdp(base: string | (() => Promise<string>), accounts: IdpAccount[] = []): Promise<TestIdp> {
  let server: Server | null = createServer();
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const purserBase = typeof base === 'string' ? base : await base();
  const state: TestIdp = {
    issuer,
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    accounts: new Map(accounts.map((a) => [a.sub, a])),
    nextAccountId: null,
    denyNext: false,
    tokens: [],
    async close() {
      const s = server;
      server = null;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${purserBase}/sso/callback`, `${purserBase}/sso/debug/callback`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    conformIdTokenClaims: false,
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name', 'role'], groups: ['groups'] },
    scopes: ['openid', 'email', 'profile', 'groups'],
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-idp-cookie-key-0123456789'] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, Grant: 3600, IdToken: 600, Interaction: 600, Session: 3600 },
    async findAccount(_ctx: unknown, id: string) {
      const a = state.accounts.get(id);
      if (!a) return undefined;
      return { accountId: id, async claims() { return { ...a }; } };
    },
  });
  // capture what the token endpoint hands out (Koa middleware runs around every route)
  provider.use(async (ctx: { path: string; body: unknown }, next: () => Promise<void>) => {
    await next();
    if (ctx.path === '/token' && ctx.body && typeof ctx.body === 'object') state.tokens.push(ctx.body as TokenResponse);
  });

  const oidcHandler = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    if (!req.url?.startsWith('/interaction/')) return oidcHandler(req, res);
    interact(req, res).catch((e: Error) => {
      res.statusCode = 500;
      res.end(`interaction failed: ${e.message}`);
    });
  });

  /** Finishes the login, then the consent prompt, without any page. */
  async function interact(req: IncomingMessage, res: ServerResponse) {
    const details = await provider.interactionDetails(req, res);
    if (state.denyNext) {
      state.denyNext = false;
      return provider.interactionFinished(req, res, { error: 'access_denied', error_description: 'End-User denied consent' }, { mergeWithLastSubmission: false });
    }
    if (details.prompt.name === 'login') {
      const accountId = state.nextAccountId;
      if (!accountId || !state.accounts.has(accountId)) throw new Error(`no test account ${accountId}`);
      return provider.interactionFinished(req, res, { login: { accountId } }, { mergeWithLastSubmission: false });
    }
    // consent: grant what the client asked for
    const grant = details.grantId ? await provider.Grant.find(details.grantId) : new provider.Grant({ accountId: details.session.accountId, clientId: details.params.client_id });
    grant.addOIDCScope(String(details.params.scope));
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }

  return state;
}

export interface FlowResult {
  /** the last response: Purser's callback answer, or the first non-redirect on the way */
  res: Response;
  html: string;
  /** the callback URL the IdP sent the browser to (null if the flow never got there) */
  callbackUrl: string | null;
  jar: CookieJar;
}

/**
 * Drives a browser through Purser's SSO: /sso/key/generate (or /sso/debug/login) → the IdP →
 * Purser's callback, following redirects by hand. `tamper` may edit the callback URL first;
 * `stopAtCallback` returns before calling it.
 */
export async function ssoFlow(
  purserUrl: string,
  idp: TestIdp | null,
  accountId: string | null,
  o: { debug?: boolean; jar?: CookieJar; tamper?: (u: URL) => void; stopAtCallback?: boolean } = {},
): Promise<FlowResult> {
  const jar = o.jar ?? new CookieJar();
  if (idp) idp.nextAccountId = accountId;
  let url = `${purserUrl}/sso/${o.debug ? 'debug/login' : 'key/generate'}`;
  for (let hops = 0; hops < 20; hops++) {
    const isCallback = url.startsWith(`${purserUrl}/sso/`) && /^\/sso\/(debug\/)?callback$/.test(new URL(url).pathname);
    if (isCallback && o.tamper) {
      const u = new URL(url);
      o.tamper(u);
      url = u.href;
    }
    if (isCallback && o.stopAtCallback) return { res: new Response(null), html: '', callbackUrl: url, jar };
    const res = await jar.fetch(url);
    if (isCallback || res.status < 300 || res.status >= 400) return { res, html: await res.text(), callbackUrl: isCallback ? url : null, jar };
    url = new URL(res.headers.get('location')!, url).href;
  }
  throw new Error('too many redirects');
}
