import type { Ctx } from '../app/context.js';
import type { VirtualKey } from '../keys/key.entity.js';
import type { BudgetView } from './counted.js';
import { explainCaps, limitSpecsOf, type Cap } from './explain.js';
import type { BudgetCounters } from './ledger.js';
import { runwayOf, type Runway } from './runway.js';

/** Why a key may or may not call right now: its state and every cap, first the one that stops it first. */
export interface KeyLimitsView {
  callable: boolean;
  /** what stops a call now (state or cap), in the gateway's words; null when a call is admitted */
  refusal: string | null;
  caps: Array<Cap & { runway?: Runway }>;
}

/** What the explanation reads of a key snapshot (keys/key-cache.ts). */
export type LimitsSubject = Parameters<typeof limitSpecsOf>[0] & {
  blocked: boolean;
  teamBlocked: boolean;
  expiresAt: number | null;
  userId: string | null;
  keyName: string;
  budgets: BudgetView[];
};

/** The figures of the gateway's rate windows and parallel slots (gateway/limiter.ts). */
export interface RateFigures {
  counters(id: string, now: number): { requests: number; tokens: number; windowEndsAt: number };
  inFlight(scope: string, now: number): number;
}

/** The key's own state, as the gateway's authentication sees it. */
function stateRefusal(snap: LimitsSubject, now: number): string | null {
  if (snap.blocked) return snap.teamId && snap.userId ? 'The key is blocked (or its owner is no longer a member of its team).' : 'The key is blocked.';
  if (snap.teamBlocked) return 'The key’s team is blocked.';
  if (snap.expiresAt !== null && snap.expiresAt <= now) return 'The key has expired.';
  return null;
}

/**
 * Explains a snapshot with the gateway's own figures: the ledger for budgets (spend +
 * calls in flight), the limiter for this minute's requests, tokens and parallel slots.
 */
export function explainSnapshot(gw: { ledger: BudgetCounters; limiter: RateFigures }, snap: LimitsSubject, now = Date.now()): KeyLimitsView {
  const budgets = snap.budgets.map((b) => ({ kind: b.kind, ref: b.ref, label: b.label, max: b.max, window: b.window, ...gw.ledger.figures(b) }));
  const { specs, parallel } = limitSpecsOf(snap);
  const keyLabel = snap.budgets.find((b) => b.kind === 'key')?.label ?? `key ${snap.keyName}`;
  const counters = specs.map((s) => ({
    scope: s.scope,
    id: s.id,
    label: s.scope === 'team' ? `team ${snap.teamId}` : keyLabel,
    rpm: s.rpm,
    tpm: s.tpm,
    ...gw.limiter.counters(s.id, now),
  }));
  const caps = explainCaps(budgets, counters, { scope: parallel.scope, label: keyLabel, max: parallel.max, inFlight: gw.limiter.inFlight(parallel.scope, now) });
  const refusal = stateRefusal(snap, now) ?? caps.find((c) => c.refuses)?.message ?? null;
  return { callable: refusal === null, refusal, caps };
}

/** The caller has read the key already (VirtualKey is only reachable through key.read). */
export async function keyLimits(ctx: Ctx, key: VirtualKey): Promise<KeyLimitsView | null> {
  const gw = ctx.app.gateway;
  if (!gw) return null;
  // the very snapshot the gateway admits calls with (same cache, same TTL)
  const snap = await gw.keys.get(key.token);
  if (!snap) return null;
  const now = Date.now();
  const view = explainSnapshot(gw, snap, now);
  // each budget's forecast on the same figures the gateway admits with (spend + in flight)
  for (const c of view.caps) if (c.kind === 'budget' && c.ref) c.runway = await runwayOf(ctx.em, c.ref, { max: c.limit, spend: c.used + c.reserved, resetAt: c.resetsAt }, now);
  return view;
}
