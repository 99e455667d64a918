/** The runway forecast as a pure computation (budgets/runway.ts). Money in nano-dollars. */
import { describe, expect, it } from 'vitest';
import { dailyRateOf, forecast, rateWindow } from '../../api/src/budgets/runway.js';

const USD = 1_000_000_000;
const DAY = 86_400_000;
// 2026-12-07 12:00 UTC: half of today has gone by
const NOW = Date.UTC(2026, 11, 7, 12);

describe('rate window', () => {
  it('spans the 7 full UTC days before today and today so far', () => {
    expect(rateWindow(NOW)).toEqual({ fromDay: '2026-11-30', toDay: '2026-12-07', days: 7.5 });
    expect(dailyRateOf(15 * USD, NOW)).toBe(2 * USD);
    expect(dailyRateOf(-1, NOW)).toBe(0);
  });
});

describe('forecast', () => {
  it('runs out before the reset: when, in how many days', () => {
    const r = forecast({ max: 10 * USD, spend: 4 * USD, resetAt: NOW + 30 * DAY }, 2 * USD, NOW);
    expect(r).toEqual({ status: 'before_reset', dailyRate: 2 * USD, exhaustedAt: NOW + 3 * DAY, beforeReset: true, daysLeft: 3 });
  });
  it('without a reset any spending budget runs out', () => {
    expect(forecast({ max: 10 * USD, spend: 0, resetAt: null }, USD, NOW)).toMatchObject({ status: 'before_reset', exhaustedAt: NOW + 10 * DAY, daysLeft: 10 });
  });
  it('lasts until the reset', () => {
    expect(forecast({ max: 10 * USD, spend: 4 * USD, resetAt: NOW + 2 * DAY }, 2 * USD, NOW)).toEqual({ status: 'not_before_reset', dailyRate: 2 * USD, exhaustedAt: null, beforeReset: false, daysLeft: null });
    // exactly at the reset: the new window starts, nothing runs out
    expect(forecast({ max: 10 * USD, spend: 4 * USD, resetAt: NOW + 3 * DAY }, 2 * USD, NOW).status).toBe('not_before_reset');
  });
  it('no spend, no limit, already out', () => {
    expect(forecast({ max: 10 * USD, spend: 0, resetAt: null }, 0, NOW)).toEqual({ status: 'no_spend', dailyRate: 0, exhaustedAt: null, beforeReset: false, daysLeft: null });
    expect(forecast({ max: null, spend: 5 * USD, resetAt: null }, USD, NOW)).toMatchObject({ status: 'no_limit', dailyRate: USD, exhaustedAt: null, beforeReset: false });
    expect(forecast({ max: 10 * USD, spend: 10 * USD, resetAt: NOW + DAY }, 0, NOW)).toEqual({ status: 'exhausted', dailyRate: 0, exhaustedAt: NOW, beforeReset: true, daysLeft: 0 });
  });
  it('a broken rate is no rate', () => {
    expect(forecast({ max: 10 * USD, spend: 0, resetAt: null }, Number.NaN, NOW).status).toBe('no_spend');
  });
});
