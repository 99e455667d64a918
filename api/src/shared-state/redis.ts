import { Redis, type RedisOptions } from 'ioredis';
import type { PurserConfig } from '../config/index.js';
import type { Logger } from '../app/context.js';

/** Where Redis is, and which setting said so (shown in the start banner and /health/readiness). */
export interface RedisTarget {
  options: RedisOptions;
  /** `REDIS_URL` | `router_settings` | `cache_params` */
  source: 'REDIS_URL' | 'router_settings' | 'cache_params';
  /** every key Purser writes starts with this (REDIS_KEY_PREFIX, default `purser:`) */
  prefix: string;
  /** host:port for messages: never the password */
  display: string;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : undefined);

function port(v: unknown, where: string): number {
  const n = typeof v === 'number' ? v : Number(str(v) ?? 6379);
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${where}: expected a port number 1-65535`);
  return n;
}

/**
 * REDIS_URL, else LiteLLM's router_settings.redis_host/port/password, else
 * litellm_settings.cache_params (host, port, password), in that order; null = no Redis
 * (one process keeps its shared state in memory).
 */
export function resolveRedis(config: PurserConfig, env: Record<string, string | undefined>): RedisTarget | null {
  const prefix = env.REDIS_KEY_PREFIX?.trim() || 'purser:';
  if (/[\s\0-\x1f]/.test(prefix) || prefix.length > 64) throw new Error('REDIS_KEY_PREFIX: at most 64 characters, no spaces or control characters');
  const base: RedisOptions = {
    // fail fast while Redis is away (callers fall back to process memory) instead of queueing
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (times) => Math.min(100 * times, 2_000),
    lazyConnect: true,
  };
  const url = env.REDIS_URL?.trim();
  if (url) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw new Error('REDIS_URL: not a URL (expected redis://[:password@]host:port[/db])');
    }
    if (u.protocol !== 'redis:' && u.protocol !== 'rediss:') throw new Error('REDIS_URL: expected a redis:// or rediss:// URL');
    const db = u.pathname.length > 1 ? Number(u.pathname.slice(1)) : 0;
    if (!Number.isInteger(db) || db < 0 || db > 15) throw new Error('REDIS_URL: the database number must be 0-15');
    return {
      options: {
        ...base,
        host: u.hostname || '127.0.0.1',
        port: port(u.port || 6379, 'REDIS_URL'),
        db,
        ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
        ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
        ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
      },
      source: 'REDIS_URL',
      prefix,
      display: `${u.hostname}:${u.port || 6379}`,
    };
  }
  const rs = (config.router_settings ?? {}) as Record<string, unknown>;
  const rsHost = str(rs.redis_host);
  if (rsHost) {
    const p = port(rs.redis_port, 'router_settings.redis_port');
    const password = str(rs.redis_password);
    return { options: { ...base, host: rsHost, port: p, ...(password ? { password } : {}) }, source: 'router_settings', prefix, display: `${rsHost}:${p}` };
  }
  const cp = config.litellm_settings.cache_params;
  if (cp.host) {
    const p = cp.port ?? 6379;
    return { options: { ...base, host: cp.host, port: p, ...(cp.password ? { password: cp.password } : {}) }, source: 'cache_params', prefix, display: `${cp.host}:${p}` };
  }
  return null;
}

/**
 * One process's Redis: a command connection and, on demand, a subscriber connection
 * (a subscribed ioredis connection can run no other command).
 */
export class RedisConn {
  readonly client: Redis;
  private subscriber: Redis | null = null;
  private wasReady = false;
  /** a close of our own is not an outage: no warning on a graceful stop */
  private closing = false;

  constructor(readonly target: RedisTarget, private readonly log: Logger) {
    this.client = new Redis(target.options);
    // ioredis re-connects by itself; log the edges once each, never the password
    this.client.on('ready', () => {
      if (this.wasReady) log.warn(`Redis at ${target.display} is back`);
      this.wasReady = true;
    });
    this.client.on('error', () => {});
    this.client.on('end', () => {});
    this.client.on('close', () => {
      if (this.wasReady && !this.closing) log.warn(`Redis at ${target.display} is unreachable: shared limits fall back to this process`);
    });
  }

  /** Connects once at start; a Redis that is down at start is a degraded start, not a failed one. */
  async connect(): Promise<void> {
    try {
      await this.client.connect();
    } catch {
      this.log.warn(`Redis at ${this.target.display} is unreachable at start: shared limits fall back to this process until it answers`);
    }
  }

  get up(): boolean {
    return this.client.status === 'ready';
  }

  /** A namespaced key: every key Purser writes goes through here. */
  key(...parts: string[]): string {
    return this.target.prefix + parts.join(':');
  }

  /** The pub/sub connection (created on first use). */
  sub(): Redis {
    if (!this.subscriber) {
      this.subscriber = this.client.duplicate({ enableOfflineQueue: true, lazyConnect: false });
      this.subscriber.on('error', () => {});
    }
    return this.subscriber;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const c of [this.subscriber, this.client]) {
      if (!c) continue;
      try {
        await c.quit();
      } catch {
        c.disconnect();
      }
    }
  }
}
