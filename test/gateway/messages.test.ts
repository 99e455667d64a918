/**
 * Anthropic's Messages API on Purser (issue 14), through the official `@anthropic-ai/sdk`:
 * passed through to an `anthropic/` deployment (a fake Anthropic upstream that records what
 * arrived), translated to Chat Completions for an OpenAI-compatible one, and the reverse (an
 * OpenAI client on an `anthropic/` deployment). Spend is exact for each usage shape; every
 * refusal comes in Anthropic's envelope and charges nothing.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { PRICE, USAGE, bearer, flush, freshRateWindow, mintKey, post, sdk, sql, upstreamModel } from '../helpers/gateway.js';
import { MASTER_KEY, startServer, type TestServer } from '../helpers/server.js';

/** USD per token for the Anthropic deployment: cache writes and reads have their own prices. */
const CLAUDE_PRICE = { ...PRICE, cache_creation_input_token_cost: 0.004, cache_read_input_token_cost: 0.0005 };
/** the fake's Anthropic usage: 10 input, 20 output, 3 written to and 5 read from the cache */
const CLAUDE_NANOS = (10 * 1000 + 20 * 2000 + 3 * 4000 + 5 * 500) * 1000;
/** the fake chat upstream's usage (10 prompt, 20 completion) at PRICE */
const CHAT_NANOS = 50_000_000;
const TOOL = { name: 'get_weather', input: { city: 'Paris', unit: 'celsius' } };
const WEATHER_TOOL = { name: 'get_weather', description: 'Weather of a city', input_schema: { type: 'object' as const, properties: { city: { type: 'string' } }, required: ['city'] } };

let s: TestServer;
let claude: FakeUpstream;
let chatUp: FakeUpstream;

beforeAll(async () => {
  claude = await startFakeUpstream({ text: 'Bonjour from Claude.' });
  chatUp = await startFakeUpstream({ text: 'Hello from chat.', usage: USAGE });
  s = await startServer({
    model_list: [
      { model_name: 'claude', litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: claude.url, api_key: 'sk-ant-upstream' }, model_info: { ...CLAUDE_PRICE, id: 'dep-claude', max_output_tokens: 64 } },
      upstreamModel('gpt', chatUp, 'dep-gpt', {}),
    ],
    general_settings: { proxy_batch_write_at: 30 },
  });
});
afterAll(async () => {
  await s?.close();
  await claude?.close();
  await chatUp?.close();
});

function client(key: string, as: 'apiKey' | 'authToken' = 'authToken') {
  const counter = { requests: 0 };
  const c = new Anthropic({
    ...(as === 'apiKey' ? { apiKey: key } : { authToken: key, apiKey: null }),
    baseURL: s.url,
    maxRetries: 2,
    fetch: (async (url: any, init: any) => {
      counter.requests++;
      return fetch(url, init);
    }) as typeof fetch,
  });
  return { c, counter };
}

const rowsOf = (keyId: string) => sql(s, 'select * from spend_logs where key_id = ? order by start_time, request_id', [keyId]);
const keySpend = async (keyId: string) => (await sql(s, 'select budget_spend from virtual_keys where id = ?', [keyId]))[0].budget_spend;

describe('pass-through to an anthropic/ deployment', () => {
  it('create: the body as sent, x-api-key and version headers upstream, spend from all four usage fields', async () => {
    const k = await mintKey(s);
    const { c } = client(k.key, 'apiKey');
    const before = claude.received.length;
    const msg = await c.messages.create(
      {
        model: 'claude',
        max_tokens: 50,
        system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
        messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
        stop_sequences: ['END'],
        metadata: { user_id: 'end-user-1' },
      },
      { headers: { 'anthropic-version': '2023-06-01', 'anthropic-beta': 'prompt-caching-2024-07-31' } },
    );
    expect(msg.content).toEqual([{ type: 'text', text: 'Bonjour from Claude.' }]);
    expect(msg.usage).toMatchObject({ input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 3, cache_read_input_tokens: 5 });
    const got = claude.received.slice(before);
    expect(got.length).toBe(1);
    expect(got[0]!.path).toBe('/v1/messages');
    expect(got[0]!.headers['x-api-key']).toBe('sk-ant-upstream');
    expect(got[0]!.headers.authorization).toBeUndefined();
    expect(got[0]!.headers['anthropic-version']).toBe('2023-06-01');
    expect(got[0]!.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(got[0]!.body).toEqual({
      model: 'claude-sonnet-4-5',
      max_tokens: 50,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: [{ type: 'text', text: 'Hi' }] }],
      stop_sequences: ['END'],
      metadata: { user_id: 'end-user-1' },
    });
    await flush(s);
    const [row] = await rowsOf(k.id);
    expect(row).toMatchObject({ call_type: 'messages', model: 'claude', deployment: 'dep-claude', prompt_tokens: 18, completion_tokens: 20, cost_nanos: CLAUDE_NANOS, status: 'success', end_user: 'end-user-1', estimated: 0 });
    expect(await keySpend(k.id)).toBe(CLAUDE_NANOS);
  });

  it('stream: the SDK assembles text and a tool call from the relayed events; spend is exact', async () => {
    claude.behaviour.tool = TOOL;
    try {
      const k = await mintKey(s);
      const { c } = client(k.key);
      const stream = c.messages.stream({ model: 'claude', max_tokens: 50, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      const types: string[] = [];
      stream.on('streamEvent', (e) => types.push(e.type));
      const final = await stream.finalMessage();
      expect(final.content).toEqual([{ type: 'text', text: 'Bonjour from Claude.' }, { type: 'tool_use', id: 'toolu_fake_1', name: 'get_weather', input: TOOL.input }]);
      expect(final.stop_reason).toBe('tool_use');
      expect(types[0]).toBe('message_start');
      expect(types.at(-1)).toBe('message_stop');
      await flush(s);
      const [row] = await rowsOf(k.id);
      expect(row).toMatchObject({ call_type: 'messages', prompt_tokens: 18, completion_tokens: 20, cost_nanos: CLAUDE_NANOS, status: 'success', http_status: 200 });
    } finally {
      claude.behaviour.tool = null;
    }
  });

  it('count_tokens goes to the deployment and costs nothing', async () => {
    const k = await mintKey(s);
    const { c } = client(k.key);
    const r = await c.messages.countTokens({ model: 'claude', messages: [{ role: 'user', content: 'count me' }] });
    expect(r.input_tokens).toBe(42);
    expect(claude.received.at(-1)!.path).toBe('/v1/messages/count_tokens');
    await flush(s);
    expect(await rowsOf(k.id)).toEqual([]);
  });
});

describe('health of an anthropic/ deployment', () => {
  it('/health checks it through Messages with its x-api-key', async () => {
    const before = claude.received.length;
    const res = await fetch(`${s.url}/health`, { headers: bearer(MASTER_KEY) });
    const body = (await res.json()) as any;
    expect(res.status).toBe(200);
    expect(body.healthy_endpoints.map((e: any) => e.model_id)).toContain('dep-claude');
    const got = claude.received.slice(before);
    expect(got.map((g) => [g.path, g.headers['x-api-key'], g.body.max_tokens])).toEqual([['/v1/messages', 'sk-ant-upstream', 1]]);
  });
});

describe('models for Anthropic clients', () => {
  it("models.list gets Anthropic's list shape with the models the key may use", async () => {
    const k = await mintKey(s, { models: ['claude'] });
    const ids: string[] = [];
    for await (const m of client(k.key).c.models.list()) ids.push(m.id);
    expect(ids).toEqual(['claude']);
  });
});

describe('translated to Chat Completions for an OpenAI-compatible deployment', () => {
  it('create with tools and a tool result: the chat body upstream, a tool_use block back, chat usage priced', async () => {
    chatUp.behaviour.tool = TOOL;
    try {
      const k = await mintKey(s);
      const { c } = client(k.key);
      const before = chatUp.received.length;
      const msg = await c.messages.create({
        model: 'gpt',
        max_tokens: 20,
        system: 'Be brief.',
        tools: [WEATHER_TOOL],
        tool_choice: { type: 'auto' },
        stop_sequences: ['STOP'],
        metadata: { user_id: 'end-user-2' },
        messages: [
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: [{ type: 'text', text: 'Checking.' }, { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } }] },
          { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: '18 C' }, { type: 'text', text: 'And tomorrow?' }] },
        ],
      });
      expect(msg.type).toBe('message');
      expect(msg.model).toBe('gpt');
      expect(msg.stop_reason).toBe('tool_use');
      expect(msg.content).toEqual([{ type: 'text', text: 'Hello from chat.' }, { type: 'tool_use', id: 'call_fake_1', name: 'get_weather', input: TOOL.input }]);
      expect(msg.usage).toMatchObject({ input_tokens: 10, output_tokens: 20 });
      const got = chatUp.received.slice(before);
      expect(got.length).toBe(1);
      expect(got[0]!.path).toBe('/v1/chat/completions');
      expect(got[0]!.headers.authorization).toBe('Bearer sk-upstream');
      expect(got[0]!.body).toEqual({
        model: 'gpt-4o-mini',
        max_tokens: 20,
        stop: ['STOP'],
        user: 'end-user-2',
        tool_choice: 'auto',
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: WEATHER_TOOL.input_schema } }],
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'toolu_1', content: '18 C' },
          { role: 'user', content: 'And tomorrow?' },
        ],
      });
      await flush(s);
      const [row] = await rowsOf(k.id);
      expect(row).toMatchObject({ call_type: 'messages', deployment: 'dep-gpt', prompt_tokens: 10, completion_tokens: 20, cost_nanos: CHAT_NANOS, end_user: 'end-user-2' });
    } finally {
      chatUp.behaviour.tool = null;
    }
  });

  it("stream: chat chunks become Anthropic's event sequence, tool call included", async () => {
    chatUp.behaviour.tool = TOOL;
    try {
      const k = await mintKey(s);
      const { c } = client(k.key);
      const stream = c.messages.stream({ model: 'gpt', max_tokens: 20, tools: [WEATHER_TOOL], messages: [{ role: 'user', content: 'Weather?' }] });
      const types: string[] = [];
      stream.on('streamEvent', (e) => types.push(e.type));
      const final = await stream.finalMessage();
      expect(final.content).toEqual([{ type: 'text', text: 'Hello from chat.' }, { type: 'tool_use', id: 'call_fake_1', name: 'get_weather', input: TOOL.input }]);
      expect(final.stop_reason).toBe('tool_use');
      expect(final.usage.output_tokens).toBe(20);
      expect(types[0]).toBe('message_start');
      expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
      expect(types.filter((t) => t === 'content_block_start').length).toBe(2);
      expect(chatUp.received.at(-1)!.body.stream_options).toEqual({ include_usage: true });
      // the raw sequence, as Claude Code reads it
      const raw = await post(s, '/v1/messages', { model: 'gpt', max_tokens: 20, stream: true, messages: [{ role: 'user', content: 'Weather?' }] }, bearer(k.key));
      const names = raw.text.split('\n\n').filter(Boolean).map((e) => /^event: (\S+)/.exec(e)?.[1]);
      expect(names.slice(0, 4)).toEqual(['message_start', 'ping', 'content_block_start', 'content_block_delta']);
      expect(names.slice(-3)).toEqual(['content_block_stop', 'message_delta', 'message_stop']);
      expect(raw.headers.get('content-type')).toBe('text/event-stream');
      await flush(s);
      const [row] = await rowsOf(k.id);
      expect(row).toMatchObject({ call_type: 'messages', prompt_tokens: 10, completion_tokens: 20, cost_nanos: CHAT_NANOS, status: 'success', estimated: 0 });
    } finally {
      chatUp.behaviour.tool = null;
    }
  });

  it('image and document blocks become chat content parts', async () => {
    const k = await mintKey(s);
    const { c } = client(k.key);
    await c.messages.create({
      model: 'gpt',
      max_tokens: 10,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'iVBORw0KGgo=' } },
            { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'the doc' } },
          ],
        },
      ],
    });
    expect(chatUp.received.at(-1)!.body.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } }, { type: 'text', text: 'the doc' }] },
    ]);
  });

  it('count_tokens is estimated locally', async () => {
    const k = await mintKey(s);
    const r = await client(k.key).c.messages.countTokens({ model: 'gpt', messages: [{ role: 'user', content: '12345678' }] });
    expect(r.input_tokens).toBe(2);
  });
});

describe('an OpenAI client on an anthropic/ deployment', () => {
  it('chat.completions.create: translated to Messages and back, tool calls and cache usage priced', async () => {
    claude.behaviour.tool = TOOL;
    try {
      const k = await mintKey(s);
      const before = claude.received.length;
      const { client: oa } = sdk(s, k.key);
      const r = await oa.chat.completions.create({
        model: 'claude',
        max_tokens: 30,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather?' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_TOOL.input_schema } }],
        tool_choice: 'required',
        user: 'end-user-3',
      });
      expect(r.choices[0]!.message.content).toBe('Bonjour from Claude.');
      expect(r.choices[0]!.finish_reason).toBe('tool_calls');
      expect(r.choices[0]!.message.tool_calls).toEqual([{ id: 'toolu_fake_1', type: 'function', function: { name: 'get_weather', arguments: JSON.stringify(TOOL.input) } }]);
      expect(r.usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 20 });
      const got = claude.received.slice(before);
      expect(got[0]!.path).toBe('/v1/messages');
      expect(got[0]!.headers['x-api-key']).toBe('sk-ant-upstream');
      expect(got[0]!.body).toEqual({
        model: 'claude-sonnet-4-5',
        max_tokens: 30,
        system: 'Be brief.',
        messages: [{ role: 'user', content: 'Weather?' }],
        metadata: { user_id: 'end-user-3' },
        tools: [{ name: 'get_weather', input_schema: WEATHER_TOOL.input_schema }],
        tool_choice: { type: 'any' },
      });
      await flush(s);
      const [row] = await rowsOf(k.id);
      expect(row).toMatchObject({ call_type: 'chat', prompt_tokens: 18, completion_tokens: 20, cost_nanos: CLAUDE_NANOS });
    } finally {
      claude.behaviour.tool = null;
    }
  });

  it('streamed: Anthropic events become chat chunks (usage chunk only when asked)', async () => {
    const k = await mintKey(s);
    const { client: oa } = sdk(s, k.key);
    const stream = await oa.chat.completions.create({ model: 'claude', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: any = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text).toBe('Bonjour from Claude.');
    expect(usage).toMatchObject({ prompt_tokens: 18, completion_tokens: 20 });
    // a streamed tool call arrives as tool_calls deltas the SDK's helper assembles
    claude.behaviour.tool = TOOL;
    try {
      const runner = oa.chat.completions.stream({ model: 'claude', messages: [{ role: 'user', content: 'Weather?' }], tools: [{ type: 'function', function: { name: 'get_weather', parameters: WEATHER_TOOL.input_schema } }] });
      const done = await runner.finalChatCompletion();
      expect(done.choices[0]!.finish_reason).toBe('tool_calls');
      expect(done.choices[0]!.message.tool_calls?.[0]).toMatchObject({ id: 'toolu_fake_1', function: { name: 'get_weather', arguments: JSON.stringify(TOOL.input) } });
    } finally {
      claude.behaviour.tool = null;
    }
    // no cap from the client: the model's maximum output (max_output_tokens 64)
    expect(claude.received.at(-1)!.body.max_tokens).toBe(64);
    await flush(s);
    const [row] = await rowsOf(k.id);
    expect(row).toMatchObject({ call_type: 'chat', cost_nanos: CLAUDE_NANOS, status: 'success' });
  });
});

describe("refusals in Anthropic's envelope", () => {
  const expectAnthropicError = (r: { status: number; body: any }, status: number, type: string) => {
    expect(r.status).toBe(status);
    expect(r.body.type).toBe('error');
    expect(r.body.error.type).toBe(type);
    expect(typeof r.body.error.message).toBe('string');
  };
  const msg = (body: Record<string, unknown>) => ({ model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }], ...body });

  it('a spent budget: 429 with x-should-retry false, and the SDK does not retry it', async () => {
    const k = await mintKey(s, { max_budget: 0.01, key_alias: 'small-claude' });
    const { c, counter } = client(k.key);
    await c.messages.create(msg({}) as any);
    const before = claude.received.length;
    const err = await c.messages.create(msg({}) as any).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.RateLimitError);
    expect(err.status).toBe(429);
    expect(err.error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });
    expect(err.error.error.message).toMatch(/Budget has been exceeded! Key small-claude/);
    expect(err.headers.get('x-should-retry')).toBe('false');
    expect(counter.requests).toBe(2);
    expect(claude.received.length).toBe(before);
  });

  it('a model the key may not use: 403 permission_error; an unknown model: 404 not_found_error', async () => {
    const k = await mintKey(s, { models: ['gpt'] });
    const { c } = client(k.key);
    const err = await c.messages.create(msg({}) as any).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(err.error.error.type).toBe('permission_error');
    expect(err.error.error.message).toMatch(/not allowed to access model/);
    const unknown = await c.messages.create(msg({ model: 'nope' }) as any).catch((e) => e);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect(unknown.error.error.type).toBe('not_found_error');
  });

  it('rpm_limit: 429 rate_limit_error with retry-after; Claude Code\'s ?beta=true query is accepted', { timeout: 60_000 }, async () => {
    await freshRateWindow();
    const k = await mintKey(s, { rpm_limit: 1 });
    const first = await post(s, '/v1/messages?beta=true', msg({}), bearer(k.key));
    expect(first.status).toBe(200);
    expect(first.body.type).toBe('message');
    const second = await post(s, '/v1/messages?beta=true', msg({}), bearer(k.key));
    expectAnthropicError(second, 429, 'rate_limit_error');
    expect(Number(second.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('no key, a wrong key: 401 authentication_error', async () => {
    expectAnthropicError(await post(s, '/v1/messages', msg({})), 401, 'authentication_error');
    expectAnthropicError(await post(s, '/v1/messages', msg({}), { 'x-api-key': 'sk-wrong' }), 401, 'authentication_error');
    const err = await client('sk-wrong').c.messages.create(msg({}) as any).catch((e) => e);
    expect(err).toBeInstanceOf(Anthropic.AuthenticationError);
  });

  it('bad input is a 400 invalid_request_error that reaches no upstream and charges nothing', async () => {
    const k = await mintKey(s);
    const h = bearer(k.key);
    const before = claude.received.length + chatUp.received.length;
    const cases: Array<[unknown, RegExp]> = [
      [{ model: 'claude', messages: [{ role: 'user', content: 'hi' }] }, /max_tokens is required/],
      [msg({ max_tokens: -5 }), /max_tokens must be an integer from 1 to 64/],
      [msg({ max_tokens: 65 }), /max_tokens must be an integer from 1 to 64/],
      [msg({ max_tokens: 2.5 }), /max_tokens must be an integer/],
      ['{"model":"claude","max_tokens":1e309,"messages":[{"role":"user","content":"hi"}]}', /max_tokens must be an integer from 1 to 64 .*Infinity/],
      [msg({ messages: [{ role: 'user', content: [{ type: 'hologram', data: 'x' }] }] }), /"hologram" is not a content block type/],
      [msg({ model: 'gpt', messages: [{ role: 'user', content: [{ type: 'server_tool_use', id: 'x', name: 'web_search', input: {} }] }] }), /cannot be sent to this model/],
      [msg({ messages: [] }), /messages must be a non-empty array/],
      [msg({ messages: [{ role: 'tool', content: 'x' }] }), /role must be "user", "assistant" or "system"/],
      [msg({ system: 5 }), /system must be a string or an array of text blocks/],
      [msg({ temperature: 7 }), /temperature must be a number from 0 to 1/],
      [msg({ metadata: { user_id: 'a\u0000b' } }), /metadata.user_id/],
      ['{"model": "claude", ', /not valid JSON/],
    ];
    for (const [body, message] of cases) {
      const r = await post(s, '/v1/messages', body, h);
      expectAnthropicError(r, 400, 'invalid_request_error');
      expect(r.body.error.message).toMatch(message);
    }
    const badVersion = await post(s, '/v1/messages', msg({}), { ...h, 'anthropic-version': 'latest' });
    expectAnthropicError(badVersion, 400, 'invalid_request_error');
    const big = await post(s, '/v1/messages', msg({ messages: [{ role: 'user', content: 'x'.repeat(10 * 1024 * 1024) }] }), h);
    expectAnthropicError(big, 413, 'request_too_large');
    expect(claude.received.length + chatUp.received.length).toBe(before);
    await flush(s);
    expect((await rowsOf(k.id)).every((r) => r.cost_nanos === 0)).toBe(true);
    expect(await keySpend(k.id)).toBe(0);
  });

  it('a malformed upstream stream ends with an error event and charges nothing (pass-through and translated)', async () => {
    const k = await mintKey(s);
    claude.behaviour.malformed = true;
    chatUp.behaviour.malformed = true;
    try {
      for (const model of ['claude', 'gpt']) {
        const r = await post(s, '/v1/messages', msg({ model, stream: true }), bearer(k.key));
        expect(r.status).toBe(200);
        const events = r.text.split('\n\n').filter(Boolean);
        const last = events.at(-1)!;
        expect(last).toMatch(/^event: error\n/);
        expect(JSON.parse(last.split('\ndata: ')[1]!)).toMatchObject({ type: 'error', error: { type: 'api_error', message: expect.stringMatching(/malformed stream/) } });
      }
    } finally {
      claude.behaviour.malformed = false;
      chatUp.behaviour.malformed = false;
    }
    await flush(s);
    const rows = await rowsOf(k.id);
    expect(rows.length).toBe(2);
    for (const r of rows) expect(r).toMatchObject({ status: 'failure', http_status: 502, cost_nanos: 0 });
    expect(await keySpend(k.id)).toBe(0);
  });

  it('an upstream error comes back in the envelope with its status', async () => {
    const k = await mintKey(s);
    chatUp.behaviour.failWith = 400;
    try {
      const r = await post(s, '/v1/messages', msg({ model: 'gpt' }), bearer(k.key));
      expectAnthropicError(r, 400, 'invalid_request_error');
      expect(r.body.error.message).toMatch(/fake upstream failure 400/);
    } finally {
      chatUp.behaviour.failWith = null;
    }
  });
});

describe('a system message mid-conversation (Claude Code 2.1 sends its environment that way)', () => {
  const messages = [
    { role: 'user', content: [{ type: 'text', text: 'What is here?' }] },
    { role: 'system', content: [{ type: 'text', text: '# Environment' }, { type: 'text', text: 'cwd: /tmp/x' }] },
  ];

  it('is passed through unchanged to an anthropic/ deployment', async () => {
    const k = await mintKey(s);
    const r = await post(s, '/v1/messages?beta=true', { model: 'claude', max_tokens: 10, messages }, bearer(k.key));
    expect(r.status).toBe(200);
    expect(claude.received.at(-1)!.body.messages).toEqual(messages);
  });

  it('becomes a chat system message in its place when translated', async () => {
    const k = await mintKey(s);
    const r = await post(s, '/v1/messages', { model: 'gpt', max_tokens: 10, system: 'Be brief.', messages: [...messages, { role: 'system', content: 'plain' }] }, bearer(k.key));
    expect(r.status).toBe(200);
    expect(chatUp.received.at(-1)!.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'What is here?' },
      { role: 'system', content: '# Environment\ncwd: /tmp/x' },
      { role: 'system', content: 'plain' },
    ]);
  });

  it('holds text only: another block is a 400 that reaches no upstream and charges nothing', async () => {
    const k = await mintKey(s);
    const before = claude.received.length;
    const r = await post(s, '/v1/messages', { model: 'claude', max_tokens: 10, messages: [{ role: 'user', content: 'hi' }, { role: 'system', content: [{ type: 'image', source: { type: 'url', url: 'https://x/y.png' } }] }] }, bearer(k.key));
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ type: 'error', error: { type: 'invalid_request_error' } });
    expect(r.body.error.message).toMatch(/messages\[1\]\.content\[0\] must be a text block/);
    const role = await post(s, '/v1/messages', { model: 'claude', max_tokens: 10, messages: [{ role: 'developer', content: 'hi' }] }, bearer(k.key));
    expect(role.status).toBe(400);
    expect(role.body.error.message).toMatch(/messages\[0\]\.role must be "user", "assistant" or "system"/);
    expect(claude.received.length).toBe(before);
    await flush(s);
    expect(await keySpend(k.id)).toBe(0);
  });
});
