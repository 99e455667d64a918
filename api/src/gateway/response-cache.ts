import { createHash } from 'node:crypto';

export interface CachedResponse {
  /** the non-streaming response body (JSON text) */
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** what the original call cost (nano-dollars): a hit saves this */
  costNanos: number;
}

/**
 * Fields that change only the framing of an answer, not the answer: a cached answer is replayed
 * as JSON or as SSE. Everything else the upstream receives (`user`, `metadata`, tools, ...) is
 * part of the key: an answer produced for one `user` is never served for another.
 */
const FRAMING = new Set(['stream', 'stream_options', 'cache']);

export type CacheScope = 'global' | 'team' | 'key';

/** Who may share a cached answer: everyone, the key's team (a personal key: itself), or the key. */
export function cacheScopeOf(scope: CacheScope, snap: { keyId: string | null; teamId: string | null; token: string }): string {
  if (scope === 'global') return 'global';
  const key = `key:${snap.keyId ?? snap.token}`;
  if (scope === 'key') return key;
  return snap.teamId ? `team:${snap.teamId}` : key;
}

/** Stable JSON: key order must not change the cache key. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object')
    return `{${Object.keys(v as object)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(v) ?? 'null';
}

/** Hash of the sharing scope, the endpoint and the request body without its framing fields. */
export function cacheKey(scope: string, endpoint: string, body: Record<string, unknown>): string {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!FRAMING.has(k)) kept[k] = v;
  return createHash('sha256').update(scope).update('\0').update(endpoint).update('\0').update(canonical(kept)).digest('hex');
}

/**
 * The response cache the gateway talks to: in this process (`cache_params.type: local`) or
 * shared through Redis (`redis`). A lookup that cannot be answered is a miss, never an error.
 */
export interface ResponseCache {
  get(key: string): CachedResponse | null | Promise<CachedResponse | null>;
  /** best effort: a write that cannot be made is dropped */
  set(key: string, value: CachedResponse): void;
}

/** litellm_settings.cache with cache_params.type local: in-process, TTL + LRU bound. */
export class LocalResponseCache implements ResponseCache {
  private readonly map = new Map<string, { value: CachedResponse; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
  ) {}

  get(key: string): CachedResponse | null {
    const e = this.map.get(key);
    if (!e) return null;
    if (e.until <= Date.now()) {
      this.map.delete(key);
      return null;
    }
    // refresh LRU position
    this.map.delete(key);
    this.map.set(key, e);
    return e.value;
  }

  set(key: string, value: CachedResponse): void {
    this.map.delete(key);
    this.map.set(key, { value, until: Date.now() + this.ttlMs });
    while (this.map.size > this.maxEntries) this.map.delete(this.map.keys().next().value!);
  }
}

/** A cached chat completion replayed as server-sent events. */
export function* replayAsSse(text: string, includeUsage: boolean): Generator<string> {
  const r = JSON.parse(text) as {
    id: string;
    created: number;
    model: string;
    choices: Array<{ index: number; message: { role: string; content: string | null }; finish_reason: string }>;
    usage?: unknown;
  };
  const base = { id: r.id, object: 'chat.completion.chunk', created: r.created, model: r.model };
  for (const c of r.choices) {
    yield `data: ${JSON.stringify({ ...base, choices: [{ index: c.index, delta: { role: c.message.role, content: c.message.content ?? '' }, finish_reason: null }] })}\n\n`;
    yield `data: ${JSON.stringify({ ...base, choices: [{ index: c.index, delta: {}, finish_reason: c.finish_reason }] })}\n\n`;
  }
  if (includeUsage && r.usage) yield `data: ${JSON.stringify({ ...base, choices: [], usage: r.usage })}\n\n`;
  yield 'data: [DONE]\n\n';
}
