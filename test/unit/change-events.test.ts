import { describe, expect, it } from 'vitest';
import { LocalChangeBus, parseChangeEvent } from '../../api/src/shared-state/events.js';

describe('change events read from Redis', () => {
  it('keeps well-formed events field by field', () => {
    expect(parseChangeEvent({ kind: 'key', keyId: 'k1', tokenHash: 'ab', extra: 1 })).toEqual({ kind: 'key', keyId: 'k1', tokenHash: 'ab' });
    expect(parseChangeEvent({ kind: 'membership', teamId: 't', userId: 'u' })).toEqual({ kind: 'membership', teamId: 't', userId: 'u' });
    expect(parseChangeEvent({ kind: 'all', keyId: 'x' })).toEqual({ kind: 'all' });
    // customer and named-budget ids are the callers' own: spaces and other scripts pass
    expect(parseChangeEvent({ kind: 'customer', customerId: 'acme customer é' })).toEqual({ kind: 'customer', customerId: 'acme customer é' });
    expect(parseChangeEvent({ kind: 'namedBudget', budgetId: 'free tier' })).toEqual({ kind: 'namedBudget', budgetId: 'free tier' });
  });

  it('drops anything else', () => {
    for (const bad of [null, 'key', [], {}, { kind: 'key' }, { kind: 'key', keyId: 7 }, { kind: 'user', userId: '' }, { kind: 'user', userId: 'a\nb' }, { kind: 'team', teamId: 'x'.repeat(300) }, { kind: 'membership', teamId: 't' }, { kind: 'key', keyId: 'k', tokenHash: null }, { kind: '__proto__' }, { kind: 'customer', customerId: '  ' }, { kind: 'customer', customerId: 'a\u0000b' }, { kind: 'customer', customerId: 'c'.repeat(256) }, { kind: 'namedBudget' }])
      expect(parseChangeEvent(bad)).toBeNull();
  });
});

describe('the in-process bus', () => {
  it('calls every subscriber even when one throws, and stops after unsubscribe', () => {
    const seen: string[] = [];
    const errors: string[] = [];
    const bus = new LocalChangeBus({ info() {}, warn() {}, error: (m) => errors.push(m) });
    bus.subscribe(() => {
      throw new Error('boom');
    });
    const off = bus.subscribe((e) => seen.push(e.kind));
    bus.publish({ kind: 'all' });
    off();
    bus.publish({ kind: 'all' });
    expect(seen).toEqual(['all']);
    expect(errors).toEqual(['change event subscriber failed: boom', 'change event subscriber failed: boom']);
  });
});
