import { timingSafeEqual } from 'node:crypto';
import type { App, Ctx } from '../app/context.js';
import { AppError } from '../common/errors.js';
import { plausibleSecret, sha256 } from '../common/ids.js';
import type { KeyCache, KeySnapshot } from '../keys/key-cache.js';
import type { TeamRole } from '../permissions/roles.js';
import { TeamMembership } from '../teams/membership.entity.js';
import type { User } from '../users/user.entity.js';
import { type AuthMethod, type Principal } from './principal.js';
import { findSession } from './session.service.js';

/** One generic message: never says whether a key exists, and never echoes it or its hash. */
export const invalidKey = (type = 'auth_error') => new AppError('UNAUTHENTICATED', KEY_REFUSED, null, type);

/** The API key of a request on every surface (REST, GraphQL, /v1), in this order of headers. */
export const API_KEY_HEADERS = ['authorization', 'x-api-key', 'api-key', 'x-litellm-api-key'] as const;

/**
 * The secret a request sends: `Authorization: Bearer <key>` (or the bare key), else OpenAI's
 * and Anthropic's `x-api-key`, Azure's `api-key`, LiteLLM's `x-litellm-api-key`. Never cookies.
 */
export function apiKeyOf(headers: Record<string, string | string[] | undefined>): string | null {
  for (const name of API_KEY_HEADERS) {
    const v = headers[name];
    if (typeof v !== 'string') continue;
    const secret = (name === 'authorization' ? v.trim().replace(/^Bearer\s+/i, '') : v).trim();
    if (secret) return secret;
  }
  return null;
}

export function isMasterKey(app: App, secret: string): boolean {
  const a = Buffer.from(sha256(secret), 'hex');
  const b = Buffer.from(app.settings.masterKeyHash, 'hex');
  return timingSafeEqual(a, b);
}

/** Why a key is refused: the surface answers in its own envelope, with the same words. */
export type KeyRefusal = 'invalid' | 'expired';

/** The one message for a refused key on every surface: never says whether it exists. */
export const KEY_REFUSED = 'Authentication Error: invalid, expired or blocked API key.';

/**
 * The one credential check of REST, GraphQL and the gateway: the key's snapshot from the
 * shared cache (keys/key-cache.ts), or the reason it is refused.
 */
export async function snapshotOfSecret(keys: KeyCache, secret: string): Promise<KeySnapshot | KeyRefusal> {
  // a stored hash or a mistyped key (checksum) is not a credential: refused before any lookup
  if (!plausibleSecret(secret)) return 'invalid';
  const snap = await keys.get(sha256(secret));
  if (!snap || snap.blocked || snap.teamBlocked) return 'invalid';
  if (snap.expiresAt !== null && snap.expiresAt <= Date.now()) return 'expired';
  return snap;
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

/** The master key or an `sk-...` key → Principal, from the cache the gateway uses; anything else is a 401. */
export async function principalFromSecret(ctx: Pick<Ctx, 'app'>, secret: string): Promise<Principal> {
  const keys = ctx.app.keys;
  const snap = await snapshotOfSecret(keys, secret);
  if (snap === 'invalid') throw invalidKey();
  if (snap === 'expired') throw invalidKey('expired_key');
  // the master key's snapshot has no key id (keys/key-cache.ts)
  const method: AuthMethod = snap.keyId === null ? 'master_key' : 'virtual_key';
  const keyId = snap.keyId === null ? {} : { keyId: snap.keyId };
  if (!snap.userId)
    return { method, userId: null, role: null, email: null, teams: new Map(), ...keyId, ...(snap.teamId ? { keyTeamId: snap.teamId } : {}) };
  return { method, userId: snap.userId, role: snap.role, email: snap.userEmail, teams: new Map(await keys.teamsOf(snap.userId)), ...keyId };
}

export async function principalFromSession(ctx: Pick<Ctx, 'em' | 'app'>, cookie: string): Promise<Principal | null> {
  const s = await findSession(ctx as Ctx, cookie);
  if (!s) return null;
  return { ...(await principalForUser(ctx, s.user, 'session')), sessionId: s.id };
}
