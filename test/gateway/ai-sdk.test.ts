/**
 * The Vercel AI SDK's default OpenAI provider (`openai('model')`, which calls the Responses
 * API) against a real Purser (issue 14): text, a tool call, a tool loop (its second step sends
 * `item_reference`s to the first step's output, which Purser kept) and a stream, translated to
 * a Chat Completions upstream, and charged to the key as `responses` calls.
 */
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, jsonSchema, stepCountIs, streamText, tool } from 'ai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { USAGE, flush, mintKey, sql, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';

let s: TestServer;
let up: FakeUpstream;

beforeAll(async () => {
  up = await startFakeUpstream({ text: 'Hello from the AI SDK path.', usage: USAGE });
  s = await startServer({ model_list: [upstreamModel('m', up, 'dep-m')], general_settings: { proxy_batch_write_at: 30 } });
});
afterAll(async () => {
  await s?.close();
  await up?.close();
});

const rowsOf = (keyId: string) => sql(s, 'select call_type, cost_nanos, status from spend_logs where key_id = ? order by start_time', [keyId]);

describe("the AI SDK's default provider", () => {
  it('generateText, a tool call and streamText work and are charged as Responses calls', async () => {
    const k = await mintKey(s);
    const openai = createOpenAI({ baseURL: `${s.url}/v1`, apiKey: k.key });
    const r = await generateText({ model: openai('m'), prompt: 'Say hello.' });
    expect(r.text).toBe('Hello from the AI SDK path.');
    expect(up.received.at(-1)!.path).toBe('/v1/chat/completions');

    up.behaviour.tool = { name: 'get_weather', input: { city: 'Paris' } };
    try {
      const withTool = await generateText({
        model: openai('m'),
        prompt: 'Weather in Paris?',
        tools: { get_weather: tool({ description: 'Weather of a city', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }) }) },
      });
      expect(withTool.toolCalls.map((c) => [c.toolName, c.input])).toEqual([['get_weather', { city: 'Paris' }]]);
      expect(up.received.at(-1)!.body.tools[0].function.name).toBe('get_weather');
    } finally {
      up.behaviour.tool = null;
    }

    // a tool loop: the second step sends the first step's function call and its result back
    up.behaviour.tool = { name: 'get_weather', input: { city: 'Paris' } };
    try {
      const loop = await generateText({
        model: openai('m'),
        prompt: 'Weather in Paris?',
        stopWhen: stepCountIs(2),
        tools: { get_weather: tool({ description: 'Weather of a city', inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }), execute: async () => '18 C' }) },
      });
      expect(loop.steps.length).toBe(2);
      const second = up.received.at(-1)!.body.messages;
      expect(second.find((m: any) => m.role === 'tool')).toMatchObject({ content: '18 C' });
      expect(second.find((m: any) => m.tool_calls)?.tool_calls[0].function).toMatchObject({ name: 'get_weather', arguments: '{"city":"Paris"}' });
    } finally {
      up.behaviour.tool = null;
    }

    const stream = streamText({ model: openai('m'), prompt: 'Stream it.' });
    let text = '';
    for await (const part of stream.textStream) text += part;
    expect(text).toBe('Hello from the AI SDK path.');

    await flush(s);
    // five calls: text, a tool call, the two steps of the loop, the stream
    expect(await rowsOf(k.id)).toEqual(Array.from({ length: 5 }, () => ({ call_type: 'responses', cost_nanos: 50_000_000, status: 'success' })));
  });
});
