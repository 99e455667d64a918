import { createHash } from 'node:crypto';
import type { SqlEntityManager } from '@mikro-orm/knex';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
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

/**
 * SQL on the server's own database connection (`?` placeholders on both dialects). Rows read the
 * same on both: PostgreSQL's bigint/numeric (strings in node-pg), booleans and timestamps come back
 * as SQLite gives them (numbers, 0/1, epoch milliseconds), so a test asserts one shape.
 */
export async function sql<T = any>(s: TestServer, query: string, params: unknown[] = []): Promise<T[]> {
  const knex = (s.running.app.orm.em.fork() as SqlEntityManager).getKnex();
  const res: any = await knex.raw(query, params as any[]);
  if (Array.isArray(res)) return res as T[]; // SQLite: rows as stored
  return (res.rows ?? []).map((row: Record<string, unknown>) => sqliteShaped(row, res.fields ?? [])) as T[];
}

/** node-pg type ids: int8, numeric, bool, timestamp, timestamptz, json, jsonb */
const PG_INT8 = 20, PG_NUMERIC = 1700, PG_BOOL = 16, PG_TIMESTAMP = 1114, PG_TIMESTAMPTZ = 1184, PG_JSON = 114, PG_JSONB = 3802;

/** MikroORM hands PostgreSQL timestamps over as strings; a timestamp without zone is UTC here. */
function epochMs(v: unknown, naive: boolean): number {
  if (v instanceof Date) return v.getTime();
  const text = String(v);
  return new Date(naive && !/(Z|[+-]\d\d(:?\d\d)?)$/.test(text) ? `${text.replace(' ', 'T')}Z` : text).getTime();
}

function sqliteShaped(row: Record<string, unknown>, fields: Array<{ name: string; dataTypeID: number }>) {
  const out: Record<string, unknown> = { ...row };
  for (const f of fields) {
    const v = out[f.name];
    if (v === null || v === undefined) continue;
    if ((f.dataTypeID === PG_INT8 || f.dataTypeID === PG_NUMERIC) && typeof v === 'string') {
      const n = Number(v);
      if (!Number.isSafeInteger(n) && f.dataTypeID === PG_INT8) throw new Error(`${f.name}: ${v} is beyond a safe integer`);
      out[f.name] = n;
    } else if (f.dataTypeID === PG_BOOL) out[f.name] = v ? 1 : 0;
    else if (f.dataTypeID === PG_TIMESTAMP || f.dataTypeID === PG_TIMESTAMPTZ) out[f.name] = epochMs(v, f.dataTypeID === PG_TIMESTAMP);
    else if (f.dataTypeID === PG_JSON || f.dataTypeID === PG_JSONB) out[f.name] = JSON.stringify(v); // SQLite keeps JSON as text
  }
  return out;
}

/** A point in time as a parameter for a timestamp column: epoch ms on SQLite, a Date on PostgreSQL. */
export function sqlTime(s: TestServer, at: Date | number): Date | number {
  const ms = at instanceof Date ? at.getTime() : at;
  return isPostgres(s) ? new Date(ms) : ms;
}

export const isPostgres = (s: TestServer) => s.running.app.orm.config.getDriver() instanceof PostgreSqlDriver;

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

/** The names of the server's tables, on either dialect. */
export async function tableNames(s: TestServer): Promise<string[]> {
  const rows = isPostgres(s)
    ? await sql<{ name: string }>(s, `select table_name as name from information_schema.tables where table_schema = current_schema() and table_type = 'BASE TABLE'`)
    : await sql<{ name: string }>(s, `select name from sqlite_master where type = 'table'`);
  return rows.map((r) => r.name);
}
