/**
 * Pins spend recording (issue 3 "Spend recording"): every call — success, failure, cache hit —
 * writes one spend_logs row with the documented columns; prompts and responses only when
 * `store_prompts_in_spend_logs` is on; a batch that fails (a real SQLite error) rolls back, stays
 * queued and, retried, counts once; a re-queued row never counts twice; SIGTERM of a real
 * process right after a burst writes every row before exit; retention prunes logs, not roll-ups.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SpendRow } from '../../api/src/spend/recorder.js';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { CALL_NANOS, USAGE, admin, bearer, chat, flush, mintKey, post, sha256, sql, until, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';
import { openSqlite } from '../helpers/sqlite-file.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let s: TestServer;
let up: FakeUpstream;
let broken: FakeUpstream;

beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE, text: 'the answer' });
  broken = await startFakeUpstream({ failWith: 500 });
  s = await startServer({
    model_list: [upstreamModel('m', up, 'dep-m'), upstreamModel('bad', broken, 'dep-bad')],
    // nothing flushes by timer: every flush below is the test's
    general_settings: { proxy_batch_write_at: 30, maximum_spend_logs_retention_period: '30d' },
    litellm_settings: { cache: true, cache_params: { type: 'local', ttl: 600 } },
  });
});
afterAll(async () => {
  await s?.close();
  await up?.close();
  await broken?.close();
});

const logsOf = (keyId: string) => sql(s, 'select * from spend_logs where key_id = ? order by start_time, request_id', [keyId]);

describe('spend log rows', () => {
  it('success, failure and cache hit each write one row with every column', async () => {
    await admin(s, '/user/new', { user_id: 'u-spend', user_role: 'internal_user', auto_create_key: false });
    await admin(s, '/team/new', { team_id: 't-spend', members_with_roles: [{ user_id: 'u-spend', role: 'user' }] });
    const k = await mintKey(s, { user_id: 'u-spend', team_id: 't-spend' });
    const t0 = Date.now();
    const body = { messages: [{ role: 'user', content: 'rows please' }], user: 'end-user-7' };
    const ok = await chat(s, k.key, body);
    const fail = await chat(s, k.key, { ...body, model: 'bad' });
    const hit = await chat(s, k.key, body);
    const t1 = Date.now();
    expect([ok.status, fail.status, hit.status]).toEqual([200, 500, 200]);
    await flush(s);

    const rows = await logsOf(k.id);
    expect(rows.length).toBe(3);
    const byId = new Map(rows.map((r) => [r.request_id, r]));
    const common = { key_token: k.token, key_id: k.id, user_id: 'u-spend', team_id: 't-spend', call_type: 'chat', request: null, response: null };
    expect(byId.get(ok.headers.get('x-litellm-call-id')!)).toMatchObject({
      ...common, model: 'm', deployment: 'dep-m', prompt_tokens: 10, completion_tokens: 20, cost_nanos: CALL_NANOS,
      cache_hit: 0, saved_nanos: 0, status: 'success', http_status: 200, error: null, estimated: 0, end_user: 'end-user-7',
    });
    expect(byId.get(fail.headers.get('x-litellm-call-id')!)).toMatchObject({
      ...common, model: 'bad', deployment: 'dep-bad', prompt_tokens: 0, completion_tokens: 0, cost_nanos: 0,
      cache_hit: 0, status: 'failure', http_status: 500, end_user: 'end-user-7',
    });
    expect(byId.get(fail.headers.get('x-litellm-call-id')!).error).toMatch(/fake upstream failure 500/);
    // the same body (end user included) again: the third call is a hit, saving the first call's cost
    expect(byId.get(hit.headers.get('x-litellm-call-id')!)).toMatchObject({
      ...common, model: 'm', prompt_tokens: 10, completion_tokens: 20, cost_nanos: 0,
      cache_hit: 1, saved_nanos: CALL_NANOS, status: 'success', http_status: 200, end_user: 'end-user-7',
    });
    for (const r of rows) {
      expect(r.start_time).toBeGreaterThanOrEqual(t0);
      expect(r.end_time).toBeLessThanOrEqual(t1);
      expect(r.end_time).toBeGreaterThanOrEqual(r.start_time);
      expect(r.duration_ms).toBe(r.end_time - r.start_time);
    }
    // the key, the user (total) and the team paid for the one upstream call only
    const [key] = await sql(s, 'select budget_spend, last_used_at from virtual_keys where id = ?', [k.id]);
    expect(key.budget_spend).toBe(CALL_NANOS);
    expect(key.last_used_at).toBeGreaterThanOrEqual(t0);
    expect((await sql(s, 'select budget_spend from teams where id = ?', ['t-spend']))[0].budget_spend).toBe(CALL_NANOS);
    expect((await sql(s, 'select budget_spend from users where id = ?', ['u-spend']))[0].budget_spend).toBe(CALL_NANOS);
  });

  it('stores prompts and responses only when store_prompts_in_spend_logs is on', async () => {
    const p = await startServer({
      model_list: [{ model_name: 'mock', litellm_params: { model: 'openai/x', mock_response: 'stored answer' } }],
      general_settings: { store_prompts_in_spend_logs: true },
    });
    try {
      const k = await mintKey(p);
      expect((await post(p, '/v1/chat/completions', { model: 'mock', messages: [{ role: 'user', content: 'secret prompt' }] }, bearer(k.key))).status).toBe(200);
      await p.running.app.gateway!.recorder.flush();
      const [row] = await sql(p, 'select request, response from spend_logs where key_id = ?', [k.id]);
      expect(JSON.parse(row.request).messages).toEqual([{ role: 'user', content: 'secret prompt' }]);
      expect(row.response).toContain('stored answer');
    } finally {
      await p.close();
    }
    // and off by default (the server above): no row there has a prompt or a response
    expect(await sql(s, 'select count(*) as n from spend_logs where request is not null or response is not null')).toEqual([{ n: 0 }]);
  });
});

describe('flushes', () => {
  it('a batch that fails rolls back, stays queued, and counts once when retried', async () => {
    const k = await mintKey(s);
    const rec = s.running.app.gateway!.recorder;
    const day = new Date().toISOString().slice(0, 10);
    const rollup = async () => (await sql(s, 'select coalesce(sum(requests), 0) as n from daily_model_spend where day = ? and model = ?', [day, 'm']))[0].n;
    const before = await rollup();

    // break the roll-up table in the database itself: the batch transaction fails on it
    await sql(s, 'alter table daily_model_spend rename to daily_model_spend_away');
    try {
      for (const content of ['f1', 'f2', 'f3']) expect((await chat(s, k.key, { messages: [{ role: 'user', content }] })).status).toBe(200);
      await flush(s);
      expect(rec.pending()).toBe(3);
      expect(await logsOf(k.id)).toEqual([]); // the log inserts were rolled back with the rest
      expect((await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]))[0].budget_spend).toBe(0);
      // the in-memory ledger already counts them (admission stays correct meanwhile)
      expect(s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })?.spend).toBe(3 * CALL_NANOS);
    } finally {
      await sql(s, 'alter table daily_model_spend_away rename to daily_model_spend');
    }
    await flush(s);
    expect(rec.pending()).toBe(0);
    await flush(s);
    const rows = await logsOf(k.id);
    expect(rows.length).toBe(3);
    expect(new Set(rows.map((r) => r.request_id)).size).toBe(3);
    expect((await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]))[0].budget_spend).toBe(3 * CALL_NANOS);
    expect(await rollup()).toBe(before + 3);
    expect(s.running.app.gateway!.ledger.peek({ kind: 'key', keyId: k.id })?.spend).toBe(3 * CALL_NANOS);
  });

  it('re-queueing a row already written counts nothing twice', async () => {
    const k = await mintKey(s);
    expect((await chat(s, k.key, { messages: [{ role: 'user', content: 'once' }] })).status).toBe(200);
    await flush(s);
    const [r] = await logsOf(k.id);
    const day = new Date(r.start_time).toISOString().slice(0, 10);
    const rollup = async () => (await sql(s, 'select sum(requests) as n, sum(spend_nanos) as spend from daily_key_spend where day = ? and key_id = ?', [day, k.id]))[0];
    expect(await rollup()).toEqual({ n: 1, spend: CALL_NANOS });
    const again: SpendRow = {
      requestId: r.request_id, keyToken: r.key_token, keyId: k.id, userId: r.user_id, teamId: r.team_id, model: r.model,
      deployment: r.deployment, callType: r.call_type, promptTokens: r.prompt_tokens, completionTokens: r.completion_tokens,
      costNanos: r.cost_nanos, cacheHit: false, savedNanos: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, promptCacheSavedNanos: 0, status: 'success', httpStatus: 200, error: null,
      estimated: false, unpriced: false, startTime: new Date(r.start_time), endTime: new Date(r.end_time), endUser: null,
      request: null, response: null, budgets: [{ ref: { kind: 'key', keyId: k.id }, window: null }], userWindow: null,
    };
    s.running.app.gateway!.recorder.record({ ...again });
    s.running.app.gateway!.recorder.record({ ...again });
    await flush(s);
    expect((await logsOf(k.id)).length).toBe(1);
    expect((await sql(s, 'select budget_spend from virtual_keys where id = ?', [k.id]))[0].budget_spend).toBe(CALL_NANOS);
    expect(await rollup()).toEqual({ n: 1, spend: CALL_NANOS });
  });

  it('maximum_spend_logs_retention_period prunes old log rows; roll-ups stay', async () => {
    const k = await mintKey(s);
    expect((await chat(s, k.key, { messages: [{ role: 'user', content: 'recent' }] })).status).toBe(200);
    const old = new Date(Date.now() - 60 * 86_400_000);
    const oldDay = old.toISOString().slice(0, 10);
    s.running.app.gateway!.recorder.record({
      requestId: `old-${k.id}`, keyToken: k.token, keyId: k.id, userId: null, teamId: null, model: 'm', deployment: 'dep-m',
      callType: 'chat', promptTokens: 10, completionTokens: 20, costNanos: CALL_NANOS, cacheHit: false, savedNanos: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, promptCacheSavedNanos: 0,
      status: 'success', httpStatus: 200, error: null, estimated: false, unpriced: false, startTime: old,
      endTime: new Date(old.getTime() + 5), endUser: null, request: null, response: null, budgets: [], userWindow: null,
    });
    await flush(s);
    expect((await logsOf(k.id)).length).toBe(2);
    await s.running.app.gateway!.resetJob.runOnce();
    const left = await logsOf(k.id);
    expect(left.length).toBe(1);
    expect(left[0].request_id).not.toBe(`old-${k.id}`);
    expect(await sql(s, 'select requests, spend_nanos from daily_key_spend where day = ? and key_id = ?', [oldDay, k.id])).toEqual([{ requests: 1, spend_nanos: CALL_NANOS }]);
    expect(await sql(s, 'select sum(requests) as n from daily_model_spend where day = ?', [oldDay])).toEqual([{ n: 1 }]);
  });
});

describe('shutdown', () => {
  it('SIGTERM right after a burst writes every row before the process exits', { timeout: 180_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'purser-sigterm-'));
    // the child resolves @swc-node/register from its working directory
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    const master = 'sk-sigterm-master-key-0123456789';
    const config = {
      model_list: [upstreamModel('m', up, 'dep-m')],
      general_settings: { master_key: master, proxy_batch_write_at: 30 },
    };
    writeFileSync(join(dir, 'config.yaml'), JSON.stringify(config, null, 2));
    const child = spawn(process.execPath, ['--import', '@swc-node/register/esm-register', join(ROOT, 'api/src/main.ts'), '--config', 'config.yaml', '--port', '0', '--host', '127.0.0.1'], {
      cwd: dir,
      env: { PATH: process.env.PATH, SWC_NODE_PROJECT: join(ROOT, 'tsconfig.json') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    try {
      const url = await until(() => /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out)?.[1], `the child to listen (output: ${out})`, 150_000, 100);
      const gen = await fetch(`${url}/key/generate`, { method: 'POST', headers: { ...bearer(master), 'content-type': 'application/json' }, body: '{}' });
      const { key, key_id: keyId } = (await gen.json()) as { key: string; key_id: string };
      const N = 25;
      const results = await Promise.all(
        Array.from({ length: N }, (_, i) =>
          fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { ...bearer(key), 'content-type': 'application/json' }, body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: `burst ${i}` }] }) }),
        ),
      );
      expect(results.map((r) => r.status)).toEqual(Array(N).fill(200));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);

      const db = await openSqlite(join(dir, 'data', 'purser.db'));
      try {
        const rows = await db.all('select request_id, cost_nanos, key_token from spend_logs where key_id = ?', [keyId]);
        expect(rows.length).toBe(N);
        expect(rows.every((r) => r.cost_nanos === CALL_NANOS && r.key_token === sha256(key))).toBe(true);
        expect(await db.all('select budget_spend from virtual_keys where id = ?', [keyId])).toEqual([{ budget_spend: N * CALL_NANOS }]);
      } finally {
        await db.close();
      }
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
