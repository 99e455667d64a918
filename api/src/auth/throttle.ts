import { AppError } from '../common/errors.js';

interface Entry {
  /** failure times within the window */
  failures: number[];
  /** attempts reserved and not yet settled (their password is still being verified) */
  pending: number;
  lockedUntil: number;
}

export interface ThrottleOptions {
  /** per account: strict, a guessed password is a stolen account */
  maxFailures: number;
  /** per client address: much higher, a whole office can sit behind one NAT address */
  maxFailuresPerAddress: number;
  windowMs: number;
  lockoutMs: number;
}

/** One sign-in attempt holding a slot in the throttle; settle it exactly once. */
export interface LoginAttempt {
  /** the password was right: the account's failures are forgiven, the address slot is freed */
  succeed(): void;
  /** the password was wrong: the slot stays counted as a failure */
  fail(): void;
  /** neither (an internal error): the slot is freed without counting */
  release(): void;
}

const tooMany = (message: string, seconds: number) =>
  new AppError('TOO_MANY_REQUESTS', message, null, 'too_many_requests', { 'retry-after': String(seconds) });

/**
 * Repeated sign-in failures per account and per client address: after the limit within
 * `windowMs` the account (or address) is locked for `lockoutMs` (429 with retry-after).
 * An attempt takes its slot before the slow password hash is verified, so parallel guesses
 * cannot all pass a check made before any of them failed.
 */
export class LoginThrottle {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly opts: ThrottleOptions) {}

  /** Refuses while the account or the address is locked or at its limit; else takes a slot in both. */
  reserve(account: string, address: string | null, now = Date.now()): LoginAttempt {
    const slots: Array<[string, number]> = [[`account:${account}`, this.opts.maxFailures]];
    if (address) slots.push([`ip:${address}`, this.opts.maxFailuresPerAddress]);
    const entries = slots.map(([key]) => this.entry(key, now));
    const until = Math.max(...entries.map((e) => e.lockedUntil));
    if (until > now)
      throw tooMany(`Too many failed sign-in attempts. Try again in ${Math.ceil((until - now) / 1000)} seconds.`, Math.ceil((until - now) / 1000));
    // attempts still being verified count: if they all fail, the limit is reached
    if (entries.some((e, i) => e.failures.length + e.pending >= slots[i]![1]))
      throw tooMany('Too many sign-in attempts at once. Try again in 1 second.', 1);
    for (const e of entries) e.pending++;
    let settled = false;
    const settle = (f: (e: Entry, limit: number, key: string) => void) => {
      if (settled) return;
      settled = true;
      slots.forEach(([key, limit], i) => {
        const e = entries[i]!;
        e.pending = Math.max(0, e.pending - 1);
        f(e, limit, key);
        this.forgetIfIdle(key, e, Date.now());
      });
    };
    return {
      succeed: () =>
        settle((e, _limit, key) => {
          if (key.startsWith('account:')) {
            e.failures = [];
            e.lockedUntil = 0;
          }
        }),
      fail: () =>
        settle((e, limit) => {
          const at = Date.now();
          e.failures = e.failures.filter((t) => t > at - this.opts.windowMs);
          e.failures.push(at);
          if (e.failures.length >= limit) {
            e.lockedUntil = at + this.opts.lockoutMs;
            e.failures = [];
          }
        }),
      release: () => settle(() => {}),
    };
  }

  private entry(key: string, now: number): Entry {
    let e = this.entries.get(key);
    if (!e) {
      if (this.entries.size > 100_000) this.prune(now);
      e = { failures: [], pending: 0, lockedUntil: 0 };
      this.entries.set(key, e);
    }
    e.failures = e.failures.filter((t) => t > now - this.opts.windowMs);
    return e;
  }

  private forgetIfIdle(key: string, e: Entry, now: number) {
    if (e.pending === 0 && e.lockedUntil <= now && !e.failures.some((t) => t > now - this.opts.windowMs) && this.entries.get(key) === e)
      this.entries.delete(key);
  }

  private prune(now: number) {
    for (const [k, e] of this.entries) this.forgetIfIdle(k, e, now);
  }
}
