import { randomUUID } from 'node:crypto';
import type { Logger } from '../app/context.js';
import type { RedisConn } from './redis.js';

/**
 * What changed, named as narrowly as the caches need: a key, a user (all their keys), a team
 * (all its keys), one membership (that user's keys in that team), a customer (LiteLLM end
 * user), a named budget (the customers that take their limits from it), or everything (the
 * budget reset job moves every window).
 */
export type ChangeEvent =
  | { kind: 'key'; keyId: string; tokenHash?: string }
  | { kind: 'user'; userId: string }
  | { kind: 'team'; teamId: string }
  | { kind: 'membership'; teamId: string; userId: string }
  | { kind: 'customer'; customerId: string }
  | { kind: 'namedBudget'; budgetId: string }
  | { kind: 'all' };

/** Publishes change events to every subscriber of every process sharing the bus. */
export interface ChangeBus {
  /** Applied to this process's subscribers at once; sent to the others when shared. Never throws. */
  publish(e: ChangeEvent): void;
  /** Returns the unsubscribe function. */
  subscribe(fn: (e: ChangeEvent) => void): () => void;
  close(): Promise<void>;
}

/** One process: subscribers are called synchronously, in order. */
export class LocalChangeBus implements ChangeBus {
  private readonly fns = new Set<(e: ChangeEvent) => void>();

  constructor(private readonly log?: Logger) {}

  publish(e: ChangeEvent): void {
    for (const fn of this.fns) {
      try {
        fn(e);
      } catch (err) {
        // one broken subscriber must not keep the others from purging
        this.log?.error(`change event subscriber failed: ${(err as Error).message}`);
      }
    }
  }

  subscribe(fn: (e: ChangeEvent) => void): () => void {
    this.fns.add(fn);
    return () => this.fns.delete(fn);
  }

  async close(): Promise<void> {
    this.fns.clear();
  }
}

const ID = /^[\x21-\x7e]{1,256}$/;
const id = (v: unknown): v is string => typeof v === 'string' && ID.test(v);
// customer and named-budget ids are what callers chose (spaces, any script): the rules of customers/customer.service.ts
const NAME = /^[^\u0000-\u001f\u007f]{1,255}$/;
const name = (v: unknown): v is string => typeof v === 'string' && NAME.test(v) && v.trim() !== '';

/** A message from the channel, checked field by field: anything else is dropped. */
export function parseChangeEvent(v: unknown): ChangeEvent | null {
  if (!v || typeof v !== 'object') return null;
  const o = v as Record<string, unknown>;
  switch (o.kind) {
    case 'key':
      if (!id(o.keyId) || (o.tokenHash !== undefined && !id(o.tokenHash))) return null;
      return o.tokenHash === undefined ? { kind: 'key', keyId: o.keyId } : { kind: 'key', keyId: o.keyId, tokenHash: o.tokenHash as string };
    case 'user':
      return id(o.userId) ? { kind: 'user', userId: o.userId } : null;
    case 'team':
      return id(o.teamId) ? { kind: 'team', teamId: o.teamId } : null;
    case 'membership':
      return id(o.teamId) && id(o.userId) ? { kind: 'membership', teamId: o.teamId, userId: o.userId } : null;
    case 'customer':
      return name(o.customerId) ? { kind: 'customer', customerId: o.customerId } : null;
    case 'namedBudget':
      return name(o.budgetId) ? { kind: 'namedBudget', budgetId: o.budgetId } : null;
    case 'all':
      return { kind: 'all' };
    default:
      return null;
  }
}

/**
 * Redis pub/sub on `<prefix>events`: every process applies its own events at once and the
 * others' as they arrive. While Redis is away publishing drops the message (never throws) and
 * the other processes' key snapshots run out on their TTL; when the subscriber connection is
 * back (ioredis subscribes again by itself) this process purges everything once, since it may
 * have missed events meanwhile.
 */
export class RedisChangeBus implements ChangeBus {
  private readonly local: LocalChangeBus;
  private readonly origin = randomUUID();
  private readonly channel: string;
  private wasReady = false;
  private closed = false;
  private readonly subscribed: Promise<void>;

  constructor(private readonly redis: RedisConn, private readonly log: Logger) {
    this.local = new LocalChangeBus(log);
    this.channel = redis.key('events');
    const sub = redis.sub();
    sub.on('message', (channel: string, message: string) => {
      if (channel !== this.channel) return;
      this.receive(message);
    });
    sub.on('ready', () => {
      // a reconnect: events published while we were away are lost to us
      if (this.wasReady && !this.closed) this.local.publish({ kind: 'all' });
      this.wasReady = true;
    });
    // queued on the subscriber connection until it connects; ioredis subscribes again after a reconnect
    this.subscribed = sub.subscribe(this.channel).then(
      () => undefined,
      () => undefined,
    );
  }

  /** Resolves once the channel is subscribed, or after `ms` (a Redis that is away delays nothing). */
  ready(ms = 2_000): Promise<void> {
    return Promise.race([this.subscribed, new Promise<void>((r) => setTimeout(r, ms).unref())]);
  }

  private receive(message: string): void {
    if (message.length > 4096) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(message);
    } catch {
      return;
    }
    const m = parsed as { o?: unknown; e?: unknown } | null;
    if (!m || typeof m !== 'object' || m.o === this.origin) return;
    const e = parseChangeEvent(m.e);
    if (e) this.local.publish(e);
  }

  publish(e: ChangeEvent): void {
    this.local.publish(e);
    if (this.closed || !this.redis.up) return;
    try {
      this.redis.client.publish(this.channel, JSON.stringify({ o: this.origin, e })).catch(() => {
        this.log.warn('could not publish a change event to Redis: other processes drop the entry when its TTL ends');
      });
    } catch {
      /* the connection went away between the check and the call */
    }
  }

  subscribe(fn: (e: ChangeEvent) => void): () => void {
    return this.local.subscribe(fn);
  }

  async close(): Promise<void> {
    this.closed = true;
    await this.local.close();
  }
}

/** The bus for this app: Redis when configured, else this process alone. */
export const changeBusFor = (redis: RedisConn | null, log: Logger): ChangeBus => (redis ? new RedisChangeBus(redis, log) : new LocalChangeBus(log));
