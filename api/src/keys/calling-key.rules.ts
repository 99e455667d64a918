import type { Ctx } from '../app/context.js';
import { forbidden } from '../common/errors.js';
import { VirtualKey } from './key.entity.js';
import { current, raises, size } from './key-limits.js';
import type { KeyMode, KeyParams } from './key.rules.js';
import { coveredBy, intersectNames } from '../models/model-names.js';

const CALLER_LIMITS = ['maxBudget', 'tpmLimit', 'rpmLimit', 'maxParallelRequests'] as const;

/**
 * A virtual key on the management API mints or changes keys only within its own models,
 * max_budget, rpm/tpm/parallel limits and expiry (a key limited to one model and $0.01 cannot
 * mint a key with every model and $10). Runs after defaults, bounds and the owner's ceiling:
 * values the caller gave explicitly (`explicit`) above the calling key are refused; values
 * filled in (defaults, bounds) are narrowed to the calling key, so the new key is never wider
 * than the one that made it. Master key and sessions are untouched. A deliberate difference
 * from LiteLLM.
 */
export async function applyCallingKeyCeiling(ctx: Ctx, mode: KeyMode, explicit: KeyParams, v: KeyParams, existing?: VirtualKey): Promise<void> {
  const p = ctx.principal!;
  if (p.method !== 'virtual_key' || !p.keyId) return;
  const caller = await ctx.em.findOne(VirtualKey, { id: p.keyId }, { populate: ['user', 'team'] });
  if (!caller) return;
  const why = 'a key used on the management API can only grant what it has itself';
  const models = callerModels(caller);
  if (models) {
    // an empty list means "every model" on a key: a key that may call none cannot grant any
    if (!models.length) throw forbidden(`The calling key may use no model: ${why}.`);
    if (explicit.models?.length) {
      const outside = explicit.models.filter((m) => !coveredBy(models, m));
      if (outside.length) throw forbidden(`models ${JSON.stringify(outside)} are outside the calling key's models (${JSON.stringify(models)}): ${why}.`);
    } else if (mode === 'generate' || explicit.models !== undefined) {
      const inside = (v.models ?? []).filter((m) => coveredBy(models, m));
      v.models = inside.length ? inside : [...models];
    }
  }
  for (const field of CALLER_LIMITS) {
    const cap = caller[field];
    if (cap === null) continue;
    if (explicit[field] === undefined) {
      if (mode === 'generate' && size(field, v[field] ?? null) > cap) v[field] = cap;
      continue;
    }
    if (mode !== 'generate' && !raises(field, v[field], current(existing!, field))) continue;
    if (size(field, v[field]) > cap) throw forbidden(`${field} ${v[field] === null ? '(none)' : v[field]} is above the calling key's ${field} ${cap}: ${why}.`);
  }
  if (caller.expiresAt) {
    const left = Math.max(1, Math.floor((caller.expiresAt.getTime() - Date.now()) / 1000));
    if (explicit.duration === undefined) {
      if (mode === 'generate' && size('duration', v.duration ?? null) > left) v.duration = `${left}s`;
    } else if (size('duration', v.duration) > left)
      throw forbidden(`duration ${v.duration ?? '(none)'} outlives the calling key, which expires at ${caller.expiresAt.toISOString()}: ${why}.`);
  }
}

/** The models a key may call: its own list, narrowed by its team's or owner's; null = all. */
function callerModels(k: VirtualKey): string[] | null {
  const own = k.models.filter((m) => m !== 'all-team-models');
  const parent = (k.team ? k.team.models : (k.user?.models ?? [])).filter((m) => m !== 'all-team-models' && m !== 'no-default-models');
  if (k.user && !k.team && k.user.models.includes('no-default-models')) return [];
  // wildcard entries (`openrouter/*`) narrow as the names they cover
  if (own.length && parent.length) return [...intersectNames(own, parent)];
  if (own.length) return own;
  return parent.length ? parent : null;
}
