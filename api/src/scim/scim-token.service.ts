import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { badInput, notFound } from '../common/errors.js';
import { newId, randomToken, sha256 } from '../common/ids.js';
import { checkString } from '../common/validate.js';
import { authorize } from '../permissions/authorize.js';
import { ScimToken } from './scim-token.entity.js';

/**
 * SCIM secrets start with `scim_`, never `sk-`: every other surface (gateway, REST, GraphQL)
 * refuses anything not shaped like an API key before any lookup, so a SCIM token works
 * nowhere else, and /scim accepts nothing but these.
 */
export const SCIM_TOKEN_PREFIX = 'scim_';

const snapshot = (t: ScimToken) => ({ name: t.name, hint: t.hint, revokedAt: t.revokedAt?.toISOString() ?? null });

export async function createScimToken(ctx: Ctx, name: string): Promise<{ token: ScimToken; secret: string }> {
  authorize(ctx.principal, 'scim.token.manage');
  checkString('name', name, 128);
  const clean = name.trim();
  if (!clean || /[\u0000-\u001f]/.test(clean)) throw badInput('name must be a non-empty line of text.', 'name');
  const secret = SCIM_TOKEN_PREFIX + randomToken(32);
  const t = new ScimToken();
  t.id = newId();
  t.name = clean;
  t.tokenHash = sha256(secret);
  t.hint = secret.slice(-4);
  t.createdBy = ctx.principal?.userId ?? null;
  ctx.em.persist(t);
  audit(ctx, 'scim_token.create', { type: 'scim_token', id: t.id }, null, snapshot(t));
  await ctx.em.flush();
  return { token: t, secret };
}

/** Where an IdP sends SCIM requests: <PROXY_BASE_URL>/scim/v2. */
export const scimBaseUrl = (ctx: Pick<Ctx, 'app'>): string => `${ctx.app.settings.baseUrl.replace(/\/$/, '')}/scim/v2`;

/** The base URL for the dashboard's SCIM page: for whoever may see the tokens. */
export function readScimBaseUrl(ctx: Ctx): string {
  authorize(ctx.principal, 'scim.token.read');
  return scimBaseUrl(ctx);
}

export async function listScimTokens(ctx: Ctx): Promise<ScimToken[]> {
  authorize(ctx.principal, 'scim.token.read');
  return ctx.em.find(ScimToken, {}, { orderBy: { createdAt: 'desc', id: 'asc' } });
}

export async function revokeScimToken(ctx: Ctx, id: string): Promise<ScimToken> {
  authorize(ctx.principal, 'scim.token.manage');
  checkString('id', id, 64);
  const t = await ctx.em.findOne(ScimToken, { id });
  if (!t) throw notFound('SCIM token not found.', 'id');
  if (!t.revokedAt) {
    const before = snapshot(t);
    t.revokedAt = new Date();
    audit(ctx, 'scim_token.revoke', { type: 'scim_token', id: t.id }, before, snapshot(t));
    await ctx.em.flush();
  }
  return t;
}

/** The live token a secret names, or null (unknown, revoked or not a SCIM secret). */
export async function scimTokenOf(ctx: Ctx, secret: string): Promise<ScimToken | null> {
  if (!secret.startsWith(SCIM_TOKEN_PREFIX) || secret.length > 128) return null;
  const t = await ctx.em.findOne(ScimToken, { tokenHash: sha256(secret) });
  if (!t || t.revokedAt) return null;
  // at most one write a minute per token: the IdP polls often
  if (!t.lastUsedAt || Date.now() - t.lastUsedAt.getTime() > 60_000) {
    t.lastUsedAt = new Date();
    await ctx.em.flush();
  }
  return t;
}
