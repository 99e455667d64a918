/** Money is integer micro-dollars inside (no float drift); APIs show USD numbers. */
export const MICROS_PER_USD = 1_000_000;

export function usdToMicros(usd: number): number {
  return Math.round(usd * MICROS_PER_USD);
}

export function microsToUsd(micros: number | null | undefined): number | null {
  if (micros === null || micros === undefined) return null;
  return micros / MICROS_PER_USD;
}
