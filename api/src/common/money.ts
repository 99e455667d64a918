/**
 * Money is integer nano-dollars inside (no float drift, and exact for the cheapest per-token
 * prices: a 10-token call on a $0.02-per-million model is 200 nano-dollars); APIs show USD
 * numbers. This module is the one place that converts between the two.
 *
 * Amounts are JS numbers, so one counter holds at most Number.MAX_SAFE_INTEGER nano-dollars
 * (2^53 − 1 ≈ $9,007,199.25); money the API accepts is capped at MAX_USD below that.
 */
export const NANOS_PER_USD = 1_000_000_000;

/** the largest USD amount a budget, spend correction or price-derived cost may be set to */
export const MAX_USD = 9_000_000;

/** the largest nano-dollar amount one counter (budget spend, roll-up cell, spend row) can hold exactly */
export const MAX_NANOS = Number.MAX_SAFE_INTEGER;

/** USD → whole nano-dollars, rounded once. */
export function usdToNanos(usd: number): number {
  return Math.round(usd * NANOS_PER_USD);
}

export function nanosToUsd(nanos: number | null | undefined): number | null {
  if (nanos === null || nanos === undefined) return null;
  return nanos / NANOS_PER_USD;
}

/** Nano-dollars as a USD string for messages: six decimals as before, up to nine when the amount needs them. */
export function formatUsd(nanos: number): string {
  const digits = nanos % 1000 === 0 ? 6 : nanos % 10 === 0 ? (nanos % 100 === 0 ? 7 : 8) : 9;
  return (nanos / NANOS_PER_USD).toFixed(digits);
}

/** Nano-dollars as the shortest plain USD string (`10`, `0.5`, `0.0000001`, never `1e-7`). */
export function plainUsd(nanos: number): string {
  return (nanos / NANOS_PER_USD).toFixed(9).replace(/\.?0+$/, '');
}
