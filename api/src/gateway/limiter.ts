import { parallelRefusalMessage, parallelRefuses, rateRefusalMessage, rateRefuses, type LimitSpec } from '../budgets/explain.js';

export { limitSpecsOf, type LimitSpec } from '../budgets/explain.js';

/**
 * rpm / tpm in fixed 60-second windows, and parallel-request slots as leases that expire (a
 * crashed call cannot leak a slot). Requests count at admission; tokens are charged after
 * the call, and a call is refused once the window's tokens reached the limit.
 */
export const WINDOW_MS = 60_000;

/** The fixed window a moment falls in (its start, ms). */
export const windowStart = (now: number): number => now - (now % WINDOW_MS);
/** Seconds until the window of `now` ends (the reset headers and retry-after). */
export const windowResetSeconds = (now: number): number => Math.ceil((WINDOW_MS - (now % WINDOW_MS)) / 1000);

/**
 * Adds an admitted call's x-ratelimit-* headers for one counter (`requests` already counting
 * the call): the most specific limit (the key's) names them; team limits only when the key has none.
 */
export function admittedHeaders(headers: Record<string, string>, s: LimitSpec, requests: number, tokens: number, resetSeconds: number): void {
  if (s.rpm !== null && !headers['x-ratelimit-limit-requests']) {
    headers['x-ratelimit-limit-requests'] = String(s.rpm);
    headers['x-ratelimit-remaining-requests'] = String(Math.max(0, s.rpm - requests));
    headers['x-ratelimit-reset-requests'] = `${resetSeconds}s`;
  }
  if (s.tpm !== null && !headers['x-ratelimit-limit-tokens']) {
    headers['x-ratelimit-limit-tokens'] = String(s.tpm);
    headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, s.tpm - tokens));
    headers['x-ratelimit-reset-tokens'] = `${resetSeconds}s`;
  }
}

/** A 429 for the counter `s`, with its figures in the headers. */
export function rateRefusal(message: string, s: LimitSpec, requests: number, tokens: number, resetSeconds: number): LimitRefusal {
  const headers: Record<string, string> = { 'retry-after': String(resetSeconds) };
  if (s.rpm !== null) {
    headers['x-ratelimit-limit-requests'] = String(s.rpm);
    headers['x-ratelimit-remaining-requests'] = String(Math.max(0, s.rpm - requests));
    headers['x-ratelimit-reset-requests'] = `${resetSeconds}s`;
  }
  if (s.tpm !== null) {
    headers['x-ratelimit-limit-tokens'] = String(s.tpm);
    headers['x-ratelimit-remaining-tokens'] = String(Math.max(0, s.tpm - tokens));
    headers['x-ratelimit-reset-tokens'] = `${resetSeconds}s`;
  }
  return { message, retryAfterSeconds: resetSeconds, headers };
}

/** The 429 when every parallel slot is taken. */
export function parallelRefusal(scope: string, max: number): LimitRefusal {
  return { message: parallelRefusalMessage(scope, max), retryAfterSeconds: 1, headers: { 'retry-after': '1' } };
}

interface Window {
  start: number;
  requests: number;
  tokens: number;
}

export interface LimitRefusal {
  message: string;
  retryAfterSeconds: number;
  headers: Record<string, string>;
}

export interface Admission {
  leaseId: number | null;
  leaseScope: string | null;
  /** ids whose token counters the call charges */
  tokenIds: string[];
  headers: Record<string, string>;
}

export class Limiter {
  private readonly windows = new Map<string, Window>();
  private readonly leases = new Map<string, Map<number, number>>();
  private nextLease = 1;

  constructor(private readonly leaseTtlMs = 10 * 60_000) {}

  private window(id: string, now: number): Window {
    const start = now - (now % WINDOW_MS);
    let w = this.windows.get(id);
    if (!w || w.start !== start) {
      w = { start, requests: 0, tokens: 0 };
      this.windows.set(id, w);
    }
    return w;
  }

  private activeLeases(scope: string, now: number): Map<number, number> {
    let m = this.leases.get(scope);
    if (!m) {
      m = new Map();
      this.leases.set(scope, m);
    }
    for (const [id, until] of m) if (until <= now) m.delete(id);
    return m;
  }

  /** Checks every limit first, then counts: a refused call changes no counter. */
  admit(specs: LimitSpec[], parallel: { scope: string; max: number | null }, now = Date.now()): Admission | LimitRefusal {
    const resetSeconds = windowResetSeconds(now);
    const headers: Record<string, string> = {};
    for (const s of specs) {
      const w = this.window(s.id, now);
      if (s.rpm !== null && rateRefuses(w.requests, s.rpm))
        return this.refusal(rateRefusalMessage(s.id, 'rpm', s.rpm), s, w, resetSeconds);
      if (s.tpm !== null && rateRefuses(w.tokens, s.tpm))
        return this.refusal(rateRefusalMessage(s.id, 'tpm', s.tpm), s, w, resetSeconds);
    }
    if (parallel.max !== null && parallelRefuses(this.activeLeases(parallel.scope, now).size, parallel.max))
      return parallelRefusal(parallel.scope, parallel.max);
    for (const s of specs) {
      const w = this.window(s.id, now);
      w.requests++;
      admittedHeaders(headers, s, w.requests, w.tokens, resetSeconds);
    }
    let leaseId: number | null = null;
    if (parallel.max !== null) {
      leaseId = this.nextLease++;
      this.activeLeases(parallel.scope, now).set(leaseId, now + this.leaseTtlMs);
    }
    return { leaseId, leaseScope: parallel.max !== null ? parallel.scope : null, tokenIds: specs.filter((s) => s.tpm !== null).map((s) => s.id), headers };
  }

  private refusal(message: string, s: LimitSpec, w: Window, resetSeconds: number): LimitRefusal {
    return rateRefusal(message, s, w.requests, w.tokens, resetSeconds);
  }

  /** After the call: charge its tokens to the window it ends in, free its slot. */
  finish(a: Admission, tokens: number, now = Date.now()): void {
    for (const id of a.tokenIds) this.window(id, now).tokens += tokens;
    if (a.leaseId !== null && a.leaseScope) this.leases.get(a.leaseScope)?.delete(a.leaseId);
  }

  /** A counter's figures in the current window, as admit() would see them; changes nothing. */
  counters(id: string, now = Date.now()): { requests: number; tokens: number; windowEndsAt: number } {
    const start = now - (now % WINDOW_MS);
    const w = this.windows.get(id);
    const current = w && w.start === start;
    return { requests: current ? w.requests : 0, tokens: current ? w.tokens : 0, windowEndsAt: start + WINDOW_MS };
  }

  /** Calls holding a parallel slot of `scope` now. */
  inFlight(scope: string, now = Date.now()): number {
    return this.leases.has(scope) ? this.activeLeases(scope, now).size : 0;
  }

  /** Budget resets also clear the rate windows of what was reset. */
  clear(id: string): void {
    this.windows.delete(id);
  }

  static isRefusal(x: Admission | LimitRefusal): x is LimitRefusal {
    return (x as LimitRefusal).message !== undefined;
  }
}
