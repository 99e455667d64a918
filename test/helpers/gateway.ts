import { createHash } from 'node:crypto';
import OpenAI from 'openai';
import type { FakeUpstream } from './fake-upstream.js';
import type { TestServer } from './server.js';

/**
 * Small helpers for the gateway tests: model entries on a fake upstream with known prices,
 * raw calls (status, parsed body, headers), SQL against the server's database, key minting.
 */

/** USD per token: with the usage below a call costs exactly 10 × 0.001 + 20 × 0.002 = 0.05 USD. */
export const PRICE = { input_cost_per_token: 0.001, output_cost_per_token: 0.002 };
export const USAGE = { prompt_tokens: 10, completion_tokens: 20 };
/** cost of one call with USAGE and PRICE, in nano-dollars */
export const CALL_NANOS = 50_000_000;

export const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A model_list entry served by a fake upstream, priced by PRICE, answering at most USAGE's
 * completion tokens (so a reservation without max_tokens is one call's real cost).
 */
export function upstreamModel(name: string, up: FakeUpstream, id?: string, extra: Record<string, unknown> = {}) {
  return {
    model_name: name,
    litellm_params: { model: 'openai/gpt-4o-mini', api_base: up.base, api_key: 'sk-upstream', ...extra },
    model_info: { ...PRICE, max_output_tokens: USAGE.completion_tokens, ...(id ? { id } : {}) },
  };
}

export interface CallResult {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

/** A raw POST to the gateway (JSON body, or a raw string) with the given headers. */
export async function post(s: TestServer, path: string, body: unknown, headers: Record<string, string> = {}): Promise<CallResult> {
  const res = await fetch(`${s.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    /* SSE or text */
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

export const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

/** POST /v1/chat/completions with a bearer key; `messages` default to one short user message. */
export function chat(s: TestServer, key: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return post(s, '/v1/chat/completions', { model: 'm', messages: [{ role: 'user', content: 'hi' }], ...body }, { ...bearer(key), ...headers });
}

/** The data events of an SSE body, parsed (`[DONE]` kept as the string). */
export function sseEvents(text: string): any[] {
  return text
    .split(/\n\n/)
    .map((e) => e.trim())
    .filter((e) => e.startsWith('data:'))
    .map((e) => e.slice(5).trim())
    .map((d) => (d === '[DONE]' ? d : JSON.parse(d)));
}

export const sseContent = (events: any[]) => events.filter((e) => e !== '[DONE]').map((e) => e.choices?.[0]?.delta?.content ?? '').join('');

/** SQL on the server's own database connection. */
export function sql<T = any>(s: TestServer, query: string, params: unknown[] = []): Promise<T[]> {
  return s.running.app.orm.em.fork().getConnection().execute(query, params) as Promise<T[]>;
}

export const flush = (s: TestServer) => s.running.app.gateway!.recorder.flush();

/** POST /key/generate as the master key; returns the secret, the key id and the stored hash. */
export async function mintKey(s: TestServer, params: Record<string, unknown> = {}): Promise<{ key: string; id: string; token: string }> {
  const r = await s.rest('POST', '/key/generate', params);
  if (r.status !== 200) throw new Error(`key/generate ${r.status} ${JSON.stringify(r.body)}`);
  return { key: r.body.key, id: r.body.key_id, token: sha256(r.body.key) };
}

/** A management POST as the master key that must succeed. */
export async function admin(s: TestServer, path: string, body: unknown) {
  const r = await s.rest('POST', path, body);
  if (r.status !== 200) throw new Error(`${path} ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The official SDK pointed at Purser; every request that leaves it is counted. */
export function sdk(s: TestServer, key: string) {
  const counter = { requests: 0 };
  const client = new OpenAI({
    apiKey: key,
    baseURL: `${s.url}/v1`,
    fetch: (async (url: any, init: any) => {
      counter.requests++;
      return fetch(url, init);
    }) as typeof fetch,
  });
  return { client, counter };
}

/** Polls until `fn` returns a truthy value, or throws after `timeoutMs` (a generous deadline). */
export async function until<T>(fn: () => Promise<T> | T, what: string, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Rate windows are fixed 60 s windows: start a window-sensitive sequence well inside one. */
export async function freshRateWindow() {
  const into = Date.now() % 60_000;
  if (into > 45_000) await sleep(60_000 - into + 50);
}
