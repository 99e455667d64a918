import { timingSafeEqual } from 'node:crypto';
import type { App, Ctx } from '../app/context.js';
import { AppError } from '../common/errors.js';
import { plausibleSecret, sha256 } from '../common/ids.js';
import { VirtualKey } from '../keys/key.entity.js';
import type { TeamRole } from '../permissions/roles.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { User } from '../users/user.entity.js';
import { DEFAULT_USER_ID, type AuthMethod, type Principal } from './principal.js';
import { findSession } from './session.service.js';

/** One generic message: never says whether a key exists, and never echoes it or its hash. */
export const invalidKey = (type = 'auth_error') =>
  new AppError('UNAUTHENTICATED', 'Authentication Error: invalid, expired or blocked API key.', null, type);

export function bearerOf(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+(.+)$/i.exec(header.trim());
  return m ? m[1]!.trim() : header.trim();
}

export function isMasterKey(app: App, secret: string): boolean {
  const a = Buffer.from(sha256(secret), 'hex');
  const b = Buffer.from(app.settings.masterKeyHash, 'hex');
  return timingSafeEqual(a, b);
}

export async function principalForUser(ctx: Pick<Ctx, 'em'>, user: User, method: AuthMethod): Promise<Principal> {
  const ms = await ctx.em.find(TeamMembership, { user: user.id }, { fields: ['team', 'role'] });
  return {
    method,
    userId: user.id,
    role: user.role,
    email: user.email,
    teams: new Map(ms.map((m) => [m.team.id, m.role as TeamRole])),
  };
}

/** `Authorization: Bearer <master key | sk-...>` → Principal; anything else is a 401. */
export async function principalFromSecret(ctx: Pick<Ctx, 'em' | 'app'>, secret: string): Promise<Principal> {
  if (isMasterKey(ctx.app, secret)) {
    const admin = await ctx.em.findOneOrFail(User, { id: DEFAULT_USER_ID });
    return principalForUser(ctx, admin, 'master_key');
  }
  // a stored hash or a mistyped key is not a credential: refused before any lookup
  if (!plausibleSecret(secret)) throw invalidKey();
  const key = await ctx.em.findOne(VirtualKey, { token: sha256(secret) }, { populate: ['user', 'team'] });
  if (!key || key.blocked || key.team?.blocked) throw invalidKey();
  if (key.expiresAt && key.expiresAt.getTime() <= Date.now()) throw invalidKey('expired_key');
  if (!key.user)
    return { method: 'virtual_key', userId: null, role: null, email: null, teams: new Map(), keyId: key.id, ...(key.team ? { keyTeamId: key.team.id } : {}) };
  return { ...(await principalForUser(ctx, key.user, 'virtual_key')), keyId: key.id };
}

export async function principalFromSession(ctx: Pick<Ctx, 'em' | 'app'>, cookie: string): Promise<Principal | null> {
  const s = await findSession(ctx as Ctx, cookie);
  if (!s) return null;
  return { ...(await principalForUser(ctx, s.user, 'session')), sessionId: s.id };
}
