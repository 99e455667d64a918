import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../api/src/config/index.js';
import { resolveRedis } from '../../api/src/shared-state/redis.js';
import { captureLog, startServer } from '../helpers/server.js';
import { until } from '../helpers/gateway.js';
import { startTcpProxy } from '../helpers/tcp-proxy.js';
import { REDIS_HOST, REDIS_PORT, redisEnv } from '../helpers/redis.js';

const cfg = (raw: unknown) => parseConfig(raw, {}).config;

describe('where Redis is configured', () => {
  const both = cfg({
    router_settings: { redis_host: 'router-host', redis_port: 6380, redis_password: 'rpw' },
    litellm_settings: { cache: true, cache_params: { type: 'redis', host: 'cache-host', port: 6381, password: 'cpw' } },
  });

  it('REDIS_URL wins over router_settings, which wins over cache_params', () => {
    const url = resolveRedis(both, { REDIS_URL: 'redis://:s3cret@url-host:6390/2' })!;
    expect([url.source, url.options.host, url.options.port, url.options.db, url.options.password]).toEqual(['REDIS_URL', 'url-host', 6390, 2, 's3cret']);
    const router = resolveRedis(both, {})!;
    expect([router.source, router.options.host, router.options.port, router.options.password]).toEqual(['router_settings', 'router-host', 6380, 'rpw']);
    const cache = resolveRedis(cfg({ litellm_settings: { cache_params: { type: 'redis', host: 'cache-host', port: 6381, password: 'cpw' } } }), {})!;
    expect([cache.source, cache.options.host, cache.options.port, cache.options.password]).toEqual(['cache_params', 'cache-host', 6381, 'cpw']);
    expect(resolveRedis(cfg({}), {})).toBeNull();
  });

  it('never shows the password, and refuses malformed settings with the setting named', () => {
    expect(resolveRedis(both, { REDIS_URL: 'redis://:s3cret@url-host:6390' })!.display).toBe('url-host:6390');
    expect(() => resolveRedis(both, { REDIS_URL: 'http://x' })).toThrow(/REDIS_URL: expected a redis:\/\//);
    expect(() => resolveRedis(both, { REDIS_URL: 'redis://h:6379/99' })).toThrow(/REDIS_URL: the database number/);
    expect(() => resolveRedis(cfg({ router_settings: { redis_host: 'h', redis_port: 'x' } }), {})).toThrow(/router_settings.redis_port/);
    expect(() => resolveRedis(cfg({}), { REDIS_URL: 'redis://h', REDIS_KEY_PREFIX: 'a b' })).toThrow(/REDIS_KEY_PREFIX/);
  });

  it('router_settings keys other than the Redis connection are reported as ignored', () => {
    const { warnings } = parseConfig({ router_settings: { redis_host: 'h', routing_strategy: 'simple-shuffle' } }, {});
    expect(warnings).toEqual(['router_settings: routing_strategy not implemented by Purser, ignored']);
  });
});

describe('readiness follows Redis through an outage', () => {
  const cleanup: Array<() => Promise<void>> = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('connected → degraded (still 200) while cut → connected again; the log says so', async () => {
    const proxy = await startTcpProxy(REDIS_HOST, REDIS_PORT);
    cleanup.push(() => proxy.close());
    const cap = captureLog();
    const s = await startServer({}, { env: redisEnv(undefined, proxy.address), log: cap.log });
    cleanup.push(() => s.close());
    const ready = async () => {
      const r = await fetch(`${s.url}/health/readiness`);
      return { status: r.status, body: (await r.json()) as Record<string, string> };
    };
    expect(await ready()).toEqual({ status: 200, body: { status: 'healthy', db: 'connected', spend_spill_rows: 0, redis: 'connected' } });
    expect(cap.text()).toContain(`Redis: ${proxy.address} (from REDIS_URL`);

    proxy.cut();
    await until(async () => (await ready()).body.redis === 'disconnected', 'redis disconnected');
    expect(await ready()).toEqual({ status: 200, body: { status: 'degraded', db: 'connected', spend_spill_rows: 0, redis: 'disconnected' } });
    await until(async () => cap.text().includes('is unreachable'), 'the outage logged');

    proxy.restore();
    await until(async () => (await ready()).body.redis === 'connected', 'redis connected again');
    await until(async () => cap.text().includes('is back'), 'the return logged');
  });

  it('a Redis that is down at start is a degraded start, not a failed one', async () => {
    const proxy = await startTcpProxy(REDIS_HOST, REDIS_PORT);
    cleanup.push(() => proxy.close());
    proxy.cut();
    const s = await startServer({}, { env: redisEnv(undefined, proxy.address) });
    cleanup.push(() => s.close());
    const r = await fetch(`${s.url}/health/readiness`);
    expect([r.status, ((await r.json()) as any).status]).toEqual([200, 'degraded']);
    proxy.restore();
    await until(async () => ((await (await fetch(`${s.url}/health/readiness`)).json()) as any).redis === 'connected', 'redis connected after start');
  });
});
