/**
 * Pins the budget reset job and budget alerts (issue 3 "Budget reset job and alerts"): with
 * 1-second job settings a due budget goes back to 0 in the database and in the gateway's ledger,
 * `budget_reset_at` moves forward, a key refused at its budget may call again, a call in flight
 * across a reset counts in the window it was admitted in, and the state survives a restart.
 * Alerts: soft budget, 80% and exceeded are each POSTed once per budget window to WEBHOOK_URL
 * with the documented JSON shape (BudgetAlertPayload in api/src/spend/alerts.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPurser, type Running } from '../../api/src/app/bootstrap.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CALL_NANOS, USAGE, chat, flush, mintKey, sleep, sql, until, upstreamModel } from '../helpers/gateway.js';
import { silentLog, startServer, type TestServer } from '../helpers/server.js';

const FAST_RESETS = { proxy_budget_rescheduler_min_time: 1, proxy_budget_rescheduler_max_time: 1 };

let up: FakeUpstream;
let slow: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE });
  slow = await startFakeUpstream({ usage: USAGE, delayMs: 6500 });
});
afterAll(async () => {
  await up?.close();
  await slow?.close();
});

const keyRow = async (s: TestServer, id: string) =>
  (await sql<{ budget_spend: number; budget_budget_reset_at: number }>(s, 'select budget_spend, budget_budget_reset_at from virtual_keys where id = ?', [id]))[0]!;

/** Waits for the reset job to move the key's window past `after`; returns the new reset instant. */
const nextReset = async (s: TestServer, id: string, after: number) =>
  until(async () => {
    const r = await keyRow(s, id);
    return r.budget_budget_reset_at > after ? r.budget_budget_reset_at : 0;
  }, 'a budget reset', 30_000, 25);

describe('reset job (1-second settings)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({ model_list: [upstreamModel('m', up), upstreamModel('slow', slow)], general_settings: FAST_RESETS });
  });
  afterAll(() => s?.close());

  it('spend goes to 0 after the window, in the database and the ledger; a refused key calls again', { timeout: 60_000 }, async () => {
    // 5-second windows: right after a reset there is time to call, flush and look
    const k = await mintKey(s, { max_budget: 0.01, budget_duration: '5s' });
    const w1 = await nextReset(s, k.id, (await keyRow(s, k.id)).budget_budget_reset_at);
    expect(w1).toBeGreaterThan(Date.now());
    expect(w1 % 5000).toBe(0);

    expect((await chat(s, k.key)).status).toBe(200);
    const refused = await chat(s, k.key);
    expect(refused.status).toBe(429);
    expect(refused.body.error.type).toBe('budget_exceeded');
    await flush(s);
    expect(await keyRow(s, k.id)).toEqual({ budget_spend: CALL_NANOS, budget_budget_reset_at: w1 });
    expect(s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })).toMatchObject({ spend: CALL_NANOS, window: w1 });

    const w2 = await nextReset(s, k.id, w1);
    expect(w2).toBeGreaterThan(w1);
    expect((await keyRow(s, k.id)).budget_spend).toBe(0);
    expect(s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })).toMatchObject({ spend: 0, window: w2 });
    expect((await chat(s, k.key)).status).toBe(200);
    const info = await s.rest('GET', `/key/info?key=${k.key}`);
    expect(info.body.info.budget_reset_at).toBe(new Date(w2).toISOString());
  });

  it('a call in flight across a reset counts in the window it was admitted in', { timeout: 60_000 }, async () => {
    const k = await mintKey(s, { max_budget: 10, budget_duration: '5s' });
    // admit the slow call right after a reset: it ends (6.5 s later) in the next window
    const w1 = await nextReset(s, k.id, (await keyRow(s, k.id)).budget_budget_reset_at);
    const inFlight = chat(s, k.key, { model: 'slow' });
    const w2 = await nextReset(s, k.id, w1);
    expect(s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })).toMatchObject({ spend: 0, window: w2 });
    // a call admitted in the new window
    expect((await chat(s, k.key)).status).toBe(200);
    const slowCall = await inFlight;
    expect(slowCall.status).toBe(200);
    await flush(s);
    const row = await keyRow(s, k.id);
    expect(row.budget_budget_reset_at).toBe(w2); // still the window of the fast call
    expect(row.budget_spend).toBe(CALL_NANOS); // the fast call only
    expect(s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })).toMatchObject({ spend: CALL_NANOS, reserved: 0 });
    // both calls are logged: usage keeps the slow one
    const logs = await sql(s, 'select cost_nanos from spend_logs where key_id = ?', [k.id]);
    expect(logs).toEqual([{ cost_nanos: CALL_NANOS }, { cost_nanos: CALL_NANOS }]);
  });
});

describe('reset state survives a restart', () => {
  const master = 'sk-restart-master-key-0123456789';
  const dataDir = mkdtempSync(join(tmpdir(), 'purser-restart-'));
  const start = () =>
    startPurser({
      configObject: { model_list: [upstreamModel('m', up)], general_settings: { master_key: master, ...FAST_RESETS } },
      port: 0,
      host: '127.0.0.1',
      dataDir,
      env: { PATH: process.env.PATH },
      log: silentLog,
      uiDir: null,
    });
  const asServer = (r: Running) => ({ running: r, url: r.url, masterKey: master, dataDir, rest: restOf(r.url) }) as unknown as TestServer;
  const restOf = (url: string) => async (method: string, path: string, body?: unknown) => {
    const res = await fetch(url + path, { method, headers: { authorization: `Bearer ${master}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return { status: res.status, body: (await res.json()) as any, headers: res.headers };
  };
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('spend, windows and a due reset carry over to the next process', { timeout: 90_000 }, async () => {
    const a = asServer(await start());
    let daily: { key: string; id: string };
    let shortKey: { key: string; id: string };
    let shortWindow: number;
    let dailyWindow: number;
    try {
      daily = await mintKey(a, { max_budget: 0.01, budget_duration: '1d' });
      shortKey = await mintKey(a, { budget_duration: '2s' });
      expect((await chat(a, daily.key)).status).toBe(200);
      expect((await chat(a, shortKey.key)).status).toBe(200);
      await flush(a);
      dailyWindow = (await keyRow(a, daily.id)).budget_budget_reset_at;
      shortWindow = (await keyRow(a, shortKey.id)).budget_budget_reset_at;
    } finally {
      await a.running.close();
    }
    // the short window ends while no server runs
    await until(() => Date.now() > shortWindow + 50, 'the end of the short window');

    const b = asServer(await start());
    try {
      // the daily key is still over its budget: the new ledger starts from the database
      const r = await chat(b, daily.key);
      expect(r.status).toBe(429);
      expect(r.body.error.message).toContain('0.05');
      // the missed reset is caught up at start
      const moved = await nextReset(b, shortKey.id, shortWindow);
      expect(moved).toBeGreaterThan(shortWindow);
      expect((await keyRow(b, shortKey.id)).budget_spend).toBe(0);
      expect(await keyRow(b, daily.id)).toEqual({ budget_spend: CALL_NANOS, budget_budget_reset_at: dailyWindow });
    } finally {
      await b.running.close();
    }
  });
});

describe('budget alerts', () => {
  let s: TestServer;
  let hook: Server;
  const posts: any[] = [];
  beforeAll(async () => {
    hook = createServer((req, res) => {
      let raw = '';
      req.on('data', (c) => (raw += c));
      req.on('end', () => {
        posts.push({ contentType: req.headers['content-type'], method: req.method, body: JSON.parse(raw) });
        res.end('ok');
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook`;
    s = await startServer({ model_list: [upstreamModel('m', up)], general_settings: { alerting: ['webhook'], ...FAST_RESETS } }, { env: { WEBHOOK_URL: url } });
  });
  afterAll(async () => {
    await s?.close();
    await new Promise((r) => hook.close(r));
  });

  it('soft budget, 80% and exceeded are each POSTed once, with the documented shape', { timeout: 30_000 }, async () => {
    const k = await mintKey(s, { key_alias: 'alert-key', soft_budget: 0.06, max_budget: 0.18, budget_duration: '1d' });
    const statuses: number[] = [];
    // 0.05 each: 0.05 (nothing), 0.10 (soft), 0.15 (≥ 80% of 0.18), 0.20 (exceeded), then refused
    for (let i = 0; i < 6; i++) statuses.push((await chat(s, k.key)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const mine = () => posts.filter((p) => p.body.budget.id === k.id);
    await until(() => mine().length >= 3, 'three alerts');
    await sleep(300);
    const window = (await keyRow(s, k.id)).budget_budget_reset_at;
    expect(mine().map((p) => p.body.event)).toEqual(['soft_budget_crossed', 'budget_80_percent', 'budget_exceeded']);
    expect(mine().every((p) => p.method === 'POST' && /application\/json/.test(p.contentType))).toBe(true);
    const spends = [0.1, 0.15, 0.2];
    mine().forEach((p, i) => {
      expect(p.body).toEqual({
        event: p.body.event,
        budget: { type: 'key', id: k.id, label: 'key alert-key' },
        spend: spends[i],
        max_budget: 0.18,
        soft_budget: 0.06,
        budget_reset_at: new Date(window).toISOString(),
        key_alias: 'alert-key',
        key_name: p.body.key_name,
        user_id: 'default_user_id',
        team_id: null,
        at: p.body.at,
      });
      expect(p.body.key_name).toMatch(/^sk-\.\.\./);
      expect(new Date(p.body.at).toISOString()).toBe(p.body.at);
    });
  });

  it('an alert is sent again in the next budget window, not within one', { timeout: 60_000 }, async () => {
    const k = await mintKey(s, { soft_budget: 0.01, budget_duration: '5s' });
    const w1 = await nextReset(s, k.id, (await keyRow(s, k.id)).budget_budget_reset_at);
    for (let i = 0; i < 3; i++) expect((await chat(s, k.key)).status).toBe(200);
    const mine = () => posts.filter((p) => p.body.budget.id === k.id);
    await until(() => mine().length >= 1, 'the first soft alert');
    const w2 = await nextReset(s, k.id, w1);
    expect((await chat(s, k.key)).status).toBe(200);
    await until(() => mine().length >= 2, 'the soft alert of the next window');
    await sleep(300);
    expect(mine().map((p) => [p.body.event, p.body.budget_reset_at])).toEqual([
      ['soft_budget_crossed', new Date(w1).toISOString()],
      ['soft_budget_crossed', new Date(w2).toISOString()],
    ]);
  });
});
