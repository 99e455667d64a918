/**
 * Issue 11: LiteLLM's /model/info, /v1/model/info, /model_group/info and /health, through a
 * running server with real fake upstreams: LiteLLM's shapes, scoped to the caller's key, and
 * never a secret (api_key, URL credentials) in any answer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { bearer, upstreamModel } from '../helpers/gateway.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

const get = async (s: TestServer, path: string, key: string) => {
  const res = await fetch(`${s.url}${path}`, { headers: bearer(key) });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), text };
};

describe('model info and health', () => {
  let s: TestServer;
  let good: FakeUpstream;
  let bad: FakeUpstream;
  let limitedKey: string;
  beforeAll(async () => {
    good = await startFakeUpstream();
    bad = await startFakeUpstream({ failWith: 401 });
    s = await startServer({
      model_list: [
        upstreamModel('gpt-4o', good, 'gpt-4o-a', { api_key: 'sk-upstream-secret-1' }),
        upstreamModel('gpt-4o', good, 'gpt-4o-b', { api_key: 'sk-upstream-secret-2', rpm: 10 }),
        { model_name: 'broken', litellm_params: { model: 'openai/broken', api_base: `http://user:pw-secret@127.0.0.1:${new URL(bad.url).port}/v1`, api_key: 'sk-upstream-secret-3' } },
        { model_name: 'embed', litellm_params: { model: 'openai/text-embedding-3-small', api_base: good.base, api_key: 'sk-upstream-secret-4' }, model_info: { mode: 'embedding' } },
        { model_name: 'mocked', litellm_params: { model: 'openai/gpt-4o-mini', mock_response: 'ok' } },
        { model_name: 'openrouter/*', litellm_params: { model: 'openai/*', api_base: good.base, api_key: 'sk-upstream-secret-5' } },
      ],
    });
    limitedKey = (await s.rest('POST', '/key/generate', { models: ['gpt-4o'] })).body.key;
  });
  afterAll(async () => {
    await s?.close();
    await good?.close();
    await bad?.close();
  });

  it('/model/info and /v1/model/info list every deployment in LiteLLM shape, without secrets', async () => {
    for (const path of ['/model/info', '/v1/model/info']) {
      const res = await get(s, path, MASTER_KEY);
      expect(res.status).toBe(200);
      expect(res.body.data.map((m: any) => m.model_name)).toEqual(['gpt-4o', 'gpt-4o', 'broken', 'embed', 'mocked', 'openrouter/*']);
      const first = res.body.data[0];
      expect(first.litellm_params).toEqual({ model: 'openai/gpt-4o-mini', api_base: good.base });
      expect(first.model_info).toMatchObject({ id: 'gpt-4o-a', mode: 'chat', litellm_provider: 'openai', input_cost_per_token: 0.001, output_cost_per_token: 0.002, db_model: false });
      expect(res.body.data[3].model_info.mode).toBe('embedding');
      expect(res.text).not.toMatch(/secret/);
      expect(res.text).not.toContain('api_key');
    }
    const one = await get(s, '/model/info?litellm_model_id=gpt-4o-b', MASTER_KEY);
    expect(one.body.data.map((m: any) => m.model_info.id)).toEqual(['gpt-4o-b']);
  });

  it('a key sees only the models it may use', async () => {
    const res = await get(s, '/v1/model/info', limitedKey);
    expect(res.body.data.map((m: any) => m.model_info.id)).toEqual(['gpt-4o-a', 'gpt-4o-b']);
    const groups = await get(s, '/model_group/info', limitedKey);
    expect(groups.body.data.map((g: any) => g.model_group)).toEqual(['gpt-4o']);
  });

  it('/model_group/info has one entry per model name', async () => {
    const res = await get(s, '/model_group/info', MASTER_KEY);
    expect(res.status).toBe(200);
    expect(res.body.data.map((g: any) => g.model_group)).toEqual(['gpt-4o', 'broken', 'embed', 'mocked', 'openrouter/*']);
    expect(res.body.data[0]).toMatchObject({ model_group: 'gpt-4o', providers: ['openai'], mode: 'chat', rpm: 10, input_cost_per_token: 0.001, max_output_tokens: 20 });
    expect(res.text).not.toMatch(/secret/);
    const one = await get(s, '/model_group/info?model_group=embed', MASTER_KEY);
    expect(one.body.data).toHaveLength(1);
  });

  it('the info routes need a key', async () => {
    for (const path of ['/model/info', '/model_group/info', '/health']) expect((await fetch(`${s.url}${path}`)).status).toBe(401);
  });

  it('/health calls each deployment and reports healthy and unhealthy endpoints, never a key', async () => {
    const before = good.received.length;
    const res = await get(s, '/health', MASTER_KEY);
    expect(res.status).toBe(200);
    expect(res.body.healthy_count).toBe(4);
    expect(res.body.unhealthy_count).toBe(1);
    expect(res.body.healthy_endpoints.map((e: any) => e.model_id).sort()).toEqual(['embed#3', 'gpt-4o-a', 'gpt-4o-b', 'mocked#4']);
    expect(res.body.unhealthy_endpoints[0]).toMatchObject({ model_name: 'broken', model: 'openai/broken' });
    expect(res.body.unhealthy_endpoints[0].error).toMatch(/rejected the credential/);
    expect(res.text).not.toMatch(/secret/);
    // real minimal calls: one chat per chat deployment, one embedding
    const got = good.received.slice(before);
    expect(got.filter((r) => r.path.endsWith('/chat/completions')).map((r) => r.body.max_tokens)).toEqual([1, 1]);
    expect(got.filter((r) => r.path.endsWith('/embeddings'))).toHaveLength(1);
    const limited = await get(s, '/health', limitedKey);
    expect(limited.body.healthy_endpoints.map((e: any) => e.model_name)).toEqual(['gpt-4o', 'gpt-4o']);
    expect(limited.body.unhealthy_count).toBe(0);
  });
});

describe('background health checks', () => {
  let s: TestServer;
  let up: FakeUpstream;
  beforeAll(async () => {
    up = await startFakeUpstream();
    s = await startServer({
      model_list: [upstreamModel('m', up)],
      general_settings: { background_health_checks: true, health_check_interval: 3600 },
    });
  });
  afterAll(async () => {
    await s?.close();
    await up?.close();
  });

  it('/health answers from the last background run', async () => {
    // the first run starts with the server; wait for its upstream call to be answered
    const first = await get(s, '/health', MASTER_KEY);
    expect(first.body.healthy_count).toBe(1);
    const calls = up.received.length;
    expect(calls).toBe(1);
    up.behaviour.failWith = 500;
    const again = await get(s, '/health', MASTER_KEY);
    expect(again.body).toEqual(first.body);
    expect(up.received.length).toBe(calls);
  });
});
