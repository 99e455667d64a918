import type { FilterQuery } from '@mikro-orm/core';
import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { checkChosenPassword } from '../auth/password-strength.js';
import { hashPassword } from '../auth/password.js';
import { createSession, endSessionsOf } from '../auth/session.service.js';
import { sessionRefusal } from '../auth/session-policy.js';
import { AppError, badInput, notFound } from '../common/errors.js';
import { newId, randomToken, sha256 } from '../common/ids.js';
import { paginate, type PageArgs } from '../common/pagination.js';
import { invitationMail } from '../mail/templates.js';
import { authorize } from '../permissions/authorize.js';
import type { Role } from '../permissions/roles.js';
import { addDuration, parseDuration } from '../time/durations.js';
import { User } from '../users/user.entity.js';
import { createUser, findUser, type TeamAssignment } from '../users/user.service.js';
import { Invitation, type InvitationKind } from './invitation.entity.js';

export interface InviteParams {
  email: string;
  userRole?: Role | null;
  teamIds?: string[] | null;
  /** Teams with a role (and member budget), joined besides teamIds. */
  teams?: TeamAssignment[] | null;
  maxBudget?: number | null;
  budgetDuration?: string | null;
  models?: string[] | null;
  alias?: string | null;
  sendEmail?: boolean | null;
}

/** An invitation with its link: the only moment the link exists outside the recipient's inbox. */
export interface IssuedInvitation {
  invitation: Invitation;
  link: string;
  emailSent: boolean;
}

export const invitationSnapshot = (i: Invitation) => ({
  id: i.id,
  userId: i.user.id,
  kind: i.kind,
  expiresAt: i.expiresAt.toISOString(),
  status: i.status,
});

const linkOf = (ctx: Ctx, token: string) => `${ctx.app.settings.baseUrl}/ui/invite/${token}`;

function lifetime(ctx: Ctx) {
  return parseDuration(ctx.app.settings.config.general_settings.invitation_link_duration ?? '7d');
}

/** Email needs a public base URL (never the request's Host header) and an SMTP server. */
function checkCanEmail(ctx: Ctx) {
  if (!ctx.app.settings.baseUrlFromEnv)
    throw badInput('sendEmail needs PROXY_BASE_URL: the link in the email must point at the address people use.', 'sendEmail');
  if (!ctx.app.mailer) throw badInput('sendEmail needs SMTP settings (SMTP_HOST, SMTP_PORT, SMTP_SENDER_EMAIL...).', 'sendEmail');
}

async function issue(ctx: Ctx, user: User, kind: InvitationKind, sendEmail: boolean): Promise<IssuedInvitation> {
  const token = randomToken(32);
  const inv = new Invitation();
  inv.id = newId();
  inv.user = user;
  inv.kind = kind;
  inv.tokenHash = sha256(token);
  inv.createdBy = ctx.principal?.userId ?? null;
  inv.expiresAt = addDuration(new Date(), lifetime(ctx));
  ctx.em.persist(inv);
  audit(ctx, kind === 'invite' ? 'invitation.create' : 'invitation.password_reset', { type: 'invitation', id: inv.id }, null, invitationSnapshot(inv));
  await ctx.em.flush();
  const link = linkOf(ctx, token);
  return { invitation: inv, link, emailSent: sendEmail ? await deliver(ctx, inv, link) : false };
}

/** A sending failure is reported to the admin; the invitation stays valid. */
async function deliver(ctx: Ctx, inv: Invitation, link: string): Promise<boolean> {
  const to = inv.user.email;
  if (!to) {
    inv.emailError = 'The user has no email address.';
    await ctx.em.flush();
    return false;
  }
  try {
    await ctx.app.mailer!.send(invitationMail({ to, link, kind: inv.kind, expiresAt: inv.expiresAt, baseUrl: ctx.app.settings.baseUrl }));
    inv.emailSentAt = new Date();
    inv.emailError = null;
  } catch (e) {
    inv.emailError = `Could not send the email: ${(e as Error).message}`.slice(0, 512);
    ctx.app.log.warn(`invitation ${inv.id}: ${inv.emailError}`);
  }
  await ctx.em.flush();
  return inv.emailSentAt !== null && inv.emailError === null;
}

/** Creates the user (by the one creation rule) and an invitation for them. */
export async function inviteUser(ctx: Ctx, p: InviteParams): Promise<IssuedInvitation> {
  authorize(ctx.principal, 'user.create');
  if (!p.email?.trim()) throw badInput('email is required.', 'email');
  if (p.sendEmail) checkCanEmail(ctx);
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const user = await createUser(tx, {
      email: p.email,
      alias: p.alias,
      role: p.userRole ?? undefined,
      models: p.models ?? undefined,
      maxBudget: p.maxBudget ?? undefined,
      budgetDuration: p.budgetDuration ?? undefined,
      teams: p.teamIds || p.teams ? [...(p.teamIds ?? []), ...(p.teams ?? [])] : undefined,
    });
    return issue(tx, user, 'invite', p.sendEmail === true);
  });
}

/** An invitation for an existing user (REST /invitation/new), or a password reset. */
export async function inviteExistingUser(ctx: Ctx, userId: string, kind: InvitationKind, sendEmail = false) {
  authorize(ctx.principal, 'invitation.manage');
  if (sendEmail) checkCanEmail(ctx);
  const user = await findUser(ctx, userId);
  return issue(ctx, user, kind, sendEmail);
}

async function findInvitation(ctx: Ctx, id: string) {
  const inv = await ctx.em.findOne(Invitation, { id }, { populate: ['user'] });
  if (!inv) throw notFound(`Invitation ${id} not found.`, 'id');
  return inv;
}

/** A new token (the old link stops working) and a new expiry; optionally emailed again. */
export async function resendInvitation(ctx: Ctx, id: string, sendEmail = false): Promise<IssuedInvitation> {
  authorize(ctx.principal, 'invitation.manage');
  const inv = await findInvitation(ctx, id);
  if (inv.usedAt) throw badInput('This invitation was already used; send a password reset instead.', 'id');
  if (sendEmail) checkCanEmail(ctx);
  const token = randomToken(32);
  const before = invitationSnapshot(inv);
  inv.tokenHash = sha256(token);
  inv.revokedAt = null;
  inv.expiresAt = addDuration(new Date(), lifetime(ctx));
  audit(ctx, 'invitation.resend', { type: 'invitation', id: inv.id }, before, invitationSnapshot(inv));
  await ctx.em.flush();
  const link = linkOf(ctx, token);
  return { invitation: inv, link, emailSent: sendEmail ? await deliver(ctx, inv, link) : false };
}

export async function revokeInvitation(ctx: Ctx, id: string) {
  authorize(ctx.principal, 'invitation.manage');
  const inv = await findInvitation(ctx, id);
  if (inv.usedAt) throw badInput('This invitation was already used.', 'id');
  const before = invitationSnapshot(inv);
  inv.revokedAt ??= new Date();
  audit(ctx, 'invitation.revoke', { type: 'invitation', id: inv.id }, before, invitationSnapshot(inv));
  await ctx.em.flush();
  return inv;
}

export async function getInvitation(ctx: Ctx, id: string) {
  authorize(ctx.principal, 'invitation.read');
  return findInvitation(ctx, id);
}

export async function listInvitations(ctx: Ctx, f: { userId?: string | null; status?: string | null }, page: PageArgs) {
  authorize(ctx.principal, 'invitation.read');
  const now = new Date();
  const where: FilterQuery<Invitation> = {};
  if (f.userId) where.user = f.userId;
  if (f.status === 'used') where.usedAt = { $ne: null };
  else if (f.status === 'revoked') Object.assign(where, { usedAt: null, revokedAt: { $ne: null } });
  else if (f.status === 'expired') Object.assign(where, { usedAt: null, revokedAt: null, expiresAt: { $lte: now } });
  else if (f.status === 'pending') Object.assign(where, { usedAt: null, revokedAt: null, expiresAt: { $gt: now } });
  else if (f.status) throw badInput('status must be pending, used, expired or revoked.', 'status');
  return paginate(ctx.em, Invitation, where, page, { createdAt: 'desc', id: 'desc' }, ['user']);
}

/** Anonymous: the invitation a token names, or null when the token is unknown. */
export async function invitationByToken(ctx: Ctx, token: string): Promise<Invitation | null> {
  if (typeof token !== 'string' || token.length < 16 || token.length > 128) return null;
  return ctx.em.findOne(Invitation, { tokenHash: sha256(token) }, { populate: ['user'] });
}

const unusable = (inv: Invitation | null) => {
  const reason =
    !inv ? 'This invitation link is not valid. Ask your admin for a new one.'
    : inv.status === 'used' ? 'This invitation link was already used. Sign in, or ask your admin for a password reset.'
    : inv.status === 'revoked' ? 'This invitation link was revoked. Ask your admin for a new one.'
    : inv.status === 'expired' ? 'This invitation link has expired. Ask your admin to resend it.'
    : null;
  return reason ? new AppError('BAD_USER_INPUT', reason, 'token', 'invitation_invalid') : null;
};

/**
 * Sets the password, marks the invitation used and signs the user in (returns the cookie).
 * A user who may not have a session (ui_access_mode: admin_only) is refused before anything
 * changes: the password stays unset and the link stays valid, so it still works if an admin
 * later grants them an admin role or opens the dashboard to everyone.
 */
export async function acceptInvitation(ctx: Ctx, token: string, password: string) {
  const inv = await invitationByToken(ctx, token);
  const refusal = unusable(inv);
  if (refusal) throw refusal;
  const user = inv!.user;
  const noSession = sessionRefusal(ctx.app, user);
  if (noSession)
    throw new AppError(
      'FORBIDDEN',
      `${noSession.message} Your ${inv!.kind === 'invite' ? 'invitation' : 'password-reset link'} was not used and still works until it expires; ask your admin for dashboard access, or use an API key.`,
      'token',
      'permission_error',
    );
  checkChosenPassword('password', password, [user.email ?? '', user.alias ?? '', user.id]);
  const hash = await hashPassword(password);
  // single use even under a race: only one request can flip used_at from null
  const claimed = await ctx.em.nativeUpdate(Invitation, { id: inv!.id, usedAt: null, revokedAt: null }, { usedAt: new Date() });
  if (!claimed) throw unusable(await ctx.em.refresh(inv!))!;
  const fresh = await ctx.em.findOneOrFail(User, { id: user.id });
  fresh.passwordHash = hash;
  fresh.lastSignInAt = new Date();
  audit({ ...ctx, principal: null }, 'invitation.accept', { type: 'invitation', id: inv!.id }, null, { userId: user.id });
  await endSessionsOf(ctx, user.id);
  await ctx.em.flush();
  const { cookie } = await createSession(ctx, fresh, 'password');
  return { user: fresh, cookie };
}
