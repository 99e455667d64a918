import { describe, expect, it } from 'vitest';
import {
  addDuration,
  DurationError,
  durationSeconds,
  isNoDuration,
  isValidTimeZone,
  nextResetAt,
  parseDuration,
} from '../../api/src/time/durations.js';

const NY = 'America/New_York';
const KOLKATA = 'Asia/Kolkata';

/** nextResetAt with ISO strings in and out, to keep the tables readable. */
function reset(duration: string, nowIso: string, tz?: string): string {
  return nextResetAt(parseDuration(duration), new Date(nowIso), tz).toISOString();
}

describe('parseDuration', () => {
  it.each([
    ['30s', 30, 's'],
    ['30m', 30, 'm'],
    ['30h', 30, 'h'],
    ['30d', 30, 'd'],
    ['1w', 1, 'w'],
    ['1mo', 1, 'mo'],
    ['12mo', 12, 'mo'],
    [' 7d ', 7, 'd'],
  ])('reads %j', (text, amount, unit) => {
    expect(parseDuration(text)).toMatchObject({ amount, unit, text: `${amount}${unit}`, lenient: false });
  });

  it.each([
    ['24hr', 24, 'h'],
    ['30days', 30, 'd'],
    ['2weeks', 2, 'w'],
    ['3months', 3, 'mo'],
    ['10min', 10, 'm'],
    ['5secs', 5, 's'],
  ])('tolerates trailing letters in %j and flags them', (text, amount, unit) => {
    expect(parseDuration(text)).toMatchObject({ amount, unit, text: `${amount}${unit}`, input: text, lenient: true });
  });

  it.each(['30', 'daily', '1x', '', '-5d', '1.5h', 'd', '1 d', '0d', '0mo', 'mo1'])('rejects %j', (text) => {
    expect(() => parseDuration(text)).toThrow(DurationError);
  });

  it('says what is accepted', () => {
    expect(() => parseDuration('daily')).toThrow(
      'expected a duration like 30s, 30m, 24h, 7d, 1w, 1mo, got "daily"',
    );
  });

  it('rejects absurdly long durations', () => {
    expect(() => parseDuration('100000000mo')).toThrow(DurationError);
  });
});

describe('isNoDuration / isValidTimeZone / durationSeconds', () => {
  it('knows the "no duration" spellings', () => {
    for (const v of ['-1', 'none', 'NONE', 'Null', -1, null]) expect(isNoDuration(v)).toBe(true);
    for (const v of ['1d', undefined, 0, 'nothing']) expect(isNoDuration(v)).toBe(false);
  });

  it('validates IANA zones', () => {
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone(KOLKATA)).toBe(true);
    expect(isValidTimeZone('Mars/Base')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
  });

  it('gives nominal seconds', () => {
    expect(durationSeconds(parseDuration('30s'))).toBe(30);
    expect(durationSeconds(parseDuration('30m'))).toBe(1800);
    expect(durationSeconds(parseDuration('2h'))).toBe(7200);
    expect(durationSeconds(parseDuration('1d'))).toBe(86_400);
    expect(durationSeconds(parseDuration('1w'))).toBe(604_800);
    expect(durationSeconds(parseDuration('1mo'))).toBe(2_592_000);
  });
});

describe('addDuration', () => {
  const add = (iso: string, d: string, tz?: string) =>
    addDuration(new Date(iso), parseDuration(d), tz).toISOString();

  it('adds exact units', () => {
    expect(add('2024-05-15T14:20:00.000Z', '90s')).toBe('2024-05-15T14:21:30.000Z');
    expect(add('2024-05-15T14:20:00.000Z', '30m')).toBe('2024-05-15T14:50:00.000Z');
    expect(add('2024-05-15T14:20:00.000Z', '24h')).toBe('2024-05-16T14:20:00.000Z');
    expect(add('2024-05-15T14:20:00.000Z', '30d')).toBe('2024-06-14T14:20:00.000Z');
    expect(add('2024-05-15T14:20:00.000Z', '1w')).toBe('2024-05-22T14:20:00.000Z');
  });

  it('clamps calendar months to the month end', () => {
    expect(add('2024-01-31T12:00:00.000Z', '1mo')).toBe('2024-02-29T12:00:00.000Z');
    expect(add('2023-01-31T12:00:00.000Z', '1mo')).toBe('2023-02-28T12:00:00.000Z');
    expect(add('2024-12-31T12:00:00.000Z', '2mo')).toBe('2025-02-28T12:00:00.000Z');
  });

  it('keeps wall-clock time for days across a DST change in the zone', () => {
    // 2024-03-10: New York springs forward, so that day has 23 hours.
    expect(add('2024-03-09T17:00:00.000Z', '1d', NY)).toBe('2024-03-10T16:00:00.000Z');
    expect(add('2024-03-09T17:00:00.000Z', '24h', NY)).toBe('2024-03-10T17:00:00.000Z');
  });
});

describe('nextResetAt in UTC', () => {
  const wed = '2024-05-15T14:20:00.000Z'; // a Wednesday

  it.each([
    ['1d', wed, '2024-05-16T00:00:00.000Z'],
    ['7d', wed, '2024-05-20T00:00:00.000Z'],
    ['1w', wed, '2024-05-20T00:00:00.000Z'],
    ['7d', '2024-05-20T10:00:00.000Z', '2024-05-27T00:00:00.000Z'], // Monday → next week
    ['1w', '2024-05-20T00:00:00.000Z', '2024-05-27T00:00:00.000Z'], // Monday midnight exactly
    ['30d', wed, '2024-06-01T00:00:00.000Z'],
    ['1mo', wed, '2024-06-01T00:00:00.000Z'],
    ['3mo', wed, '2024-08-01T00:00:00.000Z'],
    ['3d', wed, '2024-05-18T00:00:00.000Z'],
    ['2w', wed, '2024-05-29T00:00:00.000Z'],
    ['6h', wed, '2024-05-15T18:00:00.000Z'],
    ['6h', '2024-05-15T22:10:00.000Z', '2024-05-16T00:00:00.000Z'],
    ['6h', '2024-05-15T18:00:00.000Z', '2024-05-16T00:00:00.000Z'], // on a boundary → next one
    ['1h', '2024-05-15T23:30:00.000Z', '2024-05-16T00:00:00.000Z'],
    ['48h', wed, '2024-05-17T14:00:00.000Z'],
    ['15m', '2024-05-15T10:07:00.000Z', '2024-05-15T10:15:00.000Z'],
    ['15m', '2024-05-15T10:50:00.000Z', '2024-05-15T11:00:00.000Z'],
    ['90m', '2024-05-15T10:07:00.000Z', '2024-05-15T10:30:00.000Z'],
    ['30s', '2024-05-15T10:07:45.500Z', '2024-05-15T10:08:00.000Z'],
    ['10s', '2024-05-15T10:07:12.000Z', '2024-05-15T10:07:20.000Z'],
  ])('%s from %s → %s', (d, now, expected) => {
    expect(reset(d, now)).toBe(expected);
  });

  it('crosses a month end', () => {
    const now = '2024-01-31T23:30:00.000Z';
    expect(reset('1d', now)).toBe('2024-02-01T00:00:00.000Z');
    expect(reset('1mo', now)).toBe('2024-02-01T00:00:00.000Z');
    expect(reset('6h', now)).toBe('2024-02-01T00:00:00.000Z');
    expect(reset('3d', now)).toBe('2024-02-03T00:00:00.000Z');
  });

  it('crosses a year end', () => {
    const now = '2024-12-31T23:59:59.000Z'; // a Tuesday
    expect(reset('1d', now)).toBe('2025-01-01T00:00:00.000Z');
    expect(reset('1mo', now)).toBe('2025-01-01T00:00:00.000Z');
    expect(reset('30d', now)).toBe('2025-01-01T00:00:00.000Z');
    expect(reset('2mo', now)).toBe('2025-02-01T00:00:00.000Z');
    expect(reset('1w', now)).toBe('2025-01-06T00:00:00.000Z');
    expect(reset('30s', now)).toBe('2025-01-01T00:00:00.000Z');
  });

  it('defaults to UTC', () => {
    expect(nextResetAt(parseDuration('1d'), new Date('2024-05-15T14:20:00Z')).toISOString()).toBe(
      '2024-05-16T00:00:00.000Z',
    );
  });

  it('refuses an unknown zone', () => {
    expect(() => nextResetAt(parseDuration('1d'), new Date(), 'Mars/Base')).toThrow(DurationError);
  });
});

describe('nextResetAt in America/New_York', () => {
  const now = '2024-05-15T14:20:00.000Z'; // 10:20 EDT (UTC-4), Wednesday

  it.each([
    ['1d', now, '2024-05-16T04:00:00.000Z'],
    ['1d', '2024-05-16T02:00:00.000Z', '2024-05-16T04:00:00.000Z'], // still May 15 locally
    ['1w', now, '2024-05-20T04:00:00.000Z'],
    ['1mo', now, '2024-06-01T04:00:00.000Z'],
    ['3d', now, '2024-05-18T04:00:00.000Z'],
    ['6h', now, '2024-05-15T16:00:00.000Z'],
    ['1mo', '2024-12-31T23:00:00.000Z', '2025-01-01T05:00:00.000Z'], // year end, EST
  ])('%s from %s → %s', (d, at, expected) => {
    expect(reset(d, at, NY)).toBe(expected);
  });

  it('handles spring forward (2024-03-10, 02:00 EST → 03:00 EDT)', () => {
    expect(reset('1d', '2024-03-09T17:00:00.000Z', NY)).toBe('2024-03-10T05:00:00.000Z');
    expect(reset('1d', '2024-03-10T05:30:00.000Z', NY)).toBe('2024-03-11T04:00:00.000Z');
    // 01:30 EST: 02:00 does not exist that day, the reset falls on 03:00 EDT.
    expect(reset('1h', '2024-03-10T06:30:00.000Z', NY)).toBe('2024-03-10T07:00:00.000Z');
    expect(reset('6h', '2024-03-10T06:30:00.000Z', NY)).toBe('2024-03-10T10:00:00.000Z');
    expect(reset('1w', '2024-03-10T06:30:00.000Z', NY)).toBe('2024-03-11T04:00:00.000Z');
  });

  it('handles fall back (2024-11-03, 02:00 EDT → 01:00 EST)', () => {
    expect(reset('1d', '2024-11-03T04:30:00.000Z', NY)).toBe('2024-11-04T05:00:00.000Z');
    // 01:40 EDT: the next half-hour boundary is the repeated 01:00, now EST.
    expect(reset('30m', '2024-11-03T05:40:00.000Z', NY)).toBe('2024-11-03T06:00:00.000Z');
    expect(reset('1mo', '2024-11-03T05:40:00.000Z', NY)).toBe('2024-12-01T05:00:00.000Z');
  });
});

describe('nextResetAt in Asia/Kolkata (UTC+05:30)', () => {
  const now = '2024-05-15T14:20:00.000Z'; // 19:50 IST, Wednesday

  it.each([
    ['1d', now, '2024-05-15T18:30:00.000Z'],
    ['6h', now, '2024-05-15T18:30:00.000Z'], // 19:50 → next multiple of 6 is 24 → midnight
    ['1h', now, '2024-05-15T14:30:00.000Z'],
    ['15m', now, '2024-05-15T14:30:00.000Z'],
    ['1w', now, '2024-05-19T18:30:00.000Z'],
    ['1mo', now, '2024-05-31T18:30:00.000Z'],
    ['30d', now, '2024-05-31T18:30:00.000Z'],
    // 23:30 IST on Dec 31 and 00:10 IST on Jan 1 (both still Dec 31 in UTC)
    ['1d', '2024-12-31T18:00:00.000Z', '2024-12-31T18:30:00.000Z'],
    ['1mo', '2024-12-31T18:00:00.000Z', '2024-12-31T18:30:00.000Z'],
    ['1d', '2024-12-31T18:40:00.000Z', '2025-01-01T18:30:00.000Z'],
    ['1mo', '2024-12-31T18:40:00.000Z', '2025-01-31T18:30:00.000Z'],
  ])('%s from %s → %s', (d, at, expected) => {
    expect(reset(d, at, KOLKATA)).toBe(expected);
  });
});

describe('nextResetAt is always strictly after now', () => {
  it('for many instants, durations and zones', () => {
    const durations = ['1s', '7s', '45s', '90s', '1m', '7m', '15m', '90m', '2000m', '1h', '5h', '6h', '25h',
      '1d', '2d', '7d', '30d', '1w', '3w', '1mo', '2mo', '12mo'].map(parseDuration);
    const zones = ['UTC', NY, KOLKATA, 'Europe/London', 'Australia/Lord_Howe', 'America/Santiago'];
    // Deterministic pseudo-random instants over 2023–2025, including DST days.
    let seed = 42;
    const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648) / 2_147_483_648;
    const start = Date.UTC(2023, 0, 1);
    const span = Date.UTC(2026, 0, 1) - start;
    const transitions = ['2024-03-10T06:59:59Z', '2024-03-10T07:00:00Z', '2024-11-03T05:59:59Z',
      '2024-11-03T06:30:00Z', '2024-03-31T00:59:59Z', '2024-10-27T01:30:00Z'].map((iso) => new Date(iso));
    const instants = [...transitions, ...Array.from({ length: 40 }, () => new Date(start + Math.floor(random() * span)))];
    for (const now of instants) {
      for (const tz of zones) {
        for (const d of durations) {
          const next = nextResetAt(d, now, tz);
          expect(next.getTime(), `${d.text} ${tz} ${now.toISOString()}`).toBeGreaterThan(now.getTime());
        }
      }
    }
  });
});
