/**
 * Budget runway: at the current 7-day spend rate, when a budget runs out, and whether that is
 * before its next reset. The one place the forecast is computed: the limits explainer, the
 * Team / User / TeamMember fields and the runway warnings (runway-notices.ts) all call it.
 * The rate comes from the daily roll-ups (daily_key_spend: every budget kind but the customer's
 * is a sum over it): the last 7 full UTC days plus today so far, over the time they span.
 */
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { EntityManager } from '@mikro-orm/core';
import type { BudgetRef } from './ref.js';

const DAY_MS = 86_400_000;
/** full days before today that the rate reads */
export const RATE_DAYS = 7;

export type RunwayStatus = 'no_limit' | 'no_spend' | 'exhausted' | 'before_reset' | 'not_before_reset';

/** A budget's forecast. Money in nano-dollars; instants in ms. */
export interface Runway {
  status: RunwayStatus;
  /** spend per day at the 7-day rate (nano-dollars) */
  dailyRate: number;
  /** when the budget runs out at that rate, if before its reset (now when already out); null otherwise */
  exhaustedAt: number | null;
  /** whether it runs out before its next reset (always, without a reset, once spending) */
  beforeReset: boolean;
  /** days until exhaustedAt; null when it is null */
  daysLeft: number | null;
}

/** The rate window: from 00:00 UTC seven days before today up to now. */
export function rateWindow(now: number): { fromDay: string; toDay: string; days: number } {
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const from = today - RATE_DAYS * DAY_MS;
  return { fromDay: isoDay(from), toDay: isoDay(today), days: (now - from) / DAY_MS };
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);

/** Spend per day (nano-dollars) from what the rate window spent. */
export const dailyRateOf = (spentInWindow: number, now: number): number => Math.max(0, spentInWindow) / rateWindow(now).days;

/**
 * The forecast for one budget, pure. `spend` is what counts against `max` now (in-flight
 * estimates included, as the gateway admits); `resetAt` the next reset, null = never.
 */
export function forecast(b: { max: number | null; spend: number; resetAt: number | null }, dailyRate: number, now: number): Runway {
  const rate = Number.isFinite(dailyRate) && dailyRate > 0 ? dailyRate : 0;
  if (b.max === null) return { status: 'no_limit', dailyRate: rate, exhaustedAt: null, beforeReset: false, daysLeft: null };
  const left = b.max - b.spend;
  if (left <= 0) return { status: 'exhausted', dailyRate: rate, exhaustedAt: now, beforeReset: true, daysLeft: 0 };
  if (rate === 0) return { status: 'no_spend', dailyRate: 0, exhaustedAt: null, beforeReset: false, daysLeft: null };
  const daysLeft = left / rate;
  const at = now + daysLeft * DAY_MS;
  if (b.resetAt !== null && at >= b.resetAt) return { status: 'not_before_reset', dailyRate: rate, exhaustedAt: null, beforeReset: false, daysLeft: null };
  return { status: 'before_reset', dailyRate: rate, exhaustedAt: Math.round(at), beforeReset: true, daysLeft };
}

/** The rows of daily_key_spend a budget's spend is the sum of (the customer's lives elsewhere). */
function rollupFilter(ref: BudgetRef): { table: string; where: Record<string, string> } {
  switch (ref.kind) {
    case 'key':
      return { table: 'daily_key_spend', where: { key_id: ref.keyId } };
    case 'team':
      return { table: 'daily_key_spend', where: { team_id: ref.teamId } };
    case 'member':
      return { table: 'daily_key_spend', where: { team_id: ref.teamId, user_id: ref.userId } };
    // the user budget counts personal spend: the owner's keys outside any team
    case 'user':
      return { table: 'daily_key_spend', where: { user_id: ref.userId, team_id: '' } };
    case 'userTotal':
      return { table: 'daily_key_spend', where: { user_id: ref.userId } };
    case 'customer':
      return { table: 'daily_customer_spend', where: { end_user: ref.customerId } };
  }
}

/** The 7-day spend rate (nano-dollars per day) of a budget, from the daily roll-ups. */
export async function dailyRate(em: EntityManager, ref: BudgetRef, now: number): Promise<number> {
  const { fromDay, toDay } = rateWindow(now);
  const f = rollupFilter(ref);
  const knex = (em as SqlEntityManager).getKnex();
  const row = (await knex(f.table).where(f.where).where('day', '>=', fromDay).where('day', '<=', toDay).sum({ s: 'spend_nanos' }).first()) as { s: unknown } | undefined;
  return dailyRateOf(Number(row?.s ?? 0) || 0, now);
}

/** The forecast of a budget read from the database figures (max, spend, reset) and the roll-ups. */
export async function runwayOf(em: EntityManager, ref: BudgetRef, b: { max: number | null; spend: number; resetAt: number | null }, now = Date.now()): Promise<Runway> {
  // the rate is told without a limit too: what the budget would have to hold
  return forecast(b, await dailyRate(em, ref, now), now);
}
