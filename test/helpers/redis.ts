import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';

export const REDIS_HOST = '127.0.0.1';
export const REDIS_PORT = 6379;

/** A key prefix of this test's own, so tests share the machine's Redis without meeting. */
export function redisPrefix(): string {
  return `purser-t-${randomBytes(5).toString('hex')}:`;
}

/** Env for a Purser server on the shared Redis (or on a TCP proxy in front of it). */
export function redisEnv(prefix = redisPrefix(), address = `${REDIS_HOST}:${REDIS_PORT}`) {
  return { REDIS_URL: `redis://${address}`, REDIS_KEY_PREFIX: prefix };
}

/** Deletes this test's keys (SCAN, never FLUSHALL: other tests use the same Redis). */
export async function dropPrefix(prefix: string): Promise<void> {
  const r = new Redis({ host: REDIS_HOST, port: REDIS_PORT, lazyConnect: true });
  await r.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      if (keys.length) await r.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
