import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { DEFAULT_USER_ID, systemPrincipal } from '../auth/principal.js';
import { createSession, endSessionsOf } from '../auth/session.service.js';
import { sessionRefusal } from '../auth/session-policy.js';
import type { Role } from '../permissions/roles.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { addMembership, endMembership } from '../teams/membership.service.js';
import { Team } from '../teams/team.entity.js';
import { createTeam } from '../teams/team.service.js';
import { User } from '../users/user.entity.js';
import { createUser, emailKey, resolveNewUser } from '../users/user.service.js';
import { userSnapshot } from '../users/user.snapshot.js';
import type { SsoIdentity } from './claims.js';
import { SsoFlowError } from './oidc.js';

/**
 * SSO writes act as the system principal (audited as such): the IdP, not a person, made the
 * change, and the permission map grants that job exactly what it needs (users, teams).
 */
const SYSTEM = systemPrincipal('sso');

export interface TeamSyncResult {
  joined: string[];
  created: string[];
  removed: string[];
  skipped: string[];
}

/** Which group ids may become teams: sso_team_id_pattern filters real IdPs' dozens of groups. */
export function syncableTeamIds(ctx: Ctx, ids: string[]): { kept: string[]; skipped: string[] } {
  const pattern = ctx.app.settings.config.general_settings.sso_team_id_pattern;
  if (!pattern) return { kept: ids, skipped: [] };
  const re = new RegExp(pattern);
  return { kept: ids.filter((id) => re.test(id)), skipped: ids.filter((id) => !re.test(id)) };
}

function refuse(title: string, message: string, advice: string, status = 403): never {
  throw new SsoFlowError(status, title, message, advice);
}

/** The checks that must pass before anything is written. */
function checkAllowed(ctx: Ctx, who: SsoIdentity) {
  const env = ctx.app.settings.env;
  if (!who.id.value) refuse('Sign-in refused', 'The identity provider sent no user id.', 'Ask your admin to check the user id attribute (GENERIC_USER_ID_ATTRIBUTE).', 400);
  const domains = env.ALLOWED_EMAIL_DOMAINS?.split(',').map((d) => d.trim().toLowerCase()).filter(Boolean) ?? [];
  if (domains.length) {
    const email = who.email.value;
    const domain = email?.split('@')[1]?.toLowerCase();
    if (!email || !who.emailVerified || !domain || !domains.includes(domain))
      refuse(
        'Email domain not allowed',
        email ? `The email ${email}${who.emailVerified ? '' : ' (not verified by the identity provider)'} is not in an allowed domain (${domains.join(', ')}).` : 'The identity provider sent no email address.',
        'Sign in with your company account, or ask your admin to allow your domain.',
      );
  }
}

/**
 * Signs an SSO identity in: find by SSO id; else link by email (only a verified email, and
 * never to a proxy_admin); else create by the one creation rule. Applies an IdP role and
 * PROXY_ADMIN_ID, syncs teams, refuses admin_only for non-admins. One transaction: a refusal
 * changes nothing.
 */
export async function signInWithSso(ctx: Ctx, who: SsoIdentity): Promise<{ user: User; cookie: string; teams: TeamSyncResult }> {
  checkAllowed(ctx, who);
  const env = ctx.app.settings.env;
  // an email the IdP does not vouch for is never stored: "add member by email" trusts it
  const verifiedEmail = who.emailVerified ? who.email.value : null;
  return ctx.em.transactional(async (em) => {
    const tx: Ctx = { ...ctx, em, principal: SYSTEM };
    const ssoId = who.id.value!;
    let user = await em.findOne(User, { ssoId });
    let created = false;
    if (!user && who.email.value) {
      const byEmail = await em.findOne(User, { emailKey: emailKey(who.email.value) });
      if (byEmail) {
        if (!who.emailVerified)
          refuse('Account not linked', `An account with ${who.email.value} exists, but the identity provider did not mark this email verified, so it cannot be linked.`, 'Ask your admin to link the account or to have the IdP verify the email.');
        if (byEmail.ssoId && byEmail.ssoId !== ssoId)
          refuse('Account not linked', `${who.email.value} is already linked to another SSO identity.`, 'Ask your admin to check the account; it is never re-linked automatically.');
        if (byEmail.role === 'proxy_admin' || byEmail.id === DEFAULT_USER_ID)
          refuse('Account not linked', `${who.email.value} belongs to a proxy admin account, which is never linked to SSO automatically.`, 'Sign in with email and password, or ask another admin to link it.');
        const before = userSnapshot(byEmail);
        byEmail.ssoId = ssoId;
        audit(tx, 'user.sso_link', { type: 'user', id: byEmail.id }, before, userSnapshot(byEmail));
        user = byEmail;
      }
    }
    // the role the user will have, decided before anything is written
    let role: Role;
    if (user) role = who.role.value ?? user.role;
    else role = resolveNewUser(tx, { role: who.role.value ?? undefined }).role;
    if (env.PROXY_ADMIN_ID?.trim() && env.PROXY_ADMIN_ID.trim() === ssoId) role = 'proxy_admin';
    const noSession = sessionRefusal(ctx.app, { role });
    if (noSession) refuse('Sign-in limited to admins', noSession.message, 'Ask your admin for access, or use an API key.');

    if (!user) {
      user = await createUser(
        tx,
        { userId: ssoId.length <= 128 ? ssoId : undefined, ssoId, email: verifiedEmail, alias: who.name.value, role, metadata: { auth_provider: 'sso' } },
      );
      created = true;
    } else {
      const before = userSnapshot(user);
      if (verifiedEmail && emailKey(verifiedEmail) !== user.emailKey) {
        const taken = await em.findOne(User, { emailKey: emailKey(verifiedEmail) });
        if (!taken) {
          user.email = verifiedEmail;
          user.emailKey = emailKey(verifiedEmail);
        }
      }
      if (who.name.value) user.alias = who.name.value;
      const roleChanged = role !== user.role;
      user.role = role;
      if (JSON.stringify(before) !== JSON.stringify(userSnapshot(user)))
        audit(tx, 'user.sso_update', { type: 'user', id: user.id }, before, userSnapshot(user));
      if (roleChanged) await endSessionsOf(tx, user.id);
    }
    user.lastSignInAt = new Date();
    await em.flush();
    const teams = await syncTeams(tx, user, who.teamIds.value, created);
    const { cookie } = await createSession({ ...tx, principal: null }, user, 'sso');
    return { user, cookie, teams };
  });
}

/**
 * Team sync from the IdP's group ids: existing teams are joined as `user` and nothing about
 * them changes; missing teams are created with the group id and default_team_params;
 * `authoritative` removes `sso` memberships the IdP no longer lists, never `manual` ones.
 */
export async function syncTeams(tx: Ctx, user: User, groupIds: string[], _newUser = false): Promise<TeamSyncResult> {
  const { kept, skipped } = syncableTeamIds(tx, groupIds);
  const result: TeamSyncResult = { joined: [], created: [], removed: [], skipped };
  const memberships = await tx.em.find(TeamMembership, { user: user.id }, { populate: ['team'] });
  const current = new Map(memberships.map((m) => [m.team.id, m]));
  for (const teamId of kept) {
    if (current.has(teamId)) continue;
    let team = await tx.em.findOne(Team, { id: teamId });
    if (!team) {
      team = await createTeam(tx, { teamId, teamAlias: teamId }, 'sso');
      result.created.push(teamId);
    }
    addMembership(tx, user, team, 'user', 'sso');
    result.joined.push(teamId);
  }
  if (tx.app.settings.config.general_settings.sso_team_sync === 'authoritative') {
    for (const m of memberships) {
      if (m.source !== 'sso' || kept.includes(m.team.id)) continue;
      await endMembership(tx, m);
      result.removed.push(m.team.id);
    }
  }
  await tx.em.flush();
  return result;
}
