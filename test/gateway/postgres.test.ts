/**
 * The gateway's writes on PostgreSQL: spend rows, budget increments, daily and weekly roll-ups,
 * usage and the reset job go through the same SQL as on SQLite, so they are run here on a
 * fresh PostgreSQL database too.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgres } from '../helpers/postgres.js';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';
import { chat, sql } from '../helpers/gateway.js';

describe('gateway on PostgreSQL', () => {
  let db: Awaited<ReturnType<typeof freshPostgres>>;
  let s: TestServer;
  let key: string;
  beforeAll(async () => {
    db = await freshPostgres();
    s = await startServer(
      {
        model_list: [
          { model_name: 'm', litellm_params: { model: 'openai/m', mock_response: 'twelve chars' }, model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 } },
        ],
      },
      { databaseUrl: db.url },
    );
    key = await userWithKey(s, { user_id: 'pg-user', user_role: 'internal_user' });
  });
  afterAll(async () => {
    await s?.close();
    await db?.drop();
  });

  it('records spend exactly, idempotently, and usage reads it back', async () => {
    const costs: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await chat(s, key, { stream: i === 2, stream_options: { include_usage: true } });
      expect(r.status).toBe(200);
    }
    const recorder = s.running.app.gateway!.recorder;
    await recorder.flush();
    const logs = await sql(s, 'select request_id, cost_nanos, prompt_tokens, completion_tokens, cache_hit from spend_logs order by start_time');
    expect(logs).toHaveLength(3);
    for (const l of logs) costs.push(Number(l.cost_nanos));
    const total = costs.reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(0);
    const [k] = await sql(s, 'select budget_spend from virtual_keys where user_id = ?', ['pg-user']);
    expect(Number(k.budget_spend)).toBe(total);

    const [u] = await sql(s, 'select personal_spend_nanos from users where id = ?', ['pg-user']);
    expect(Number(u.personal_spend_nanos)).toBe(total);

    // a row whose request id was already written is skipped: nothing counts twice
    const [keyRow] = await sql(s, 'select id, token, budget_budget_reset_at from virtual_keys where user_id = ?', ['pg-user']);
    const now = new Date();
    recorder.record({
      requestId: logs[0].request_id, keyToken: keyRow.token, keyId: keyRow.id, userId: 'pg-user', teamId: null, model: 'm',
      deployment: 'm#0', callType: 'chat', promptTokens: 1, completionTokens: 1, costNanos: 999_999, cacheHit: false,
      savedNanos: 0, cachedPromptTokens: 0, cacheWriteTokens: 0, promptCacheSavedNanos: 0, status: 'success', httpStatus: 200, error: null, estimated: false, unpriced: false, startTime: now,
      endTime: now, endUser: null, request: null, response: null,
      budgets: [{ ref: { kind: 'key', keyId: keyRow.id }, window: keyRow.budget_budget_reset_at ? new Date(keyRow.budget_budget_reset_at).getTime() : null }],
      userWindow: null,
    });
    await recorder.flush();
    const [again] = await sql(s, 'select budget_spend from virtual_keys where id = ?', [keyRow.id]);
    expect(Number(again.budget_spend)).toBe(total);
    expect(await sql(s, 'select request_id from spend_logs')).toHaveLength(3);

    const day = new Date().toISOString().slice(0, 10);
    const usage = await s.gql(`query($f: UsageFilter!) { usage(filter: $f, groupBy: [KEY, MODEL]) { totals { spend requests } rows { model requests } } }`, { f: { from: day, to: day } });
    expect(usage.errors).toBeUndefined();
    expect(usage.data.usage.totals.requests).toBe(3);
    expect(Math.round(usage.data.usage.totals.spend * 1e9)).toBe(total);
    const weekStart = new Date(Date.now() - 13 * 86_400_000).toISOString().slice(0, 10);
    const wide = await s.gql(`query($f: UsageFilter!) { usage(filter: $f, groupBy: [USER]) { totals { requests } rows { userId requests } } }`, { f: { from: weekStart, to: day } });
    expect(wide.errors).toBeUndefined();
    expect(wide.data.usage.rows).toEqual([{ userId: 'pg-user', requests: 3 }]);

    // reset job on PostgreSQL: nothing due now, and it runs without error
    expect(await s.running.app.gateway!.resetJob.runOnce()).toBe(0);
  });
});
