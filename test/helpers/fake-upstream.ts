import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenAI-compatible server on loopback for tests and benchmarks. Its behaviour is set
 * per instance (and can be changed between calls): a fixed answer with usage, optional delay,
 * forced HTTP errors, streams without usage, slow streams.
 */
export interface UpstreamBehaviour {
  /** the assistant's answer */
  text: string;
  /** usage reported; null = none (neither in JSON nor in the stream) */
  usage: { prompt_tokens: number; completion_tokens: number } | null | 'auto';
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
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeUpstream(behaviour: Partial<UpstreamBehaviour> = {}, opts: { record?: boolean } = {}): Promise<FakeUpstream> {
  const state: FakeUpstream = {
    url: '',
    base: '',
    behaviour: { ...DEFAULTS, ...behaviour },
    received: [],
    aborted: 0,
    close: async () => undefined,
  };
  const record = opts.record ?? true;

  const handler = async (req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    for await (const c of req) raw += c;
    const b = state.behaviour;
    let body: any = {};
    try {
      body = raw ? JSON.parse(raw) : {};
    } catch {
      /* keep {} */
    }
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
    if (req.url?.endsWith('/embeddings')) {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', model: body.model, data: inputs.map((_: unknown, index: number) => ({ object: 'embedding', index, embedding: [0.1, 0.2, 0.3] })), ...(usage ? { usage: { prompt_tokens: usage.prompt_tokens, total_tokens: usage.prompt_tokens } } : {}) }));
      return;
    }
    const id = `chatcmpl-fake-${Math.random().toString(36).slice(2)}`;
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id, object: 'chat.completion', created, model: body.model, choices: [{ index: 0, message: { role: 'assistant', content: b.text }, finish_reason: 'stop' }], ...(usage ? { usage } : {}) }));
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
    const size = Math.ceil(b.text.length / b.chunks);
    send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] });
    for (let i = 0; i < b.text.length && !closed; i += size) {
      if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
      if (closed) break;
      send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta: { content: b.text.slice(i, i + size) }, finish_reason: null }] });
    }
    if (closed) return;
    send({ id, object: 'chat.completion.chunk', created, model: body.model, choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] });
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
