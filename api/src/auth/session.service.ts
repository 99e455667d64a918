import type { Ctx } from '../app/context.js';
import { AppError } from '../common/errors.js';
import { randomToken, sha256 } from '../common/ids.js';
import { ScimUser } from '../scim/scim-user.entity.js';
import type { User } from '../users/user.entity.js';
import { Session } from './session.entity.js';
import { assertMayHaveSession, sessionRefusal } from './session-policy.js';

export const SESSION_COOKIE = 'purser_session';

/** Creates a session; returns the cookie value (shown to the browser only). */
export async function createSession(ctx: Ctx, user: User, method: string): Promise<{ cookie: string; session: Session }> {
  // the last guard: callers ask earlier, before they change anything
  assertMayHaveSession(ctx.app, user);
  // an account the IdP deactivated over SCIM signs in again only once the IdP reactivates it
  if (await ctx.em.findOne(ScimUser, { userId: user.id, active: false }))
    throw new AppError('FORBIDDEN', 'This account is deactivated by your identity provider.', null, 'permission_error');
  const cookie = randomToken(32);
  const s = new Session();
  s.id = sha256(cookie);
  s.user = user;
  s.method = method;
  s.expiresAt = new Date(Date.now() + ctx.app.settings.sessionTtlMs);
  ctx.em.persist(s);
  await ctx.em.flush();
  return { cookie, session: s };
}

export async function findSession(ctx: Ctx, cookie: string): Promise<Session | null> {
  if (!cookie || cookie.length > 128) return null;
  const s = await ctx.em.findOne(Session, { id: sha256(cookie) }, { populate: ['user'] });
  if (!s) return null;
  // expired, or the user may no longer have one (e.g. ui_access_mode became admin_only)
  if (s.expiresAt.getTime() <= Date.now() || sessionRefusal(ctx.app, s.user)) {
    ctx.em.remove(s);
    await ctx.em.flush();
    return null;
  }
  return s;
}

export async function endSession(ctx: Ctx, cookie: string): Promise<void> {
  await ctx.em.nativeDelete(Session, { id: sha256(cookie) });
}

/** Ends every session of a user, except optionally the current one. */
export async function endSessionsOf(ctx: Ctx, userId: string, exceptSessionId?: string): Promise<void> {
  await ctx.em.nativeDelete(Session, exceptSessionId ? { user: userId, id: { $ne: exceptSessionId } } : { user: userId });
}
