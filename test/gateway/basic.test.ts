import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, userWithKey, type TestServer } from '../helpers/server.js';

describe('gateway basics with the mock deployment', () => {
  let s: TestServer;
  let key: string;
  beforeAll(async () => {
    s = await startServer({
      model_list: [
        {
          model_name: 'gpt-4o-mini',
          litellm_params: { model: 'openai/gpt-4o-mini', mock_response: 'Hello there, friend.' },
          model_info: { input_cost_per_token: 0.001, output_cost_per_token: 0.002 },
        },
      ],
    });
    key = await userWithKey(s, { user_id: 'u1', user_role: 'internal_user' });
  });
  afterAll(() => s.close());

  it('answers through the official SDK, streaming and not, and records spend', async () => {
    const client = new OpenAI({ apiKey: key, baseURL: `${s.url}/v1` });
    const r = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi there' }] });
    expect(r.choices[0]!.message.content).toBe('Hello there, friend.');
    expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    const stream = await client.chat.completions.create({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi there' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Hello there, friend.');
    expect(usage).not.toBeNull();
    await s.running.app.gateway!.recorder.flush();
    const info = await s.rest('GET', '/key/info?key=' + key, undefined, key);
    expect(info.body.info.spend).toBeGreaterThan(0);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['gpt-4o-mini']);
  });
});
