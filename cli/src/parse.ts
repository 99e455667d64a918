import { InvalidArgumentError } from 'commander';

/*
 * Option parsers: every value is checked here, so a bad one is a usage error (exit 2) named
 * before any request is sent. The server checks everything again; these only refuse what can
 * never be right.
 */

const CONTROL = /[\u0000-\u001f\u007f]/;

export function text(value: string): string {
  if (CONTROL.test(value)) throw new InvalidArgumentError('Must not contain control characters.');
  if (!value.trim()) throw new InvalidArgumentError('Must not be empty.');
  return value;
}

/** USD: a finite number ≥ 0 (so no `-1`, no `1e309`, which is Infinity). */
export function usd(value: string): number {
  const n = /^\s*\d+(\.\d+)?([eE][+-]?\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError('Must be a finite amount of USD, 0 or more.');
  return n;
}

/** A positive integer that fits GraphQL's Int. */
export function count(value: string): number {
  const n = /^\s*\d+\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > 2 ** 31 - 1) throw new InvalidArgumentError('Must be a whole number from 1 to 2147483647.');
  return n;
}

/** Purser's duration grammar: an integer and s, m, h, d, w or mo (`30d`, `1mo`). */
const DURATION = /^([1-9]\d{0,5})(s|m|h|d|w|mo)$/;

export function duration(value: string): string {
  if (!DURATION.test(value)) throw new InvalidArgumentError('Must be a duration: a whole number and s, m, h, d, w or mo (e.g. 30d, 1mo).');
  return value;
}

/** A UTC day, YYYY-MM-DD, that exists. */
export function day(value: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const d = m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
  if (!d || d.toISOString().slice(0, 10) !== value) throw new InvalidArgumentError('Must be a date, YYYY-MM-DD.');
  return value;
}

/** `a,b` → ['a', 'b']. */
export function list(value: string): string[] {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => !s)) throw new InvalidArgumentError('Must be a comma-separated list without empty items.');
  items.forEach(text);
  return items;
}

export function oneOf<T extends string>(allowed: readonly T[]) {
  return (value: string): T => {
    if (!(allowed as readonly string[]).includes(value)) throw new InvalidArgumentError(`Must be one of ${allowed.join(', ')}.`);
    return value as T;
  };
}

/** Repeatable option: each value parsed, all kept. */
export function repeated<T>(parse: (v: string) => T) {
  return (value: string, previous: T[] | undefined): T[] => [...(previous ?? []), parse(value)];
}

/** `--since 7d`: the UTC day that long ago, to today. */
export function sinceRange(since: string, now = new Date()): { from: string; to: string } {
  const [, n, unit] = DURATION.exec(since)!;
  const from = new Date(now);
  const amount = Number(n);
  if (unit === 'mo') from.setUTCMonth(from.getUTCMonth() - amount);
  else from.setTime(from.getTime() - amount * { s: 1e3, m: 6e4, h: 36e5, d: 864e5, w: 6048e5 }[unit as 's']);
  return { from: from.toISOString().slice(0, 10), to: now.toISOString().slice(0, 10) };
}
