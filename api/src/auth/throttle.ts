import { AppError } from '../common/errors.js';

interface Failures {
  /** failure times within the window */
  at: number[];
  lockedUntil: number;
}

/**
 * Repeated sign-in failures per account and per client address: after `maxFailures` within
 * `windowMs` the account (or address) is locked for `lockoutMs`. Answers 429 with retry-after.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Failures>();

  constructor(private readonly opts: { maxFailures: number; windowMs: number; lockoutMs: number }) {}

  /** Refuses while any of the keys is locked. */
  check(keys: string[], now = Date.now()): void {
    let until = 0;
    for (const k of keys) until = Math.max(until, this.entries.get(k)?.lockedUntil ?? 0);
    if (until > now) {
      const seconds = Math.ceil((until - now) / 1000);
      throw new AppError(
        'TOO_MANY_REQUESTS',
        `Too many failed sign-in attempts. Try again in ${seconds} seconds.`,
        null,
        'too_many_requests',
        { 'retry-after': String(seconds) },
      );
    }
  }

  fail(keys: string[], now = Date.now()): void {
    for (const k of keys) {
      const f = this.entries.get(k) ?? { at: [], lockedUntil: 0 };
      f.at = f.at.filter((t) => t > now - this.opts.windowMs);
      f.at.push(now);
      if (f.at.length >= this.opts.maxFailures) {
        f.lockedUntil = now + this.opts.lockoutMs;
        f.at = [];
      }
      this.entries.set(k, f);
    }
    if (this.entries.size > 100_000) this.prune(now);
  }

  succeed(keys: string[]): void {
    for (const k of keys) this.entries.delete(k);
  }

  private prune(now: number) {
    for (const [k, f] of this.entries) if (f.lockedUntil <= now && !f.at.some((t) => t > now - this.opts.windowMs)) this.entries.delete(k);
  }
}
