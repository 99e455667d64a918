import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { badInput } from '../common/errors.js';
import { sha256 } from '../common/ids.js';
import { leakedKeyMail } from '../mail/templates.js';
import { VirtualKey } from './key.entity.js';

/** The secret-scanner contract: a reported secret is checked only by its hash, never stored or logged. */
const SECRET_SHAPE = /^sk-[\x21-\x7e]{1,253}$/;

/**
 * A secret seen in public (a scanner, a colleague): block its key, audit it, tell the owner.
 * Anyone may report (knowing the secret is the proof, and blocking is all it can do); the
 * answer is the same whether or not the secret was a live key, so it reveals nothing.
 */
export async function revokeLeakedKey(ctx: Ctx, secret: unknown, source: string | null): Promise<void> {
  if (typeof secret !== 'string' || !SECRET_SHAPE.test(secret)) throw badInput('key: expected the leaked secret (sk-...)', 'key');
  const where = source === null ? null : String(source).replace(/[^\x20-\x7e]/g, '').slice(0, 200) || null;
  const key = await ctx.em.findOne(VirtualKey, { token: sha256(secret) }, { populate: ['user'] });
  if (!key || key.blocked) return;
  key.blocked = true;
  audit(ctx, 'key.revoke_leaked', { type: 'key', id: key.id }, { blocked: false }, { blocked: true, reported_where: where });
  await ctx.em.flush();
  const payload = {
    event: 'key_leaked' as const,
    key_id: key.id,
    key_alias: key.keyAlias,
    key_name: key.keyName,
    user_id: key.user?.id ?? null,
    team_id: key.team?.id ?? null,
    reported_where: where,
    at: new Date().toISOString(),
  };
  const to = key.user?.email ?? null;
  void ctx.app.gateway?.alerts
    .notice(to ? leakedKeyMail(to, { ...payload, dashboard: `${ctx.app.settings.baseUrl}/ui/keys/${encodeURIComponent(key.id)}` }) : null, payload)
    .catch((e) => ctx.app.log.warn(`leaked-key notice not sent: ${(e as Error).message}`));
}
