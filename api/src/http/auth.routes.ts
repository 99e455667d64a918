import './fastify-types.js';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../app/context.js';
import { passwordLogin } from '../auth/login.service.js';
import { endSession, SESSION_COOKIE } from '../auth/session.service.js';
import { AppError, errorBody } from '../common/errors.js';
import { databaseUnavailable, isConnectionError } from '../db/outage.js';
import { clearSessionCookie, setSessionCookie } from './cookies.js';
import { escapeHtml, page } from './html.js';
import { refuseCrossSite } from './request-context.js';
import { SSO_LOGIN_PATH, uiConfigOf } from '../auth/ui-config.js';

type Body = Record<string, unknown> | undefined;

/** Password sign-in and sign-out; the only routes besides /graphql that read or write the cookie. */
export function registerAuthRoutes(fastify: FastifyInstance, app: App) {
  const login = async (req: FastifyRequest) => {
    refuseCrossSite(app, req);
    const body = (req.body ?? {}) as Body;
    const ctx = { app, em: app.orm.em.fork(), principal: null };
    return passwordLogin(ctx, body?.username ?? body?.email, body?.password, req.ip);
  };

  // form post from a browser: 303 to the dashboard, or a readable page with the reason
  fastify.post('/login', async (req, reply) => {
    try {
      const { cookie } = await login(req);
      setSessionCookie(app, reply, cookie);
      return reply.redirect('/ui/', 303);
    } catch (caught) {
      // the database away: the same readable page, with a 503
      const e = isConnectionError(caught) ? databaseUnavailable() : caught;
      if (!(e instanceof AppError)) throw e;
      return reply
        .status(e.status)
        .headers(e.headers)
        .type('text/html')
        .send(page('Sign-in failed', `<p>${escapeHtml(e.message)}</p><p><a href="/ui/login">Try again</a></p>`));
    }
  });

  fastify.post('/v2/login', async (req, reply) => {
    try {
      const { user, cookie } = await login(req);
      setSessionCookie(app, reply, cookie);
      return { user_id: user.id, user_role: user.role, redirect_url: '/ui/' };
    } catch (caught) {
      const e = isConnectionError(caught) ? databaseUnavailable() : caught;
      if (e instanceof AppError) return reply.status(e.status).headers(e.headers).send(errorBody(e));
      throw e;
    }
  });

  const logout = async (req: FastifyRequest) => {
    const cookie = req.cookies?.[SESSION_COOKIE];
    if (cookie) await endSession({ app, em: app.orm.em.fork(), principal: null }, cookie);
  };
  fastify.get('/logout', async (req, reply) => {
    await logout(req);
    clearSessionCookie(reply);
    return reply.redirect(app.settings.logoutUrl ?? '/ui/login', 303);
  });
  // the dashboard signs out here; a foreign site may not end a visitor's session
  fastify.post('/logout', async (req, reply) => {
    refuseCrossSite(app, req);
    await logout(req);
    clearSessionCookie(reply);
    return { ok: true, redirect_url: app.settings.logoutUrl ?? '/ui/login' };
  });
  fastify.get('/login', (_req, reply) => reply.redirect(uiConfigOf(app).autoRedirectToSso ? SSO_LOGIN_PATH : '/ui/login', 302));
  // password sign-in stays reachable when the dashboard sends everyone to SSO
  fastify.get('/fallback/login', (_req, reply) => reply.redirect('/ui/login?fallback=1', 302));
  // what a sign-in page needs to know before anyone signs in (public, no secrets): LiteLLM's names
  fastify.get('/ui-config', async () => {
    const c = uiConfigOf(app);
    return {
      sso_enabled: c.ssoEnabled,
      sso_provider: c.ssoProvider,
      auto_redirect_to_sso: c.autoRedirectToSso,
      sso_login_url: c.ssoLoginUrl,
      logout_url: c.logoutUrl,
      ui_access_mode: c.uiAccessMode,
    };
  });
}
