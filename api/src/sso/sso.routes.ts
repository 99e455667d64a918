import '../http/fastify-types.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App, Ctx } from '../app/context.js';
import { logUnexpected } from '../common/error-log.js';
import { AppError } from '../common/errors.js';
import { setSessionCookie } from '../http/cookies.js';
import { escapeHtml, page } from '../http/html.js';
import { parseIdentity, type RawClaims, type SsoIdentity } from './claims.js';
import type { SsoConfig } from './config.js';
import { OidcClient, SsoFlowError } from './oidc.js';
import { PendingLogins } from './pending-logins.js';
import { signInWithSso, syncableTeamIds } from './sso.service.js';

const STATE_COOKIE = 'purser_sso_state';
const PENDING_TTL_MS = 10 * 60_000;

function errorPage(reply: FastifyReply, e: SsoFlowError, retry: string) {
  return reply
    .status(e.status)
    .type('text/html')
    .send(page(e.title, `<p>${escapeHtml(e.message)}</p><p>${escapeHtml(e.advice)}</p><p><a href="${retry}">Try again</a> · <a href="/ui/login">Sign-in page</a></p>`));
}

const json = (v: unknown) => `<pre>${escapeHtml(JSON.stringify(v, null, 2))}</pre>`;

function debugPage(cfg: SsoConfig, who: SsoIdentity, raw: RawClaims, skipped: string[]) {
  const row = (label: string, value: unknown, source: string | null, claim: string | null) =>
    `<tr><th>${escapeHtml(label)}</th><td>${escapeHtml(Array.isArray(value) ? value.join(', ') : String(value ?? '—'))}</td><td>${escapeHtml(source ? `${source} · ${claim}` : 'not found')}</td></tr>`;
  const parsed = `<table border="1" cellpadding="6" style="border-collapse:collapse">
<tr><th>field</th><th>value</th><th>source · claim</th></tr>
${row('user id', who.id.value, who.id.source, who.id.claim)}
${row('email', who.email.value, who.email.source, who.email.claim)}
<tr><th>email verified</th><td>${who.emailVerified ? 'yes' : 'no'}</td><td></td></tr>
${row('display name', who.name.value, who.name.source, who.name.claim)}
${row('role', who.role.value ?? (who.ignoredRole ? `${who.ignoredRole} (not one of the four roles: ignored)` : null), who.role.source, who.role.claim)}
${row('team ids', who.teamIds.value, who.teamIds.source, who.teamIds.claim)}
</table>
${skipped.length ? `<p>Group ids filtered out by sso_team_id_pattern: ${escapeHtml(skipped.join(', '))}</p>` : ''}
${who.groupsOverage ? '<p><strong>Groups overage:</strong> the identity provider replaced the groups claim with an overage marker (the user is in more than ~200 groups). Teams cannot be synced from the token; configure group filtering (e.g. "groups assigned to the application") at the IdP.</p>' : ''}`;
  return page(
    'SSO Debug Info',
    `<p>Authentication succeeded with the ${escapeHtml(cfg.provider)} provider. Nothing was created: no user, team or session. No token is shown.</p>
<h2>Parsed by Purser</h2>${parsed}
<h2>ID token claims</h2>${json(raw.idToken)}
<h2>Userinfo claims</h2>${json(raw.userinfo)}
<h2>Access token claims</h2>${raw.accessToken ? json(raw.accessToken) : '<p>The access token is not a JWT.</p>'}
<p><a href="/sso/debug/login">Try another SSO login</a></p>`,
  );
}

/**
 * LiteLLM's SSO routes: /sso/key/generate starts, /sso/callback finishes; the /sso/debug/*
 * pair runs the same flow and shows the claims without creating anything.
 */
export function registerSsoRoutes(fastify: FastifyInstance, app: App, cfg: SsoConfig | null) {
  const client = cfg ? new OidcClient(cfg) : null;
  const pending = new PendingLogins(app.redis, PENDING_TTL_MS);
  const secure = app.settings.baseUrl.startsWith('https://');
  const teamField = () => {
    const j = app.settings.config.general_settings.litellm_jwtauth;
    return j?.team_ids_jwt_field ?? j?.team_id_jwt_field ?? null;
  };

  const start = (debug: boolean) => async (_req: FastifyRequest, reply: FastifyReply) => {
    if (!client) return notConfigured(reply);
    try {
      const redirect = `${app.settings.baseUrl}/sso/${debug ? 'debug/' : ''}callback`;
      const { url, pending: p } = await client.start(redirect, debug);
      await pending.put(p);
      // the state is bound to this browser: a callback from another browser is refused
      reply.setCookie(STATE_COOKIE, p.state, { path: '/sso', httpOnly: true, sameSite: 'lax', secure, maxAge: PENDING_TTL_MS / 1000 });
      return reply.redirect(url, 302);
    } catch (e) {
      if (e instanceof SsoFlowError) return errorPage(reply, e, debug ? '/sso/debug/login' : '/sso/key/generate');
      throw e;
    }
  };

  const callback = (debug: boolean) => async (req: FastifyRequest, reply: FastifyReply) => {
    const retry = debug ? '/sso/debug/login' : '/sso/key/generate';
    if (!client || !cfg) return notConfigured(reply);
    const q = req.query as Record<string, string | undefined>;
    reply.clearCookie(STATE_COOKIE, { path: '/sso' });
    try {
      if (q.error)
        throw new SsoFlowError(400, 'Sign-in cancelled', `The identity provider did not sign you in: ${q.error}${q.error_description ? ` (${q.error_description})` : ''}.`, 'If you declined consent by mistake, start again.');
      const state = q.state;
      // single use: a replayed or forged state finds nothing
      const p = typeof state === 'string' && state.length <= 200 ? await pending.take(state) : null;
      if (!state || !p || p.debug !== debug || req.cookies?.[STATE_COOKIE] !== state)
        throw new SsoFlowError(400, 'Sign-in link expired or invalid', 'This sign-in response does not match a sign-in started in this browser (the state is missing, expired, already used or forged).', 'Start the sign-in again from the sign-in page.');
      const currentUrl = new URL(req.url, app.settings.baseUrl);
      const raw = await client.finish(currentUrl, p);
      const who = parseIdentity(cfg, raw, teamField());
      const ctx: Ctx = { app, em: app.orm.em.fork(), principal: null };
      if (who.groupsOverage) app.log.warn(`SSO: groups overage for user ${who.id.value ?? '?'}: the IdP sent an overage marker instead of the groups claim, teams not synced from it`);
      if (debug) return reply.type('text/html').send(debugPage(cfg, who, raw, syncableTeamIds(ctx, who.teamIds.value).skipped));
      const { cookie } = await signInWithSso(ctx, who);
      setSessionCookie(app, reply, cookie);
      return reply.redirect('/ui/?login=success', 303);
    } catch (e) {
      if (e instanceof SsoFlowError) return errorPage(reply, e, retry);
      if (e instanceof AppError) return errorPage(reply, new SsoFlowError(e.status, 'Sign-in refused', e.message, 'Ask your admin for help.'), retry);
      logUnexpected(app.log, 'SSO callback', e);
      return errorPage(reply, new SsoFlowError(500, 'Sign-in failed', 'Something went wrong while signing you in.', 'Try again; if it keeps failing, ask your admin to look at the server log.'), retry);
    }
  };

  const notConfigured = (reply: FastifyReply) =>
    errorPage(reply, new SsoFlowError(404, 'SSO is not configured', 'This Purser has no single sign-on provider configured.', 'Sign in with email and password, or ask your admin to set GENERIC_CLIENT_ID / GOOGLE_CLIENT_ID / MICROSOFT_CLIENT_ID.'), '/ui/login');

  fastify.get('/sso/key/generate', start(false));
  fastify.get('/sso/callback', callback(false));
  fastify.get('/sso/debug/login', start(true));
  fastify.get('/sso/debug/callback', callback(true));
}
