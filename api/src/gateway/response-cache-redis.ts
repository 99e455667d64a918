import { Counter, type Registry } from 'prom-client';
import type { RedisConn } from '../shared-state/redis.js';
import type { CachedResponse, ResponseCache } from './response-cache.js';

/** A lookup that Redis does not answer within this is a miss (the call goes upstream). */
const LOOKUP_TIMEOUT_MS = 250;

const isCached = (v: unknown): v is CachedResponse => {
  const o = v as CachedResponse;
  return !!o && typeof o.text === 'string' && [o.promptTokens, o.completionTokens, o.costNanos].every((n) => Number.isFinite(n) && n >= 0);
};

/**
 * litellm_settings.cache with cache_params.type redis: answers shared by every process on
 * the same Redis, under `<REDIS_KEY_PREFIX>cache:[<namespace>:]<key>` with cache_params.ttl.
 * The key is the one LocalResponseCache uses (scope + endpoint + body hash), so the scope
 * rules are the same. Redis away is a miss (counted), never a failed call.
 */
export class RedisResponseCache implements ResponseCache {
  private readonly unavailable: Counter<'op'>;

  constructor(
    private readonly redis: RedisConn,
    private readonly ttlMs: number,
    private readonly namespace: string | null,
    registry: Registry,
  ) {
    this.unavailable = new Counter({
      name: 'purser_response_cache_unavailable_total',
      help: 'Response cache reads (served as a miss) and writes (dropped) that Redis did not answer',
      labelNames: ['op'],
      registers: [registry],
    });
  }

  private name(key: string): string {
    return this.namespace ? this.redis.key('cache', this.namespace, key) : this.redis.key('cache', key);
  }

  async get(key: string): Promise<CachedResponse | null> {
    if (!this.redis.up) {
      this.unavailable.inc({ op: 'get' });
      return null;
    }
    let timer: NodeJS.Timeout | undefined;
    try {
      const text = await Promise.race([
        this.redis.client.get(this.name(key)),
        new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), LOOKUP_TIMEOUT_MS))),
      ]);
      if (text === undefined) {
        this.unavailable.inc({ op: 'get' });
        return null;
      }
      if (text === null) return null;
      const v: unknown = JSON.parse(text);
      return isCached(v) ? v : null;
    } catch {
      this.unavailable.inc({ op: 'get' });
      return null;
    } finally {
      clearTimeout(timer);
    }
  }

  set(key: string, value: CachedResponse): void {
    if (!this.redis.up) {
      this.unavailable.inc({ op: 'set' });
      return;
    }
    this.redis.client.set(this.name(key), JSON.stringify(value), 'PX', Math.max(1, Math.round(this.ttlMs))).catch(() => this.unavailable.inc({ op: 'set' }));
  }
}
