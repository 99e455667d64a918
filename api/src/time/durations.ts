/**
 * The one place that reads durations ("30d", "1mo") and computes expiry and budget-reset
 * instants. Grammar and reset rules: /work/shared/ROLES.md "Durations and resets".
 * Wall-clock arithmetic goes through luxon in the configured zone so DST days are handled.
 */
import { DateTime, IANAZone } from 'luxon';

export type DurationUnit = 's' | 'm' | 'h' | 'd' | 'w' | 'mo';

export interface Duration {
  amount: number;
  unit: DurationUnit;
  /** normalised form, e.g. "24h" for an input of "24hr" */
  text: string;
  /** the string as written (trimmed); set by parseDuration */
  input?: string;
  /** true when trailing letters after the unit were tolerated ("24hr", "30days") */
  lenient: boolean;
}

export class DurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DurationError';
  }
}

export const DURATION_EXAMPLES = '30s, 30m, 24h, 7d, 1w, 1mo';

const UNIT_SECONDS: Record<DurationUnit, number> = {
  s: 1,
  m: 60,
  h: 3600,
  d: 86_400,
  w: 7 * 86_400,
  mo: 30 * 86_400,
};

const LUXON_UNIT = {
  s: 'seconds',
  m: 'minutes',
  h: 'hours',
  d: 'days',
  w: 'weeks',
  mo: 'months',
} as const satisfies Record<DurationUnit, string>;

// `mo` must be tried before `m`, as in LiteLLM's `^(\d+)(mo|[smhdw])`; trailing letters are
// what LiteLLM silently ignores ("24hr"), we accept them but flag them.
const DURATION_RE = /^(\d+)(mo|[smhdw])([a-zA-Z]*)$/;

/** Longest accepted duration: beyond this, date arithmetic stops being meaningful. */
const MAX_SECONDS = 1000 * 365 * 86_400;

function quote(value: string): string {
  const json = JSON.stringify(value);
  return json.length > 40 ? `${json.slice(0, 39)}…` : json;
}

/** Message shared with the config loader so both surfaces say the same thing. */
export function durationMessage(got: string, extra = ''): string {
  return `expected a duration like ${DURATION_EXAMPLES}${extra}, got ${got}`;
}

export function parseDuration(text: string): Duration {
  if (typeof text !== 'string') {
    throw new DurationError(durationMessage(String(text)));
  }
  const input = text.trim();
  const match = DURATION_RE.exec(input);
  if (!match) throw new DurationError(durationMessage(quote(text)));
  const amount = Number(match[1]);
  const unit = match[2] as DurationUnit;
  if (amount === 0) {
    // "0d" would mean "reset continuously" / "already expired": never what was meant.
    throw new DurationError(durationMessage(quote(text), ' (greater than zero)'));
  }
  if (!Number.isSafeInteger(amount) || amount * UNIT_SECONDS[unit] > MAX_SECONDS) {
    throw new DurationError(durationMessage(quote(text), ' (at most 1000 years)'));
  }
  return { amount, unit, text: `${amount}${unit}`, input, lenient: match[3] !== '' };
}

/** '-1', 'none', 'null' (any case), the number -1 and null mean "no duration" on update. */
export function isNoDuration(value: unknown): boolean {
  if (value === null || value === -1) return true;
  if (typeof value !== 'string') return false;
  return ['-1', 'none', 'null'].includes(value.trim().toLowerCase());
}

export function isValidTimeZone(tz: string): boolean {
  return typeof tz === 'string' && tz.length > 0 && IANAZone.isValidZone(tz);
}

function inZone(instant: Date, tz: string): DateTime {
  if (!isValidTimeZone(tz)) throw new DurationError(`unknown time zone ${quote(tz)}`);
  return DateTime.fromJSDate(instant, { zone: tz });
}

/**
 * Key expiry: now + duration. Months are calendar months clamped to the month end
 * (Jan 31 + 1mo = Feb 28/29); days are calendar days in tz, so a day across DST keeps the
 * wall-clock time.
 */
export function addDuration(from: Date, d: Duration, tz = 'UTC'): Date {
  const result = inZone(from, tz).plus({ [LUXON_UNIT[d.unit]]: d.amount });
  if (!result.isValid) throw new DurationError(`${d.text} from ${from.toISOString()} is out of range`);
  return result.toJSDate();
}

/** Nominal length, for comparing a requested duration with an upper bound. */
export function durationSeconds(d: Duration): number {
  return d.amount * UNIT_SECONDS[d.unit];
}

/** Next multiple of `step` strictly above `current`, or null when it leaves [0, size). */
function nextMultiple(current: number, step: number, size: number): number | null {
  const next = (Math.floor(current / step) + 1) * step;
  return next < size ? next : null;
}

/** Sub-day durations: boundaries are multiples of N inside the parent unit. */
function nextSubDayReset(d: Duration, local: DateTime): DateTime {
  const midnight = local.startOf('day');
  const nextMidnight = midnight.plus({ days: 1 });
  const { amount: n, unit } = d;
  if (unit === 'h') {
    if (n >= 24) return local.startOf('hour').plus({ hours: n });
    const hour = nextMultiple(local.hour, n, 24);
    // set() keeps wall-clock hours on DST days; a skipped hour moves forward, still > now.
    return hour === null ? nextMidnight : midnight.set({ hour });
  }
  if (unit === 'm') {
    if (n < 60) {
      const minute = nextMultiple(local.minute, n, 60);
      return local.startOf('hour').plus({ minutes: minute ?? 60 });
    }
    if (n >= 1440) return local.startOf('minute').plus({ minutes: n });
    const minutes = nextMultiple(local.hour * 60 + local.minute, n, 1440);
    return minutes === null
      ? nextMidnight
      : midnight.set({ hour: Math.floor(minutes / 60), minute: minutes % 60 });
  }
  // seconds
  if (n < 60) {
    const second = nextMultiple(local.second, n, 60);
    return local.startOf('minute').plus({ seconds: second ?? 60 });
  }
  if (n >= 86_400) return local.startOf('second').plus({ seconds: n });
  const seconds = nextMultiple(local.hour * 3600 + local.minute * 60 + local.second, n, 86_400);
  return seconds === null
    ? nextMidnight
    : midnight.set({
        hour: Math.floor(seconds / 3600),
        minute: Math.floor(seconds / 60) % 60,
        second: seconds % 60,
      });
}

function nextCalendarReset(d: Duration, local: DateTime): DateTime {
  const today = local.startOf('day');
  const days = d.unit === 'w' ? d.amount * 7 : d.amount;
  if (d.unit === 'mo') return local.startOf('month').plus({ months: d.amount });
  if (days === 1) return today.plus({ days: 1 });
  // luxon weekday: Monday = 1, so on a Monday this is +7 (next week's Monday).
  if (days === 7) return today.plus({ days: 8 - today.weekday });
  if (d.unit === 'd' && d.amount === 30) return local.startOf('month').plus({ months: 1 });
  return today.plus({ days });
}

/**
 * Calendar-aligned next budget reset in IANA zone tz, strictly after `now`.
 * 1d → next midnight; 7d/1w → next Monday; 30d/1mo → 1st of next month; Nh/Nm/Ns → next
 * multiple of N in the parent unit (N at least the parent's size: start of the current unit
 * + N); other Nd → today + N days; Nw → today + 7N days; Nmo → 1st of the month N ahead.
 */
export function nextResetAt(d: Duration, now: Date, tz = 'UTC'): Date {
  const local = inZone(now, tz);
  const calendar = d.unit === 'd' || d.unit === 'w' || d.unit === 'mo';
  let next = calendar ? nextCalendarReset(d, local) : nextSubDayReset(d, local);
  // Defensive: an odd zone transition must never give a reset at or before now.
  while (next.toMillis() <= local.toMillis()) {
    next = next.plus({ [LUXON_UNIT[d.unit]]: d.amount });
  }
  if (!next.isValid) throw new DurationError(`${d.text} from ${now.toISOString()} is out of range`);
  return next.toJSDate();
}
