/**
 * Redis away (issue 9 "Degraded modes"): two processes reach Redis through a loopback TCP
 * proxy that the test cuts (the machine's Redis keeps running). While it is cut the gateway
 * keeps serving with per-process limits and budgets, says so once in the log and counts it in
 * /metrics (purser_redis_fallback_total); when Redis answers again the stale counters in it
 * (spend from before the outage, a reservation whose settlement could not reach it) are
 * dropped and seeded again from the database.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CALL_NANOS, USAGE, chat, flush, mintKey, sql, until, upstreamModel } from '../helpers/gateway.js';
import { freshPostgres } from '../helpers/postgres.js';
import { dropPrefix, REDIS_HOST, REDIS_PORT, redisEnv, redisPrefix } from '../helpers/redis.js';
import { captureLog, startServer, type TestServer } from '../helpers/server.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';
import type { RedisAdmission } from '../../api/src/gateway/admission-redis.js';

let db: Awaited<ReturnType<typeof freshPostgres>>;
let up: FakeUpstream;
let slow: FakeUpstream;
let proxy: TcpProxy;
let A: TestServer;
let B: TestServer;
let redis: Redis;
const logA = captureLog();
const prefix = redisPrefix();

beforeAll(async () => {
  db = await freshPostgres();
  up = await startFakeUpstream({ usage: USAGE });
  slow = await startFakeUpstream({ usage: USAGE, delayMs: 1_500 });
  proxy = await startTcpProxy(REDIS_HOST, REDIS_PORT);
  const config = { model_list: [upstreamModel('m', up), upstreamModel('slow', slow)] };
  A = await startServer(config, { databaseUrl: db.url, env: redisEnv(prefix, proxy.address), log: logA.log });
  B = await startServer(config, { databaseUrl: db.url, env: redisEnv(prefix, proxy.address) });
  redis = new Redis({ host: REDIS_HOST, port: REDIS_PORT });
});
afterAll(async () => {
  await A?.close();
  await B?.close();
  await proxy?.close();
  await up?.close();
  await slow?.close();
  redis?.disconnect();
  await db?.drop();
  await dropPrefix(prefix);
});

const admission = (s: TestServer) => s.running.app.gateway!.admission as RedisAdmission;
const fallbackTotal = async (s: TestServer) => {
  const text = await (await fetch(`${s.url}/metrics`, { headers: { authorization: `Bearer ${s.masterKey}` } })).text();
  const line = text.split('\n').find((l) => l.startsWith('purser_redis_fallback_total'));
  return line ? Number(line.split(' ')[1]) : null;
};

describe('Redis cut under two processes', () => {
  it('keeps serving per process, logs it once, counts it, and re-seeds the counters from the database when Redis returns', { timeout: 90_000 }, async () => {
    const k = await mintKey(A, { max_budget: 10 });
    const counter = `${prefix}budget:key:${k.id}`;
    expect((await chat(A, k.key)).status).toBe(200);
    await flush(A);
    expect(Number(await redis.hget(counter, 'spend'))).toBe(CALL_NANOS);
    expect(await fallbackTotal(A)).toBe(0);

    // a call in flight when Redis goes: its settlement cannot reach Redis
    const inFlight = chat(B, k.key, { model: 'slow' });
    await until(async () => Number(await redis.hget(counter, 'res')) > 0, 'the slow call reserved in Redis');
    proxy.cut();
    await until(() => !A.running.app.redis!.up && !B.running.app.redis!.up, 'both processes see Redis gone');
    expect((await inFlight).status).toBe(200);

    // per process now: both keep serving
    for (let i = 0; i < 3; i++) expect((await chat(A, k.key)).status).toBe(200);
    expect((await chat(B, k.key)).status).toBe(200);
    expect(admission(A).fallback).toBe(true);
    expect(await fallbackTotal(A)).toBe(3);
    expect(logA.lines.filter((l) => l.includes('rate limits, parallel slots and budgets are kept per process'))).toHaveLength(1);
    const ready = (await (await fetch(`${A.url}/health/readiness`)).json()) as Record<string, string>;
    expect(ready).toMatchObject({ status: 'degraded', redis: 'disconnected' });

    // Redis still holds the figures of before the outage: one call spent, the slow call's estimate reserved
    expect(Number(await redis.hget(counter, 'spend'))).toBe(CALL_NANOS);
    expect(Number(await redis.hget(counter, 'res'))).toBeGreaterThan(0);

    await flush(A);
    await flush(B);
    const dbSpend = async () => Number((await sql(A, 'select budget_spend from virtual_keys where id = ?', [k.id]))[0].budget_spend);
    expect(await dbSpend()).toBe(6 * CALL_NANOS);

    proxy.restore();
    await until(() => !admission(A).fallback && !admission(B).fallback, 'both processes share again', 30_000);
    expect(logA.text()).toContain('limits are shared again');
    // the stale counter was dropped; the next admission seeds it from the database
    expect((await chat(B, k.key)).status).toBe(200);
    // (settled just after the answer went out)
    await until(async () => Number(await redis.hget(counter, 'spend')) === 7 * CALL_NANOS, 'the counter seeded from the database plus this call');
    expect(Number(await redis.hget(counter, 'res'))).toBe(0);
    expect((await chat(A, k.key)).status).toBe(200);
    await flush(A);
    await flush(B);
    expect(await dbSpend()).toBe(8 * CALL_NANOS);
    expect(Number(await redis.hget(counter, 'spend'))).toBe(8 * CALL_NANOS);
    // shared again: no more fallbacks counted
    expect(await fallbackTotal(A)).toBe(3);
  });
});
