import { readDuration } from '../budgets/budget.service.js';
import { durationSeconds, type Duration } from '../time/durations.js';
import type { VirtualKey } from './key.entity.js';

// How the key rules compare limits (bounds, ceilings, the calling key): on update only a raise is checked.

/** Comparable size of a value: durations in seconds, "none" = unbounded. */
export function size(field: string, v: unknown): number {
  if (field === 'duration' || field === 'budgetDuration') {
    const d: Duration | null = readDuration(field, v as string | null);
    return d ? durationSeconds(d) : Infinity;
  }
  return v === null ? Infinity : (v as number);
}

/** A key's current value of a bounded field, comparable with size(). */
export function current(k: VirtualKey, field: string): unknown {
  switch (field) {
    case 'maxBudget':
      return k.maxBudget;
    case 'budgetDuration':
      return k.budgetDuration;
    case 'duration':
      return k.expiresAt ? 0 : null; // any expiry is within a bound; "never" is the largest
    case 'maxParallelRequests':
      return k.maxParallelRequests;
    case 'tpmLimit':
      return k.tpmLimit;
    case 'rpmLimit':
      return k.rpmLimit;
  }
  return undefined;
}

export function raises(field: string, next: unknown, prev: unknown): boolean {
  if (field === 'duration') return true; // a new duration always sets a new expiry
  return size(field, next) > size(field, prev ?? null);
}
