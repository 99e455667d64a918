/**
 * Key rotation rules: the grace period of a regenerated key (the previous secret keeps working
 * until it ends) and the schedule of keys with auto_rotate. Only hashes are kept: the previous
 * secret's SHA-256 and when it stops.
 */
import type { Ctx } from '../app/context.js';
import { badInput } from '../common/errors.js';
import { durationSeconds, parseDuration, DurationError } from '../time/durations.js';
import type { VirtualKey } from './key.entity.js';

/** A grace or interval as milliseconds; bad input is a 400 naming the field. */
export function readPositiveDuration(field: string, v: unknown): number {
  if (typeof v !== 'string') throw badInput(`${field}: expected a duration string such as 24h`, field);
  let ms: number;
  try {
    ms = durationSeconds(parseDuration(v)) * 1000;
  } catch (e) {
    if (e instanceof DurationError) throw badInput(`${field}: ${e.message}`, field);
    throw e;
  }
  if (!(ms >= 1000)) throw badInput(`${field}: must be at least 1s`, field);
  return ms;
}

/** general_settings.key_rotation_max_grace_period as ms (default 7d). */
export function maxGraceMs(ctx: Pick<Ctx, 'app'>): number {
  return durationSeconds(parseDuration(ctx.app.settings.config.general_settings.key_rotation_max_grace_period ?? '7d')) * 1000;
}

/** Grace periods the dashboard offers; only those within the configured maximum are shown. */
const GRACE_CHOICES = ['1h', '24h', '7d'];

/** What a regeneration may ask for: the configured ceiling and the choices within it (the ceiling included). */
export function rotationOptions(ctx: Pick<Ctx, 'app'>): { maxGracePeriod: string; gracePeriodChoices: string[]; scheduledGracePeriod: string } {
  const gs = ctx.app.settings.config.general_settings;
  const max = gs.key_rotation_max_grace_period ?? '7d';
  const maxMs = maxGraceMs(ctx);
  const ms = (d: string) => durationSeconds(parseDuration(d)) * 1000;
  const choices = GRACE_CHOICES.filter((c) => ms(c) < maxMs);
  return { maxGracePeriod: max, gracePeriodChoices: [...choices, parseDuration(max).text], scheduledGracePeriod: gs.key_rotation_grace_period ?? '24h' };
}

/** A requested grace (absent/null = none), checked against the ceiling. */
export function readGrace(ctx: Pick<Ctx, 'app'>, field: string, v: string | null | undefined): number | null {
  if (v === undefined || v === null) return null;
  const ms = readPositiveDuration(field, v);
  const max = ctx.app.settings.config.general_settings.key_rotation_max_grace_period ?? '7d';
  if (ms > maxGraceMs(ctx)) throw badInput(`${field}: ${v} exceeds general_settings.key_rotation_max_grace_period (${max})`, field);
  return ms;
}

/**
 * Gives the key its new hash. With a grace, the old hash stays valid until then; without one
 * it stops at once. Either way a grace still running (an earlier rotation's) ends now: only
 * one previous secret is ever accepted.
 */
export function rotateHash(k: VirtualKey, newHash: string, graceMs: number | null, now = new Date()): void {
  if (graceMs) {
    k.previousToken = k.token;
    k.previousTokenUntil = new Date(now.getTime() + graceMs);
  } else {
    k.previousToken = null;
    k.previousTokenUntil = null;
  }
  k.token = newHash;
}

/** The instant a key with auto_rotate is next due, from `from`. */
export function nextRotation(interval: string, from = new Date()): Date {
  return new Date(from.getTime() + durationSeconds(parseDuration(interval)) * 1000);
}
