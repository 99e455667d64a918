import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

// A model with no price (not in the built-in table, nothing in model_info) costs 0 and says so in usage.
describe('unpriced models', () => {
  let s: TestServer;
  let key: string;
  beforeAll(async () => {
    s = await startServer({
      model_list: [
        { model_name: 'house-model', litellm_params: { model: 'openai/house-model-v1', mock_response: 'in-house answer' } },
        { model_name: 'mini', litellm_params: { model: 'openai/gpt-4o-mini', mock_response: 'priced answer' } },
      ],
    });
    key = await userWithKey(s, { user_id: 'u', user_role: 'internal_user' });
  });
  afterAll(() => s.close());

  it('costs 0, is flagged in the spend log and in usage by model; a built-in price applies to a known model', async () => {
    for (const model of ['house-model', 'mini']) {
      const res = await fetch(`${s.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'a question of some length' }] }),
      });
      expect(res.status).toBe(200);
    }
    await s.running.app.gateway!.recorder.flush();
    const day = new Date().toISOString().slice(0, 10);
    const u = await s.gql(`query($f: UsageFilter!) { usage(filter: $f, groupBy: [MODEL]) { rows { model unpriced spend requests } } }`, { f: { from: day, to: day } });
    expect(u.errors).toBeUndefined();
    const rows = Object.fromEntries(u.data.usage.rows.map((r: any) => [r.model, r]));
    expect(rows['house-model']).toMatchObject({ unpriced: true, spend: 0, requests: 1 });
    expect(rows['mini'].unpriced).toBe(false);
    expect(rows['mini'].spend).toBeGreaterThan(0);
    const logs = await s.gql(`{ spendLogs(first: 10) { edges { node { model unpriced spend } } } }`);
    const byModel = Object.fromEntries(logs.data.spendLogs.edges.map((e: any) => [e.node.model, e.node]));
    expect(byModel['house-model']).toMatchObject({ unpriced: true, spend: 0 });
    expect(byModel['mini'].unpriced).toBe(false);
  });
});
