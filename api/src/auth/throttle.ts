import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError } from '../common/errors.js';
import type { RedisConn } from '../shared-state/redis.js';

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
  succeed(): Promise<void>;
  /** the password was wrong: the slot stays counted as a failure */
  fail(): Promise<void>;
  /** neither (an internal error): the slot is freed without counting */
  release(): Promise<void>;
}

const tooMany = (message: string, seconds: number) =>
  new AppError('TOO_MANY_REQUESTS', message, null, 'too_many_requests', { 'retry-after': String(seconds) });

/** One thing counted (the account, or the client address). */
interface Dimension {
  kind: 'account' | 'ip';
  limit: number;
  /** failures plus attempts still being verified, within the window */
  attempts: RateLimiterAbstract;
  /** set for the lockout once the failures reach the limit */
  lock: RateLimiterAbstract;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * Repeated sign-in failures per account and per client address: after the limit within
 * the window the account (or address) is locked for the lockout (429 with retry-after).
 * An attempt takes its slot before the slow password hash is verified, so parallel guesses
 * cannot all pass a check made before any of them failed.
 *
 * Counters are rate-limiter-flexible limiters: in Redis when it is configured (so failures
 * on every process add up to one lockout), in this process otherwise. While Redis is away
 * each process counts in its own memory (the insurance limiter): never open, never locked
 * for everyone.
 */
export class LoginThrottle {
  private readonly dims: Dimension[];

  constructor(
    private readonly opts: ThrottleOptions,
    redis: RedisConn | null = null,
  ) {
    const make = (name: string, points: number, durationSec: number): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ keyPrefix: name, points, duration: durationSec });
      if (!redis) return memory;
      return new RateLimiterRedis({
        storeClient: redis.client,
        keyPrefix: redis.key('login', name),
        points,
        duration: durationSec,
        // not connected: straight to the memory limiter, no waiting on a reconnect
        rejectIfRedisNotReady: true,
        insuranceLimiter: memory,
      });
    };
    const window = seconds(opts.windowMs);
    const lockout = seconds(opts.lockoutMs);
    this.dims = [
      { kind: 'account', limit: opts.maxFailures, attempts: make('account', opts.maxFailures, window), lock: make('account-lock', 1, lockout) },
      { kind: 'ip', limit: opts.maxFailuresPerAddress, attempts: make('ip', opts.maxFailuresPerAddress, window), lock: make('ip-lock', 1, lockout) },
    ];
  }

  /** Refuses while the account or the address is locked or at its limit; else takes a slot in both. */
  async reserve(account: string, address: string | null): Promise<LoginAttempt> {
    const slots = this.dims.flatMap((d) => (d.kind === 'account' ? [{ d, key: account }] : address ? [{ d, key: address }] : []));
    const lockWait = async () => {
      const locks = await Promise.all(slots.map(({ d, key }) => d.lock.get(key)));
      return Math.max(0, ...locks.map((r) => (r && r.consumedPoints > 0 ? r.msBeforeNext : 0)));
    };
    const lockedFor = (ms: number) => tooMany(`Too many failed sign-in attempts. Try again in ${seconds(ms)} seconds.`, seconds(ms));
    const before = await lockWait();
    if (before > 0) throw lockedFor(before);

    const taken = await Promise.allSettled(slots.map(({ d, key }) => d.attempts.consume(key)));
    if (taken.some((t) => t.status === 'rejected')) {
      // a refused consume counted too: every counted slot is given back
      await Promise.all(slots.map(({ d, key }, i) => (counted(taken[i]!) ? d.attempts.reward(key) : null)));
      // the limit is reached with attempts still being verified: if they all fail, it locks
      throw tooMany('Too many sign-in attempts at once. Try again in 1 second.', 1);
    }
    // a lockout set between the first look and the slot (slots given back by refused attempts can
    // lower a parked counter) still wins: the lock is set before the counter is parked (fail())
    const after = await lockWait();
    if (after > 0) {
      await Promise.all(slots.map(({ d, key }) => d.attempts.reward(key)));
      throw lockedFor(after);
    }

    let settled = false;
    const settle = async (f: (d: Dimension, key: string) => Promise<unknown>) => {
      if (settled) return;
      settled = true;
      await Promise.all(slots.map(({ d, key }) => f(d, key)));
    };
    const lockout = seconds(this.opts.lockoutMs);
    return {
      succeed: () =>
        settle(async (d, key) => {
          if (d.kind === 'account') await Promise.all([d.attempts.delete(key), d.lock.delete(key)]);
          else await d.attempts.reward(key);
        }),
      fail: () =>
        settle(async (d, key) => {
          const now = await d.attempts.get(key);
          if (!now || now.consumedPoints < d.limit) return;
          // locked: the counter is parked for the lockout too (slots given back meanwhile
          // cannot open it early) and starts afresh after it
          // the lock first: an attempt that slips a slot past the parked counter sees it (reserve())
          await d.lock.block(key, lockout);
          await d.attempts.block(key, lockout);
        }),
      release: () => settle((d, key) => d.attempts.reward(key)),
    };
  }
}

/** Whether a consume incremented the counter (a refusal over the limit did; a store error did not). */
const counted = (t: PromiseSettledResult<RateLimiterRes>) => t.status === 'fulfilled' || t.reason instanceof RateLimiterRes;
