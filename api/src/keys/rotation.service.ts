import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import type { MikroORM } from '@mikro-orm/core';
import type { App, Ctx, Logger } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { authorize } from '../permissions/authorize.js';
import { AppError, badInput } from '../common/errors.js';
import { randomToken, sha256 } from '../common/ids.js';
import { keyRotatedMail } from '../mail/templates.js';
import { durationSeconds, parseDuration } from '../time/durations.js';
import { KeyClaim } from './key-claim.entity.js';
import { VirtualKey } from './key.entity.js';
import { keySnapshot, setSecret } from './key.service.js';
import type { NoticeSink } from './expiry-notices.js';
import { nextRotation } from './rotation.js';

/** The encryption key of a claim: derived from the link token, which only the mail holds. */
const sealKey = (token: string) => createHash('sha256').update('purser-key-claim\0').update(token).digest();

export function seal(secret: string, token: string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', sealKey(token), iv);
  const body = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return [iv, c.getAuthTag(), body].map((b) => b.toString('base64url')).join('.');
}

function unseal(sealed: string, token: string): string | null {
  const [iv, tag, body] = sealed.split('.').map((p) => Buffer.from(p, 'base64url'));
  try {
    const d = createDecipheriv('aes-256-gcm', sealKey(token), iv!);
    d.setAuthTag(tag!);
    return Buffer.concat([d.update(body!), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}

/** One message for every refused claim: never says whether the link existed, was used or expired. */
const claimRefused = () => new AppError('NOT_FOUND', 'This link is invalid, expired or already used.', 'token');

/**
 * The new secret of a scheduled rotation, once, to whoever holds the link (the token is the
 * proof, as with invitation links); a signed-in caller other than the key's owner is refused,
 * so a link opened in someone else's session does not hand them the owner's secret.
 */
export async function claimRotatedKey(ctx: Ctx, token: unknown): Promise<{ secret: string; key: VirtualKey }> {
  authorize(ctx.principal, 'key.claim_rotated');
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{20,128}$/.test(token)) throw badInput('token: expected the token of a key link', 'token');
  return ctx.em.transactional(async (em) => {
    const claim = await em.findOne(KeyClaim, { tokenHash: sha256(token) });
    if (!claim || claim.expiresAt.getTime() <= Date.now()) throw claimRefused();
    const key = await em.findOne(VirtualKey, { id: claim.keyId }, { populate: ['user', 'team'] });
    const secret = unseal(claim.sealed, token);
    if (!key || !secret || sha256(secret) !== key.token) {
      // a later rotation (or deletion) made this secret moot
      em.remove(claim);
      await em.flush();
      throw claimRefused();
    }
    const me = ctx.principal?.userId ?? null;
    if (me && me !== key.user?.id) throw claimRefused();
    // delete-then-answer in one transaction: two concurrent claims cannot both get it
    const gone = await em.nativeDelete(KeyClaim, { tokenHash: claim.tokenHash });
    if (gone !== 1) throw claimRefused();
    audit({ ...ctx, em }, 'key.rotation_claim', { type: 'key', id: key.id }, null, { keyName: key.keyName });
    await em.flush();
    return { secret, key };
  });
}

/**
 * Scheduled rotation (auto_rotate + rotation_interval), a duty of the budget reset job (one
 * process per database): due keys get a new secret, the old one keeps working for
 * general_settings.key_rotation_grace_period, and the owner gets a one-time link to the new
 * secret by mail, never the secret itself. A key whose owner cannot be mailed is not rotated
 * (its old secret would stop with nobody holding the new one). Also forgets grace periods
 * that are over, so their hashes' cache entries are purged by the change events.
 */
export class ScheduledRotations {
  constructor(
    private readonly orm: MikroORM,
    private readonly app: App,
    private readonly sink: NoticeSink,
    private readonly log: Logger,
  ) {}

  async run(now = new Date()): Promise<number> {
    const em = this.orm.em.fork();
    const ctx: Ctx = { app: this.app, em, principal: null };
    const ended = await em.find(VirtualKey, { previousTokenUntil: { $lte: now } }, { limit: 10_000 });
    for (const k of ended) {
      audit(ctx, 'key.rotation_grace_end', { type: 'key', id: k.id }, { rotatingUntil: k.previousTokenUntil!.toISOString() }, null);
      k.previousToken = null;
      k.previousTokenUntil = null;
    }
    await em.nativeDelete(KeyClaim, { expiresAt: { $lte: now } });
    const due = await em.find(VirtualKey, { autoRotate: true, nextRotationAt: { $lte: now }, blocked: false }, { populate: ['user'], limit: 1000 });
    const gs = this.app.settings.config.general_settings;
    const graceMs = durationSeconds(parseDuration(gs.key_rotation_grace_period ?? '24h')) * 1000;
    const linkMs = Math.max(graceMs, durationSeconds(parseDuration(gs.invitation_link_duration ?? '7d')) * 1000);
    const mailer = this.app.mailer;
    const out: Array<{ k: VirtualKey; to: string; link: string }> = [];
    for (const k of due) {
      const to = k.user?.email ?? null;
      if (!mailer || !to) {
        this.log.warn(`key ${k.id} is due for rotation but its owner cannot be mailed the new secret: not rotated`);
        continue;
      }
      const before = keySnapshot(k);
      const secret = setSecret(k, graceMs);
      k.nextRotationAt = nextRotation(k.rotationInterval ?? '30d', now);
      const token = randomToken(32);
      const claim = new KeyClaim();
      claim.tokenHash = sha256(token);
      claim.keyId = k.id;
      claim.sealed = seal(secret, token);
      claim.expiresAt = new Date(now.getTime() + linkMs);
      em.persist(claim);
      audit(ctx, 'key.rotate_scheduled', { type: 'key', id: k.id }, before, { ...keySnapshot(k), gracePeriod: gs.key_rotation_grace_period ?? '24h' });
      out.push({ k, to, link: `${this.app.settings.baseUrl}/ui/keys/claim/${token}` });
    }
    await em.flush();
    for (const { k, to, link } of out) {
      const payload = {
        event: 'key_rotated' as const,
        key_id: k.id,
        key_alias: k.keyAlias,
        key_name: k.keyName,
        user_id: k.user?.id ?? null,
        team_id: k.team?.id ?? null,
        previous_secret_valid_until: k.previousTokenUntil?.toISOString() ?? null,
        at: now.toISOString(),
      };
      await mailer!
        .send(keyRotatedMail(to, { ...payload, link }))
        .catch((e) => this.log.warn(`key rotation mail not sent: ${(e as Error).message}`));
      // the webhook hears of it too, without the link (that is the owner's alone)
      if (this.sink.enabled) await this.sink.notice(null, payload).catch((e) => this.log.warn(`key rotation notice not sent: ${(e as Error).message}`));
    }
    return out.length;
  }
}
