import { createHash } from 'node:crypto';

export interface CachedResponse {
  /** the non-streaming response body (JSON text) */
  text: string;
  promptTokens: number;
  completionTokens: number;
  /** what the original call cost (micro-dollars): a hit saves this */
  costMicros: number;
}

const IGNORED = new Set(['stream', 'stream_options', 'user', 'metadata', 'cache']);

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

/** Hash of the request body without stream, stream_options, user, metadata and cache. */
export function cacheKey(endpoint: string, body: Record<string, unknown>): string {
  const kept: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) if (!IGNORED.has(k)) kept[k] = v;
  return createHash('sha256').update(endpoint).update('\0').update(canonical(kept)).digest('hex');
}

/** litellm_settings.cache with cache_params.type local: in-process, TTL + LRU bound. */
export class LocalResponseCache {
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
