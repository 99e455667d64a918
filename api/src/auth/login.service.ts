import { timingSafeEqual } from 'node:crypto';
import type { Ctx } from '../app/context.js';
import { AppError, badInput } from '../common/errors.js';
import { sha256 } from '../common/ids.js';
import { User } from '../users/user.entity.js';
import { audit } from '../audit/audit.service.js';
import { authorize } from '../permissions/authorize.js';
import { checkChosenPassword } from './password-strength.js';
import { hashPassword, verifyPassword } from './password.js';
import { DEFAULT_USER_ID } from './principal.js';
import { assertMayHaveSession } from './session-policy.js';
import { createSession, endSessionsOf } from './session.service.js';

const INVALID = 'Invalid email or password.';

const sameSecret = (a: string, b: string) => timingSafeEqual(Buffer.from(sha256(a), 'hex'), Buffer.from(sha256(b), 'hex'));

/**
 * Email + password sign-in (and `admin` / master key for the master-key admin). One generic
 * message for unknown email and wrong password, and the same work in both cases.
 */
export async function passwordLogin(ctx: Ctx, username: unknown, password: unknown, clientIp: string | null = null) {
  if (typeof username !== 'string' || !username.trim() || username.length > 320)
    throw badInput('username (email) is required.', 'username');
  if (typeof password !== 'string' || !password || password.length > 1024)
    throw badInput('password is required.', 'password');
  const s = ctx.app.settings;
  // the slot is taken before the slow hash: parallel guesses cannot outrun the count
  const attempt = await ctx.app.loginThrottle.reserve(username.trim().toLowerCase(), clientIp);
  let user: User | null = null;
  try {
    if (username === s.uiUsername) {
      if (sameSecret(password, s.uiPassword ?? s.masterKey)) user = await ctx.em.findOneOrFail(User, { id: DEFAULT_USER_ID });
    } else {
      const found = await ctx.em.findOne(User, { emailKey: username.trim().toLowerCase() });
      if (await verifyPassword(found?.passwordHash ?? null, password)) user = found;
    }
  } catch (e) {
    await attempt.release();
    throw e;
  }
  if (!user) {
    await attempt.fail();
    throw new AppError('UNAUTHENTICATED', INVALID, null, 'auth_error');
  }
  await attempt.succeed();
  assertMayHaveSession(ctx.app, user);
  user.lastSignInAt = new Date();
  const { cookie } = await createSession(ctx, user, 'password');
  return { user, cookie };
}

/** Users change their own password; every other session of theirs ends. */
export async function changePassword(ctx: Ctx, currentPassword: string, newPassword: string) {
  authorize(ctx.principal, 'me.update');
  const user = await ctx.em.findOneOrFail(User, { id: ctx.principal!.userId! });
  if (!user.passwordHash) throw badInput('You have no password yet (you sign in with SSO or by invitation).', 'currentPassword');
  if (!(await verifyPassword(user.passwordHash, currentPassword ?? ''))) throw badInput('The current password is not correct.', 'currentPassword');
  checkChosenPassword('newPassword', newPassword, [user.email ?? '', user.alias ?? '', user.id]);
  user.passwordHash = await hashPassword(newPassword);
  audit(ctx, 'user.change_password', { type: 'user', id: user.id }, null, null);
  await ctx.em.flush();
  await endSessionsOf(ctx, user.id, ctx.principal!.sessionId);
  return user;
}
