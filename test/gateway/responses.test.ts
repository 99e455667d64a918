/**
 * OpenAI's Responses API on Purser (issue 14), through the official `openai` SDK: passed
 * through to a deployment that serves it (a fake Responses upstream that records what arrived),
 * translated to Chat Completions for one that does not; stored responses only for the key that
 * created them; Azure OpenAI's paths and header for chat, embeddings and responses. Spend is
 * exact for each usage shape; bad input and malformed streams charge nothing.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { PRICE, USAGE, bearer, flush, mintKey, post, sdk, sql, upstreamModel } from '../helpers/gateway.js';
import { startServer, type TestServer } from '../helpers/server.js';

/** the fake's Responses usage: 18 input (8 of them cached), 20 output (6 of them reasoning) */
const RESPONSES_NANOS = (10 * 1000 + 8 * 500 + 20 * 2000) * 1000;
const CHAT_NANOS = 50_000_000;
const TOOL = { name: 'get_weather', input: { city: 'Paris' } };
const WEATHER = { type: 'function' as const, name: 'get_weather', description: 'Weather of a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] }, strict: false };

let s: TestServer;
let native: FakeUpstream;
let chatUp: FakeUpstream;
let azure: FakeUpstream;
let claude: FakeUpstream;

beforeAll(async () => {
  native = await startFakeUpstream({ text: 'Native answer.' });
  chatUp = await startFakeUpstream({ text: 'Chat answer.', usage: USAGE });
  azure = await startFakeUpstream({ text: 'Azure answer.', usage: USAGE });
  claude = await startFakeUpstream({ text: 'Claude answer.' });
  s = await startServer({
    model_list: [
      {
        model_name: 'native',
        litellm_params: { model: 'openai/gpt-4.1', api_base: native.base, api_key: 'sk-upstream', responses_api: 'native' },
        model_info: { ...PRICE, cache_read_input_token_cost: 0.0005, id: 'dep-native', max_output_tokens: 64 },
      },
      upstreamModel('chat-only', chatUp, 'dep-chat'),
      {
        model_name: 'claude',
        litellm_params: { model: 'anthropic/claude-sonnet-4-5', api_base: claude.url, api_key: 'sk-ant-upstream' },
        model_info: { ...PRICE, cache_creation_input_token_cost: 0.004, cache_read_input_token_cost: 0.0005, id: 'dep-claude', max_output_tokens: 64 },
      },
      {
        model_name: 'az',
        litellm_params: { model: 'azure/my-deploy', api_base: azure.url, api_key: 'az-key', api_version: '2024-10-21' },
        model_info: { ...PRICE, cache_read_input_token_cost: 0.0005, id: 'dep-az', max_output_tokens: 64 },
      },
      { model_name: 'az-v1', litellm_params: { model: 'azure/my-v1', api_base: `${azure.url}/openai/v1`, api_key: 'az-key' }, model_info: PRICE },
      { model_name: 'az-embed', litellm_params: { model: 'azure/my-embed', api_base: azure.url, api_key: 'az-key' }, model_info: { ...PRICE, mode: 'embedding' } },
    ],
    general_settings: { proxy_batch_write_at: 30 },
  });
});
afterAll(async () => {
  await s?.close();
  await native?.close();
  await chatUp?.close();
  await azure?.close();
  await claude?.close();
});

const rowsOf = (keyId: string) => sql(s, 'select * from spend_logs where key_id = ? order by start_time, request_id', [keyId]);
const keySpend = async (keyId: string) => (await sql(s, 'select budget_spend from virtual_keys where id = ?', [keyId]))[0].budget_spend;

describe('pass-through to a deployment that serves Responses', () => {
  it('create with instructions and a function tool: the body as sent, usage with cached tokens priced', async () => {
    const k = await mintKey(s);
    const { client } = sdk(s, k.key);
    const before = native.received.length;
    const r = await client.responses.create({ model: 'native', instructions: 'Be brief.', input: 'Hi', tools: [WEATHER], max_output_tokens: 50, user: 'end-user-r' });
    expect(r.output_text).toBe('Native answer.');
    expect(r.usage).toMatchObject({ input_tokens: 18, output_tokens: 20, input_tokens_details: { cached_tokens: 8 }, output_tokens_details: { reasoning_tokens: 6 } });
    const got = native.received.slice(before);
    expect(got.length).toBe(1);
    expect(got[0]!.path).toBe('/v1/responses');
    expect(got[0]!.headers.authorization).toBe('Bearer sk-upstream');
    expect(got[0]!.body).toEqual({ model: 'gpt-4.1', instructions: 'Be brief.', input: 'Hi', tools: [WEATHER], max_output_tokens: 50, user: 'end-user-r' });
    await flush(s);
    const [row] = await rowsOf(k.id);
    expect(row).toMatchObject({ call_type: 'responses', model: 'native', deployment: 'dep-native', prompt_tokens: 18, completion_tokens: 20, cost_nanos: RESPONSES_NANOS, end_user: 'end-user-r', status: 'success' });
    expect(await keySpend(k.id)).toBe(RESPONSES_NANOS);
  });

  it('streamed with a function tool: events relayed as they came, usage from response.completed', async () => {
    native.behaviour.tool = TOOL;
    try {
      const k = await mintKey(s);
      const { client } = sdk(s, k.key);
      const stream = await client.responses.create({ model: 'native', input: [{ role: 'user', content: [{ type: 'input_text', text: 'Weather?' }] }], tools: [WEATHER], stream: true });
      const types: string[] = [];
      let completed: any = null;
      for await (const e of stream) {
        types.push(e.type);
        if (e.type === 'response.completed') completed = e.response;
      }
      expect(types[0]).toBe('response.created');
      expect(types).toContain('response.output_text.delta');
      expect(types).toContain('response.function_call_arguments.delta');
      expect(types.at(-1)).toBe('response.completed');
      expect(completed.output.find((o: any) => o.type === 'function_call')).toMatchObject({ name: 'get_weather', arguments: JSON.stringify(TOOL.input), call_id: 'call_fake_1' });
      await flush(s);
      const [row] = await rowsOf(k.id);
      expect(row).toMatchObject({ call_type: 'responses', prompt_tokens: 18, completion_tokens: 20, cost_nanos: RESPONSES_NANOS, status: 'success' });
    } finally {
      native.behaviour.tool = null;
    }
  });

  it('GET and DELETE /v1/responses/{id}: for the key that created it; any other key gets 404', async () => {
    const k = await mintKey(s);
    const other = await mintKey(s);
    const { client } = sdk(s, k.key);
    const created = await client.responses.create({ model: 'native', input: 'Keep this' });
    const streamed = await client.responses.create({ model: 'native', input: 'And this', stream: true });
    let streamedId = '';
    for await (const e of streamed) if (e.type === 'response.created') streamedId = e.response.id;
    for (const id of [created.id, streamedId]) {
      expect((await client.responses.retrieve(id)).id).toBe(id);
      const stranger = await sdk(s, other.key).client.responses.retrieve(id).catch((e) => e);
      expect(stranger).toBeInstanceOf(OpenAI.NotFoundError);
      expect((await sdk(s, other.key).client.responses.delete(id).catch((e) => e)).status).toBe(404);
    }
    expect(native.received.at(-1)!.path).toBe(`/v1/responses/${streamedId}`);
    await client.responses.delete(created.id);
    expect(native.received.at(-1)).toMatchObject({ path: `/v1/responses/${created.id}` });
    expect((await client.responses.retrieve(created.id).catch((e) => e)).status).toBe(404);
  });

  it('previous_response_id is passed through', async () => {
    const k = await mintKey(s);
    const { client } = sdk(s, k.key);
    const first = await client.responses.create({ model: 'native', input: 'one' });
    await client.responses.create({ model: 'native', input: 'two', previous_response_id: first.id });
    expect(native.received.at(-1)!.body.previous_response_id).toBe(first.id);
  });
});

describe('translated to Chat Completions', () => {
  it('create with a function tool and a function call output: the chat body upstream, a function_call back', async () => {
    chatUp.behaviour.tool = TOOL;
    try {
      const k = await mintKey(s);
      const { client } = sdk(s, k.key);
      const before = chatUp.received.length;
      const r = await client.responses.create({
        model: 'chat-only',
        instructions: 'Be brief.',
        store: false,
        max_output_tokens: 20,
        tools: [WEATHER],
        input: [
          { role: 'user', content: 'Weather in Paris?' },
          { type: 'function_call', call_id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}' },
          { type: 'function_call_output', call_id: 'call_1', output: '18 C' },
          { role: 'user', content: [{ type: 'input_text', text: 'Tomorrow?' }] },
        ],
      });
      expect(r.object).toBe('response');
      expect(r.status).toBe('completed');
      expect(r.output_text).toBe('Chat answer.');
      expect(r.output.find((o) => o.type === 'function_call')).toMatchObject({ type: 'function_call', call_id: 'call_fake_1', name: 'get_weather', arguments: JSON.stringify(TOOL.input) });
      expect(r.usage).toMatchObject({ input_tokens: 10, output_tokens: 20, total_tokens: 30 });
      const got = chatUp.received.slice(before);
      expect(got.length).toBe(1);
      expect(got[0]!.path).toBe('/v1/chat/completions');
      expect(got[0]!.body).toEqual({
        model: 'gpt-4o-mini',
        max_tokens: 20,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Weather in Paris?' },
          { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] },
          { role: 'tool', tool_call_id: 'call_1', content: '18 C' },
          { role: 'user', content: 'Tomorrow?' },
        ],
        tools: [{ type: 'function', function: { name: 'get_weather', description: 'Weather of a city', parameters: WEATHER.parameters, strict: false } }],
      });
      await flush(s);
      const [row] = await rowsOf(k.id);
      expect(row).toMatchObject({ call_type: 'responses', deployment: 'dep-chat', prompt_tokens: 10, completion_tokens: 20, cost_nanos: CHAT_NANOS });
    } finally {
      chatUp.behaviour.tool = null;
    }
  });

  it("streamed: chat chunks become Responses' events, a function call included", async () => {
    chatUp.behaviour.tool = TOOL;
    try {
      const k = await mintKey(s);
      const { client } = sdk(s, k.key);
      const stream = client.responses.stream({ model: 'chat-only', input: 'Weather?', tools: [WEATHER] });
      const types: string[] = [];
      let text = '';
      stream.on('event', (e) => types.push(e.type));
      stream.on('response.output_text.delta', (e) => (text += e.delta));
      const final = await stream.finalResponse();
      expect(text).toBe('Chat answer.');
      expect(final.output_text).toBe('Chat answer.');
      expect(final.output.find((o) => o.type === 'function_call')).toMatchObject({ name: 'get_weather', arguments: JSON.stringify(TOOL.input), status: 'completed' });
      expect(final.usage).toMatchObject({ input_tokens: 10, output_tokens: 20 });
      expect(types.slice(0, 3)).toEqual(['response.created', 'response.in_progress', 'response.output_item.added']);
      expect(types).toContain('response.function_call_arguments.delta');
      expect(types.at(-1)).toBe('response.completed');
      await flush(s);
      const [row] = await rowsOf(k.id);
      expect(row).toMatchObject({ call_type: 'responses', cost_nanos: CHAT_NANOS, status: 'success', estimated: 0 });
    } finally {
      chatUp.behaviour.tool = null;
    }
  });

  it('previous_response_id and GET/DELETE work on what Purser kept for the key; store: false keeps nothing', async () => {
    const k = await mintKey(s);
    const other = await mintKey(s);
    const { client } = sdk(s, k.key);
    const first = await client.responses.create({ model: 'chat-only', instructions: 'Be brief.', input: 'one' });
    expect((first as { store?: boolean }).store).toBe(true);
    expect((await client.responses.retrieve(first.id)).output_text).toBe('Chat answer.');
    expect(await sdk(s, other.key).client.responses.retrieve(first.id).catch((e) => e)).toBeInstanceOf(OpenAI.NotFoundError);
    const stranger = await sdk(s, other.key).client.responses.create({ model: 'chat-only', input: 'x', previous_response_id: first.id }).catch((e) => e);
    expect(stranger).toBeInstanceOf(OpenAI.BadRequestError);
    expect(stranger.error.param).toBe('previous_response_id');

    const second = await client.responses.create({ model: 'chat-only', input: 'two', previous_response_id: first.id, stream: true });
    let secondId = '';
    for await (const e of second) if (e.type === 'response.completed') secondId = e.response.id;
    // the instructions of a response do not carry over; its input and output do
    expect(chatUp.received.at(-1)!.body.messages).toEqual([
      { role: 'user', content: 'one' },
      { role: 'assistant', content: 'Chat answer.' },
      { role: 'user', content: 'two' },
    ]);
    await client.responses.create({ model: 'chat-only', input: 'three', previous_response_id: secondId });
    expect(chatUp.received.at(-1)!.body.messages.map((m: any) => m.content)).toEqual(['one', 'Chat answer.', 'two', 'Chat answer.', 'three']);

    expect((await client.responses.delete(first.id)) ?? null).toBeDefined();
    expect((await client.responses.retrieve(first.id).catch((e) => e)).status).toBe(404);

    const unstored = await client.responses.create({ model: 'chat-only', input: 'secret', store: false });
    expect((unstored as { store?: boolean }).store).toBe(false);
    expect((await client.responses.retrieve(unstored.id).catch((e) => e)).status).toBe(404);
    const before = chatUp.received.length;
    const err = await client.responses.create({ model: 'chat-only', input: 'again', previous_response_id: unstored.id }).catch((e) => e);
    expect(err).toBeInstanceOf(OpenAI.BadRequestError);
    expect(err.message).toMatch(/was not stored for this key \(store: false, another key, or it has expired\)/);
    expect(chatUp.received.length).toBe(before);
  });
});

describe('an anthropic/ deployment through Responses (Responses → Chat → Messages)', () => {
  /** the fake's Anthropic usage: 10 input, 20 output, 3 written to and 5 read from the cache */
  const CLAUDE_NANOS = (10 * 1000 + 20 * 2000 + 3 * 4000 + 5 * 500) * 1000;

  it('create and stream with a function tool; Messages upstream, Anthropic usage priced', async () => {
    claude.behaviour.tool = TOOL;
    try {
      const k = await mintKey(s);
      const { client } = sdk(s, k.key);
      const r = await client.responses.create({ model: 'claude', instructions: 'Be brief.', input: 'Weather?', tools: [WEATHER], max_output_tokens: 40 });
      expect(r.output_text).toBe('Claude answer.');
      expect(r.output.find((o) => o.type === 'function_call')).toMatchObject({ call_id: 'toolu_fake_1', name: 'get_weather', arguments: JSON.stringify(TOOL.input) });
      expect(claude.received.at(-1)).toMatchObject({
        path: '/v1/messages',
        headers: { 'x-api-key': 'sk-ant-upstream' },
        body: { model: 'claude-sonnet-4-5', max_tokens: 40, system: 'Be brief.', messages: [{ role: 'user', content: 'Weather?' }], tools: [{ name: 'get_weather', description: 'Weather of a city', input_schema: WEATHER.parameters }] },
      });

      const stream = client.responses.stream({ model: 'claude', input: 'Weather?', tools: [WEATHER] });
      const final = await stream.finalResponse();
      expect(final.output_text).toBe('Claude answer.');
      expect(final.output.find((o) => o.type === 'function_call')).toMatchObject({ name: 'get_weather', arguments: JSON.stringify(TOOL.input) });
      expect(claude.received.at(-1)!.body.stream).toBe(true);
      await flush(s);
      const rows = await rowsOf(k.id);
      expect(rows.map((x) => [x.call_type, x.prompt_tokens, x.completion_tokens, x.cost_nanos, x.status])).toEqual([
        ['responses', 18, 20, CLAUDE_NANOS, 'success'],
        ['responses', 18, 20, CLAUDE_NANOS, 'success'],
      ]);
    } finally {
      claude.behaviour.tool = null;
    }
  });
});

describe('bad input and broken upstreams', () => {
  it('bad numbers and shapes are 400s in the OpenAI envelope that charge nothing', async () => {
    const k = await mintKey(s);
    const h = bearer(k.key);
    const before = native.received.length + chatUp.received.length;
    const cases: Array<[unknown, RegExp]> = [
      [{ model: 'native', input: 'x', max_output_tokens: -1 }, /max_output_tokens must be an integer from 1 to 64/],
      ['{"model":"native","input":"x","max_output_tokens":1e309}', /max_output_tokens must be an integer from 1 to 64 .*Infinity/],
      [{ model: 'native' }, /input must be a string or a non-empty array/],
      [{ model: 'native', input: [42] }, /input\[0\] must be an input item/],
      [{ model: 'native', input: 'x', temperature: 'hot' }, /temperature must be a number/],
      [{ model: 'chat-only', input: [{ type: 'computer_call_output', call_id: 'c' }] }, /cannot be sent to this model/],
      [{ model: 'chat-only', input: 'x', tools: [{ type: 'computer_use_preview' }] }, /A tool of type "computer_use_preview" cannot be sent/],
      [{ model: 'chat-only', input: 'x', tools: [{ type: 'namespace', name: 'ns', tools: [{ type: 'web_search' }] }] }, /A tool of type "web_search" in a namespace cannot be sent/],
      [{ model: 'chat-only', input: 'x', tools: [{ type: 'namespace', name: 'a b\u0000', tools: [] }] }, /tools\[0\]\.name must be a namespace name/],
      [{ model: 'chat-only', input: 'x', tools: [{ type: 'namespace', name: 'ns', tools: [{ type: 'function', name: 7 }] }] }, /tools\[0\]\.tools\[0\]\.name must be a string/],
    ];
    for (const [body, message] of cases) {
      const r = await post(s, '/v1/responses', body, h);
      expect(r.status).toBe(400);
      expect(r.body.error.type).toBe('invalid_request_error');
      expect(r.body.error.message).toMatch(message);
    }
    const big = await post(s, '/v1/responses', { model: 'native', input: 'x'.repeat(10 * 1024 * 1024) }, h);
    expect(big.status).toBe(413);
    expect(big.body.error.message).toMatch(/too large/i);
    expect(native.received.length + chatUp.received.length).toBe(before);
    await flush(s);
    expect(await keySpend(k.id)).toBe(0);
  });

  it('a malformed upstream stream ends with an error event and charges nothing (pass-through and translated)', async () => {
    const k = await mintKey(s);
    native.behaviour.malformed = true;
    chatUp.behaviour.malformed = true;
    try {
      for (const model of ['native', 'chat-only']) {
        const r = await post(s, '/v1/responses', { model, input: 'x', stream: true }, bearer(k.key));
        expect(r.status).toBe(200);
        const last = r.text.split('\n\n').filter(Boolean).at(-1)!;
        expect(last).toMatch(/^event: error\n/);
        expect(JSON.parse(last.split('\ndata: ')[1]!)).toMatchObject({ type: 'error', code: 'upstream_error', message: expect.stringMatching(/malformed stream/) });
      }
    } finally {
      native.behaviour.malformed = false;
      chatUp.behaviour.malformed = false;
    }
    await flush(s);
    const rows = await rowsOf(k.id);
    expect(rows.length).toBe(2);
    for (const r of rows) expect(r).toMatchObject({ status: 'failure', http_status: 502, cost_nanos: 0 });
    expect(await keySpend(k.id)).toBe(0);
  });
});

describe('azure/ deployments', () => {
  it("chat, embeddings and responses go to Azure's paths with the api-key header", async () => {
    const k = await mintKey(s);
    const { client } = sdk(s, k.key);
    const before = azure.received.length;
    const c = await client.chat.completions.create({ model: 'az', messages: [{ role: 'user', content: 'hi' }] });
    expect(c.choices[0]!.message.content).toBe('Azure answer.');
    await client.embeddings.create({ model: 'az-embed', input: 'hi' });
    const r = await client.responses.create({ model: 'az', input: 'hi' });
    expect(r.output_text).toBe('Azure answer.');
    const got = azure.received.slice(before);
    expect(got.map((g) => g.path)).toEqual([
      '/openai/deployments/my-deploy/chat/completions?api-version=2024-10-21',
      '/openai/deployments/my-embed/embeddings?api-version=2025-04-01-preview',
      '/openai/responses?api-version=2024-10-21',
    ]);
    for (const g of got) {
      expect(g.headers['api-key']).toBe('az-key');
      expect(g.headers.authorization).toBeUndefined();
    }
    expect(got[2]!.body.model).toBe('my-deploy');
    expect((await client.responses.retrieve(r.id)).id).toBe(r.id);
    expect(azure.received.at(-1)!.path).toBe(`/openai/responses/${r.id}?api-version=2024-10-21`);
    // Azure's v1 API takes OpenAI's paths
    await client.chat.completions.create({ model: 'az-v1', messages: [{ role: 'user', content: 'hi' }] });
    expect(azure.received.at(-1)).toMatchObject({ path: '/openai/v1/chat/completions', headers: { 'api-key': 'az-key' }, body: { model: 'my-v1' } });
    await flush(s);
    const rows = (await rowsOf(k.id)).filter((x) => x.model !== 'az-v1');
    expect(rows.map((x) => [x.call_type, x.cost_nanos])).toEqual([
      ['chat', CHAT_NANOS],
      ['embedding', 10_000_000],
      ['responses', RESPONSES_NANOS],
    ]);
  });
});

describe("Codex's tools and refusals (Codex CLI 0.169 sends these with every request)", () => {
  const SPAWN = { type: 'function', name: 'spawn_agent', description: 'Spawn a sub-agent', strict: false, parameters: { type: 'object', properties: { task: { type: 'string' } } } };
  const tools = [
    { type: 'function', name: 'exec_command', parameters: { type: 'object', properties: { cmd: { type: 'string' } } } },
    { type: 'namespace', name: 'multi_agent_v1', description: 'Sub-agents', tools: [SPAWN] },
    { type: 'web_search', external_web_access: false },
  ];

  it('translated: hosted tools are left out, a namespace becomes <namespace>__<name> functions, and its calls come back with the namespace', async () => {
    chatUp.behaviour.tool = { name: 'multi_agent_v1__spawn_agent', input: { task: 'look' } };
    try {
      const k = await mintKey(s);
      const input = [
        { role: 'user', content: 'Go.' },
        { type: 'function_call', call_id: 'call_0', namespace: 'multi_agent_v1', name: 'spawn_agent', arguments: '{"task":"first"}' },
        { type: 'function_call_output', call_id: 'call_0', output: 'done' },
      ];
      const r = await post(s, '/v1/responses', { model: 'chat-only', store: false, tools, input }, bearer(k.key));
      expect(r.status).toBe(200);
      expect(r.body.output.find((o: any) => o.type === 'function_call')).toMatchObject({ namespace: 'multi_agent_v1', name: 'spawn_agent', arguments: '{"task":"look"}' });
      const up = chatUp.received.at(-1)!.body;
      expect(up.tools.map((t: any) => t.function.name)).toEqual(['exec_command', 'multi_agent_v1__spawn_agent']);
      expect(up.messages[1].tool_calls[0].function.name).toBe('multi_agent_v1__spawn_agent');
      const streamed = await post(s, '/v1/responses', { model: 'chat-only', store: false, stream: true, tools, input }, bearer(k.key));
      const events = streamed.text.split('\n\n').flatMap((b) => b.split('\n').filter((l) => l.startsWith('data: ')).map((l) => JSON.parse(l.slice(6))));
      const added = events.find((e) => e.type === 'response.output_item.added' && e.item.type === 'function_call');
      expect(added.item).toMatchObject({ namespace: 'multi_agent_v1', name: 'spawn_agent' });
    } finally {
      chatUp.behaviour.tool = null;
    }
  });

  it('a function whose name only looks namespaced keeps its name', async () => {
    chatUp.behaviour.tool = { name: 'my__tool', input: {} };
    try {
      const k = await mintKey(s);
      const r = await post(s, '/v1/responses', { model: 'chat-only', store: false, tools: [{ type: 'function', name: 'my__tool', parameters: { type: 'object' } }], input: 'x' }, bearer(k.key));
      const call = r.body.output.find((o: any) => o.type === 'function_call');
      expect(call.name).toBe('my__tool');
      expect(call.namespace).toBeUndefined();
    } finally {
      chatUp.behaviour.tool = null;
    }
  });

  it('a spent budget: 429 with code insufficient_quota (Codex shows "Quota exceeded" and does not retry); chat keeps code "429"', async () => {
    const k = await mintKey(s, { max_budget: 0.01, key_alias: 'spent-r' });
    const first = await post(s, '/v1/responses', { model: 'chat-only', store: false, input: 'x' }, bearer(k.key));
    expect(first.status).toBe(200);
    const before = chatUp.received.length;
    const r = await post(s, '/v1/responses', { model: 'chat-only', store: false, input: 'x' }, bearer(k.key));
    expect(r.status).toBe(429);
    expect(r.headers.get('x-should-retry')).toBe('false');
    expect(r.body.error).toMatchObject({ type: 'budget_exceeded', code: 'insufficient_quota' });
    expect(r.body.error.message).toMatch(/Budget has been exceeded! Key spent-r/);
    const chatRefusal = await post(s, '/v1/chat/completions', { model: 'chat-only', messages: [{ role: 'user', content: 'x' }] }, bearer(k.key));
    expect(chatRefusal.status).toBe(429);
    expect(chatRefusal.body.error).toMatchObject({ type: 'budget_exceeded', code: '429' });
    expect(chatUp.received.length).toBe(before);
  });
});
