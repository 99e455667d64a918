import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real LLM server on loopback for tests and benchmarks. It speaks Chat Completions and
 * Embeddings (`/v1/...` and Azure's `/openai/deployments/<name>/...?api-version=`), Anthropic
 * Messages (`/v1/messages`, `/v1/messages/count_tokens`) and OpenAI Responses (`/v1/responses`,
 * `/openai/responses`, GET/DELETE by id). Its behaviour is set per instance (and can be changed
 * between calls): a fixed answer with usage, a tool call, optional delay, forced HTTP errors,
 * streams without usage, slow or malformed streams.
 */
export interface UpstreamBehaviour {
  /** the assistant's answer */
  text: string;
  /** usage reported; null = none (neither in JSON nor in the stream) */
  usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details?: { cached_tokens: number } } | null | 'auto';
  /** answer with this status and an OpenAI error body instead */
  failWith: number | null;
  /** close the socket without answering (a connection error) */
  drop: boolean;
  /** wait before answering (ms) */
  delayMs: number;
  /** wait between streamed chunks (ms) */
  chunkDelayMs: number;
  /** split the answer into this many stream chunks */
  chunks: number;
  /** answer with this tool call (after the text) instead of text only */
  tool: { name: string; input: Record<string, unknown> } | null;
  /** a stream whose first event is not JSON */
  malformed: boolean;
  /** usage of Anthropic-shaped answers */
  anthropicUsage: { input_tokens: number; output_tokens: number; cache_creation_input_tokens?: number; cache_read_input_tokens?: number };
  /** usage of Responses-shaped answers */
  responsesUsage: { input_tokens: number; output_tokens: number; input_tokens_details?: { cached_tokens: number }; output_tokens_details?: { reasoning_tokens: number }; total_tokens?: number };
}

export interface FakeUpstream {
  url: string;
  /** base URL to put in `api_base` */
  base: string;
  behaviour: UpstreamBehaviour;
  /** request bodies received, in order */
  received: Array<{ path: string; body: any; headers: IncomingMessage['headers'] }>;
  /** streams the client (Purser) aborted before the end */
  aborted: number;
  /**
   * Per-request overrides of `behaviour`, decided from what arrived (a multi-turn agent test
   * answers a tool call first, then text once the tool's result is in the conversation).
   */
  script: ((req: { path: string; body: any }) => Partial<UpstreamBehaviour> | undefined) | null;
  close(): Promise<void>;
}

const DEFAULTS: UpstreamBehaviour = {
  text: 'Hello from the fake upstream.',
  usage: 'auto',
  failWith: null,
  drop: false,
  delayMs: 0,
  chunkDelayMs: 0,
  chunks: 4,
  tool: null,
  malformed: false,
  anthropicUsage: { input_tokens: 10, output_tokens: 20, cache_creation_input_tokens: 3, cache_read_input_tokens: 5 },
  responsesUsage: { input_tokens: 18, input_tokens_details: { cached_tokens: 8 }, output_tokens: 20, output_tokens_details: { reasoning_tokens: 6 }, total_tokens: 38 },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeUpstream(behaviour: Partial<UpstreamBehaviour> = {}, opts: { record?: boolean } = {}): Promise<FakeUpstream> {
  const state: FakeUpstream = {
    url: '',
    base: '',
    behaviour: { ...DEFAULTS, ...behaviour },
    received: [],
    aborted: 0,
    script: null,
    close: async () => undefined,
  };
  const record = opts.record ?? true;

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const c of req) raw += c;
    let body: any = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      /* keep {} */
    }
    const b = { ...state.behaviour, ...(state.script?.({ path: req.url ?? '', body }) ?? {}) };
    if (record) state.received.push({ path: req.url ?? '', body, headers: req.headers });
    if (b.delayMs) await sleep(b.delayMs);
    if (b.drop) {
      req.socket.destroy();
      return;
    }
    if (b.failWith) {
      res.writeHead(b.failWith, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake upstream failure ${b.failWith}`, type: 'server_error', code: null } }));
      return;
    }
    const created = Math.floor(Date.now() / 1000);
    const promptTokens = Math.ceil(JSON.stringify(body.messages ?? body.input ?? '').length / 4);
    const usage =
      b.usage === 'auto'
        ? { prompt_tokens: promptTokens, completion_tokens: Math.ceil(b.text.length / 4), total_tokens: promptTokens + Math.ceil(b.text.length / 4) }
        : b.usage && { ...b.usage, total_tokens: b.usage.prompt_tokens + b.usage.completion_tokens };
    const path = (req.url ?? '').split('?')[0]!;
    if (path.endsWith('/messages') || path.endsWith('/messages/count_tokens')) return anthropic(path, body, b, res, state);
    if (/\/responses(\/|$)/.test(path)) return responses(req.method ?? 'POST', path, body, b, res, state);
    if (path.endsWith('/embeddings')) {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', model: body.model, data: inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })), ...(usage ? { usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.prompt_tokens } } : {}) }));
      return;
    }
    const id = `chatcmpl-fake-${Math.random().toString(36).slice(2)}`;
    const toolCall = b.tool && { id: 'call_fake_1', type: 'function', function: { name: b.tool.name, arguments: JSON.stringify(b.tool.input) } };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      const message = { role: 'assistant', content: b.text, ...(toolCall ? { tool_calls: [toolCall] } : {}) };
      res.end(JSON.stringify({ id, object: 'chat.completion', created, model: body.model, choices: [{ index: 0, message, finish_reason: toolCall ? 'tool_calls' : 'stop' }], ...(usage ? { usage } : {}) }));
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    let closed = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        closed = true;
        state.aborted++;
      }
    });
    const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
    if (b.malformed) {
      res.end('data: {"id": "oops", not json\n\n');
      return;
    }
    const size = Math.ceil(b.text.length / b.chunks);
    send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    for (let i = 0; i < b.text.length && !closed; i += size) {
      if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
      if (closed) break;
      send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta: { content: b.text.slice(i, i + size) }, finish_reason: null }] });
    }
    if (closed) return;
    if (toolCall) {
      const args = toolCall.function.arguments;
      send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, id: toolCall.id, type: 'function', function: { name: toolCall.function.name, arguments: '' } }] }, finish_reason: null }] });
      for (const part of [args.slice(0, args.length >> 1), args.slice(args.length >> 1)])
        send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { arguments: part } }] }, finish_reason: null }] });
    }
    send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: toolCall ? 'tool_calls' : 'stop' }] });
    if (usage && body.stream_options?.include_usage) send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [], usage });
    res.end('data: [DONE]\n\n');
  };

  const server: Server = createServer((req, res) => void handler(req, res));
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  state.url = `http://127.0.0.1:${port}`;
  state.base = `${state.url}/v1`;
  state.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return state;
}

const pieces = (text: string, n: number) => {
  const size = Math.max(1, Math.ceil(text.length / n));
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
};

/** Anthropic's Messages API: JSON, or its event sequence; count_tokens answers 42. */
function anthropic(path: string, body: any, b: UpstreamBehaviour, res: ServerResponse, state: FakeUpstream) {
  void state;
  if (path.endsWith('/count_tokens')) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ input_tokens: 42 }));
    return;
  }
  const u = b.anthropicUsage;
  const content: any[] = [{ type: 'text', text: b.text }];
  if (b.tool) content.push({ type: 'tool_use', id: 'toolu_fake_1', name: b.tool.name, input: b.tool.input });
  const stop = b.tool ? 'tool_use' : 'end_turn';
  const id = `msg_fake_${Math.random().toString(36).slice(2)}`;
  if (!body.stream) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ id, type: 'message', role: 'assistant', model: body.model, content, stop_reason: stop, stop_sequence: null, usage: u }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const ev = (name: string, o: unknown) => res.write(`event: ${name}\ndata: ${JSON.stringify(o)}\n\n`);
  if (b.malformed) {
    res.end('event: message_start\ndata: {"type": "message_start", oops\n\n');
    return;
  }
  ev('message_start', { type: 'message_start', message: { id, type: 'message', role: 'assistant', model: body.model, content: [], stop_reason: null, stop_sequence: null, usage: { ...u, output_tokens: 1 } } });
  ev('content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } });
  ev('ping', { type: 'ping' });
  for (const p of pieces(b.text, b.chunks)) ev('content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: p } });
  ev('content_block_stop', { type: 'content_block_stop', index: 0 });
  if (b.tool) {
    ev('content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_fake_1', name: b.tool.name, input: {} } });
    for (const p of pieces(JSON.stringify(b.tool.input), 2)) ev('content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: p } });
    ev('content_block_stop', { type: 'content_block_stop', index: 1 });
  }
  ev('message_delta', { type: 'message_delta', delta: { stop_reason: stop, stop_sequence: null }, usage: { output_tokens: u.output_tokens } });
  ev('message_stop', { type: 'message_stop' });
  res.end();
}

/** OpenAI's Responses API: create (JSON or events), and GET / DELETE of what it created. */
function responses(method: string, path: string, body: any, b: UpstreamBehaviour, res: ServerResponse, state: FakeUpstream) {
  const stored = ((state as any).stored ??= new Map<string, any>()) as Map<string, any>;
  const idInPath = /\/responses\/([^/]+)$/.exec(path)?.[1];
  const json = (status: number, o: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(o));
  };
  if (idInPath) {
    const r = stored.get(idInPath);
    if (!r) return json(404, { error: { message: `No response with id '${idInPath}' found.`, type: 'invalid_request_error', code: null } });
    if (method === 'DELETE') {
      stored.delete(idInPath);
      return json(200, { id: idInPath, object: 'response', deleted: true });
    }
    return json(200, r);
  }
  const id = `resp_fake_${Math.random().toString(36).slice(2)}`;
  const msg = { type: 'message', id: `msg_${id}`, status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: b.text, annotations: [] }] };
  const call = b.tool && { type: 'function_call', id: `fc_${id}`, call_id: 'call_fake_1', name: b.tool.name, arguments: JSON.stringify(b.tool.input), status: 'completed' };
  const base = { id, object: 'response', created_at: Math.floor(Date.now() / 1000), model: body.model, error: null, incomplete_details: null, instructions: body.instructions ?? null, tools: body.tools ?? [], parallel_tool_calls: true, tool_choice: 'auto', text: { format: { type: 'text' } } };
  const done = { ...base, status: 'completed', output: call ? [msg, call] : [msg], usage: b.responsesUsage };
  if (body.store !== false) stored.set(id, done);
  if (!body.stream) return json(200, done);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let seq = 0;
  const ev = (type: string, o: Record<string, unknown>) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...o })}\n\n`);
  if (b.malformed) {
    res.end('event: response.created\ndata: {"type": "response.created", oops\n\n');
    return;
  }
  ev('response.created', { response: { ...base, status: 'in_progress', output: [], usage: null } });
  ev('response.output_item.added', { output_index: 0, item: { ...msg, status: 'in_progress', content: [] } });
  ev('response.content_part.added', { item_id: msg.id, output_index: 0, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
  for (const p of pieces(b.text, b.chunks)) ev('response.output_text.delta', { item_id: msg.id, output_index: 0, content_index: 0, delta: p, logprobs: [] });
  ev('response.output_text.done', { item_id: msg.id, output_index: 0, content_index: 0, text: b.text, logprobs: [] });
  ev('response.content_part.done', { item_id: msg.id, output_index: 0, content_index: 0, part: msg.content[0] });
  ev('response.output_item.done', { output_index: 0, item: msg });
  if (call) {
    ev('response.output_item.added', { output_index: 1, item: { ...call, arguments: '', status: 'in_progress' } });
    ev('response.function_call_arguments.delta', { item_id: call.id, output_index: 1, delta: call.arguments });
    ev('response.function_call_arguments.done', { item_id: call.id, output_index: 1, arguments: call.arguments });
    ev('response.output_item.done', { output_index: 1, item: call });
  }
  ev('response.completed', { response: done });
  res.end();
}
