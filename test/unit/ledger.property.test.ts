/**
 * The budget ledger under any sequence of reserve / settle / flush / sync / reset, with hostile
 * amounts mixed in (Infinity, NaN, negatives, fractions, huge): no non-finite or negative number
 * ever enters it, a refused amount changes nothing, every settle releases exactly what its
 * reserve took (so reservations return to 0 once every call ended, across resets), and a
 * budget at or over its max refuses.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BudgetView } from '../../api/src/budgets/counted.js';
import { BudgetLedger, type Reservation } from '../../api/src/budgets/ledger.js';

const budgets: BudgetView[] = [
  { kind: 'key', ref: { kind: 'key', keyId: 'k' }, id: 'key:k', label: 'key k', max: 1_000_000, soft: null, window: 1_000, dbSpend: 0 },
  { kind: 'user', ref: { kind: 'user', userId: 'u' }, id: 'user:u', label: 'user u', max: 2_000_000, soft: null, window: null, dbSpend: 0 },
  { kind: 'team', ref: { kind: 'team', teamId: 't' }, id: 'team:t', label: 'team t', max: 500_000, soft: null, window: 5_000, dbSpend: 0 },
];
const ids = budgets.map((b) => b.id);
const refOf = (id: string) => budgets.find((b) => b.id === id)!.ref;

const validNanos = fc.integer({ min: 0, max: 2_000_000 });
const hostile = fc.constantFrom(Infinity, -Infinity, NaN, -1, -1e9, 0.5, 1e309, Number.MAX_VALUE, 2 ** 53, -0.000001);
const amount = fc.oneof({ weight: 4, arbitrary: validNanos }, { weight: 1, arbitrary: hostile });

type Op =
  | { op: 'reserve'; subset: boolean[]; estimate: number }
  | { op: 'settle'; pick: number; cost: number }
  | { op: 'flushed'; id: string; amount: number }
  | { op: 'sync'; id: string; spend: number; nextWindow: boolean }
  | { op: 'reset'; id: string };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('reserve' as const), subset: fc.array(fc.boolean(), { minLength: 3, maxLength: 3 }), estimate: amount }),
  fc.record({ op: fc.constant('settle' as const), pick: fc.nat(), cost: amount }),
  fc.record({ op: fc.constant('flushed' as const), id: fc.constantFrom(...ids), amount }),
  fc.record({ op: fc.constant('sync' as const), id: fc.constantFrom(...ids), spend: amount, nextWindow: fc.boolean() }),
  fc.record({ op: fc.constant('reset' as const), id: fc.constantFrom(...ids) }),
);

const isNanos = (n: number) => Number.isSafeInteger(n) && n >= 0;

function snapshot(l: BudgetLedger) {
  return ids.map((id) => l.peek(refOf(id)));
}

describe('BudgetLedger (property)', () => {
  it('keeps every figure a non-negative integer and every reservation exact, whatever the inputs', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const l = new BudgetLedger();
        const open: Array<{ r: Reservation; ids: string[] }> = [];
        const windows = new Map<string, number | null>(budgets.map((b) => [b.id, b.window]));
        // touch every budget once so each has an entry
        expect(l.check(budgets)).toBeNull();
        for (const o of ops) {
          const before = snapshot(l);
          let threw = false;
          let skipped = false;
          try {
            switch (o.op) {
              case 'reserve': {
                const chosen = budgets.filter((_, i) => o.subset[i]);
                open.push({ r: l.reserve(chosen, o.estimate), ids: chosen.map((b) => b.id) });
                break;
              }
              case 'settle': {
                if (!open.length) {
                  skipped = true;
                  break;
                }
                const i = o.pick % open.length;
                l.settle(open[i]!.r, o.cost);
                open.splice(i, 1);
                break;
              }
              case 'flushed':
                l.flushed(refOf(o.id), windows.get(o.id)!, o.amount);
                break;
              case 'sync': {
                const w = windows.get(o.id)!;
                const next = o.nextWindow && w !== null ? w + 1_000 : w;
                l.sync(refOf(o.id), o.spend, next);
                windows.set(o.id, next);
                break;
              }
              case 'reset': {
                const w = windows.get(o.id)!;
                const next = w === null ? null : w + 1_000;
                l.reset(refOf(o.id), next);
                windows.set(o.id, next);
                break;
              }
            }
          } catch (e) {
            expect(e).toBeInstanceOf(RangeError);
            threw = true;
          }
          const amountOf = 'estimate' in o ? o.estimate : 'cost' in o ? o.cost : 'amount' in o ? o.amount : 'spend' in o ? o.spend : 0;
          // a hostile amount is refused and changes nothing; a valid one is never refused
          if (o.op !== 'reset' && !skipped) expect(threw).toBe(!isNanos(amountOf));
          if (threw) expect(snapshot(l)).toEqual(before);
          // invariants: finite, non-negative, integer; reserved = the estimates of the calls still open
          for (const id of ids) {
            const p = l.peek(refOf(id))!;
            expect(isNanos(p.spend)).toBe(true);
            expect(isNanos(p.reserved)).toBe(true);
            const expected = open.filter((x) => x.ids.includes(id)).reduce((a, x) => a + x.r.estimate, 0);
            expect(p.reserved).toBe(expected);
          }
          // admission follows the figures: at or over the max refuses (team: over)
          for (const b of budgets) {
            const p = l.peek(b.ref)!;
            const used = p.spend + p.reserved;
            const over = b.kind === 'team' ? used > b.max! : used >= b.max!;
            expect(l.check([{ ...b, window: windows.get(b.id)! }]) !== null).toBe(over);
          }
        }
        // every call ends: nothing stays reserved (no phantom reservation survives resets)
        for (const x of open.splice(0)) l.settle(x.r, 0);
        for (const id of ids) expect(l.peek(refOf(id))!.reserved).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('settling twice releases once', () => {
    const l = new BudgetLedger();
    const r = l.reserve([budgets[0]!], 700);
    l.settle(r, 100);
    l.settle(r, 100);
    expect(l.peek({ kind: 'key', keyId: 'k' })).toMatchObject({ spend: 100, reserved: 0 });
  });
});
