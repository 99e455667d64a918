/** Display formatting: money, counts, dates. */

const usdFormat = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const smallUsd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', maximumSignificantDigits: 2 });
const countFormat = new Intl.NumberFormat('en-US');
const compactFormat = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });

/** USD with cents; amounts under a cent keep two significant digits ($0.0042), so small spend never shows as $0.00. */
export function usd(value: number | null | undefined): string {
  if (value == null) return '—';
  if (value !== 0 && Math.abs(value) < 0.01) return smallUsd.format(value);
  return usdFormat.format(value);
}

export const count = (value: number | null | undefined): string => (value == null ? '—' : countFormat.format(value));
export const compact = (value: number | null | undefined): string => (value == null ? '—' : compactFormat.format(value));
export const percent = (ratio: number): string => `${(ratio * 100).toFixed(ratio > 0 && ratio < 0.1 ? 1 : 0)}%`;

export function date(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleDateString('en-US', { year: 'numeric', month: 'short', day: 'numeric' });
}

export function dateTime(value: string | null | undefined): string {
  if (!value) return '—';
  return new Date(value).toLocaleString('en-US', { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' });
}

/** UTC day string (YYYY-MM-DD) `daysAgo` days before today. */
export function utcDay(daysAgo = 0, now = new Date()): string {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - daysAgo));
  return d.toISOString().slice(0, 10);
}
