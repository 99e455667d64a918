import './fastify-types.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, Ctx } from '../app/context.js';
import { apiKeyOf as apiKeyOfHeaders, principalFromSecret, principalFromSession } from '../auth/credentials.js';
import { SESSION_COOKIE } from '../auth/session.service.js';
import { AppError, unauthenticated } from '../common/errors.js';

/** The API key of a request: the same headers as the gateway's (auth/credentials.ts). */
export const apiKeyOf = (req: FastifyRequest): string | null => apiKeyOfHeaders(req.headers);

/** Cookies count only for same-origin browser requests: a foreign Origin never rides a session. */
function sameOrigin(app: App, req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return true;
  try {
    const o = new URL(origin);
    const base = new URL(app.settings.baseUrl);
    return o.host === req.headers.host || o.origin === base.origin;
  } catch {
    return false;
  }
}

/**
 * Sign-in routes create a session for whoever's password is sent: a foreign site must not post
 * its own credentials through the visitor's browser (login CSRF). Refused when the Origin names
 * another origin or the browser says `Sec-Fetch-Site: cross-site`; requests with neither header
 * (scripts, curl) pass.
 */
export function refuseCrossSite(app: App, req: FastifyRequest): void {
  if (req.headers['sec-fetch-site'] === 'cross-site' || !sameOrigin(app, req))
    throw new AppError('FORBIDDEN', 'Cross-site sign-in refused: sign in from this server\'s own sign-in page.', null, 'permission_error');
}

/**
 * One EntityManager fork and one Principal per request. `cookies` is true only on /graphql
 * and the sign-in routes; REST and /v1 accept API keys only.
 */
export async function requestContext(app: App, req: FastifyRequest, opts: { cookies: boolean }): Promise<Ctx> {
  const ctx: Ctx = { app, em: app.orm.em.fork(), principal: null };
  const secret = apiKeyOf(req);
  if (secret) {
    ctx.principal = await principalFromSecret(ctx, secret);
    return ctx;
  }
  const cookie = opts.cookies ? req.cookies?.[SESSION_COOKIE] : undefined;
  if (cookie) {
    if (!sameOrigin(app, req)) throw new AppError('FORBIDDEN', 'Cross-origin requests cannot use the session cookie.');
    ctx.principal = await principalFromSession(ctx, cookie);
  }
  return ctx;
}

export function requirePrincipal(ctx: Ctx): Ctx {
  if (!ctx.principal) throw unauthenticated();
  return ctx;
}

export type Reply = FastifyReply;
