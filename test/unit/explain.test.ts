import { describe, expect, it } from 'vitest';
import { budgetCap, budgetRefuses, explainCaps, orderCaps, type Cap } from '../../api/src/budgets/explain.js';

const cap = (label: string, limit: number, remaining: number, refuses = false): Cap => ({
  kind: 'budget', scope: 'key', label, limit, used: limit - remaining, reserved: 0, remaining, resetsAt: null, refuses, message: label,
});

describe('admission predicates', () => {
  it('key, user and member budgets refuse at max; team and customer budgets only above it (as LiteLLM)', () => {
    expect(budgetRefuses('customer', 100, 100)).toBe(false);
    expect(budgetRefuses('customer', 101, 100)).toBe(true);
    expect(budgetRefuses('key', 99, 100)).toBe(false);
    expect(budgetRefuses('key', 100, 100)).toBe(true);
    expect(budgetRefuses('member', 100, 100)).toBe(true);
    expect(budgetRefuses('user', 100, 100)).toBe(true);
    expect(budgetRefuses('team', 100, 100)).toBe(false);
    expect(budgetRefuses('team', 101, 100)).toBe(true);
  });

  it('counts reservations of calls in flight as used, but reports spend apart from them', () => {
    const c = budgetCap({ kind: 'key', label: 'key k', max: 100, window: null, spend: 60, reserved: 40 })!;
    expect(c).toMatchObject({ used: 60, reserved: 40, remaining: 0, refuses: true });
    expect(budgetCap({ kind: 'key', label: 'key k', max: null, window: null, spend: 60, reserved: 0 })).toBeNull();
  });
});

describe('which cap stops a call first', () => {
  it('puts refusing caps first, in the order the gateway checks them', () => {
    const order = orderCaps([cap('a', 10, 5), cap('b', 10, 0, true), cap('c', 10, 9), cap('d', 10, 0, true)]).map((c) => c.label);
    expect(order).toEqual(['b', 'd', 'a', 'c']);
  });

  it('orders the others by the share left, least first; ties keep admission order', () => {
    const order = orderCaps([cap('big', 1000, 500), cap('small', 10, 1), cap('tie1', 4, 2), cap('tie2', 8, 4)]).map((c) => c.label);
    expect(order).toEqual(['small', 'big', 'tie1', 'tie2']);
  });

  it('lists budgets, then key and team rpm/tpm, then parallel slots, with the gateway messages', () => {
    const caps = explainCaps(
      [{ kind: 'team', label: 'team t', max: 100, window: 5, spend: 100, reserved: 0 }],
      [
        { scope: 'key', id: 'key:k1', label: 'key a', rpm: 2, tpm: null, requests: 2, tokens: 0, windowEndsAt: 60_000 },
        { scope: 'team', id: 'team:t', label: 'team t', rpm: null, tpm: 1000, requests: 0, tokens: 10, windowEndsAt: 60_000 },
      ],
      { scope: 'key:k1', label: 'key a', max: 3, inFlight: 1 },
    );
    expect(caps.map((c) => [c.kind, c.scope, c.refuses])).toEqual([
      ['rpm', 'key', true],
      // a team at exactly its max still admits: 0 left, yet not refusing
      ['budget', 'team', false],
      ['parallel', 'key', false],
      ['tpm', 'team', false],
    ]);
    expect(caps[0]!.message).toBe('Rate limit reached for key k1: 2 requests per minute.');
    expect(caps[1]!.remaining).toBe(0);
    expect(caps[2]!.message).toBe('Too many parallel requests for key k1: at most 3 at once.');
  });
});
