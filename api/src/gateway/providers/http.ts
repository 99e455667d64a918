import { Pool, errors as undiciErrors } from 'undici';
import type { UpstreamCall, UpstreamResult } from './types.js';

/**
 * The HTTP side every real provider shares: one keep-alive pool per origin, URLs parsed once,
 * timeouts from the deployment, upstream errors mapped to clean ones. Providers only say
 * where a call goes and with which headers.
 */
export class UpstreamHttp {
  private readonly pools = new Map<string, Pool>();
  /** href → origin and path, parsed once */
  private readonly targets = new Map<string, { origin: string; path: string }>();

  private pool(origin: string): Pool {
    let p = this.pools.get(origin);
    if (!p) {
      p = new Pool(origin, { connections: 256, keepAliveTimeout: 30_000, keepAliveMaxTimeout: 600_000 });
      this.pools.set(origin, p);
    }
    return p;
  }

  private target(href: string): { origin: string; path: string } {
    let t = this.targets.get(href);
    if (!t) {
      const url = new URL(href);
      t = { origin: url.origin, path: url.pathname + url.search };
      // suffixes (response ids) are unbounded: only fixed endpoint URLs are kept
      if (this.targets.size < 10_000) this.targets.set(href, t);
    }
    return t;
  }

  async send(c: UpstreamCall, href: string, headers: Record<string, string>): Promise<UpstreamResult> {
    const d = c.deployment;
    const target = this.target(href);
    const method = c.method ?? 'POST';
    let res;
    try {
      res = await this.pool(target.origin).request({
        path: target.path,
        method,
        headers,
        body: method === 'POST' ? JSON.stringify(c.body) : undefined,
        signal: c.signal,
        headersTimeout: d.timeoutMs,
        bodyTimeout: d.timeoutMs,
      });
    } catch (e) {
      return connectionError(d.id, e);
    }
    if (res.statusCode >= 400) {
      const text = await res.body.text().catch(() => '');
      return upstreamError(d.id, res.statusCode, text);
    }
    if (c.stream) return { kind: 'stream', status: res.statusCode, chunks: res.body };
    try {
      return { kind: 'json', status: res.statusCode, text: await res.body.text() };
    } catch (e) {
      return connectionError(d.id, e);
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((p) => p.close().catch(() => undefined)));
  }
}

function connectionError(deployment: string, e: unknown): UpstreamResult {
  const err = e as Error & { code?: string };
  const timeout = err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err.code === 'UND_ERR_CONNECT_TIMEOUT';
  if (err.name === 'AbortError') return { kind: 'error', status: 499, message: 'Client closed the request.', type: 'client_closed', code: null, retryable: false };
  return {
    kind: 'error',
    status: timeout ? 504 : 502,
    message: timeout
      ? `The upstream for deployment ${deployment} timed out.`
      : `Could not reach the upstream for deployment ${deployment} (${err.code ?? err.message}).`,
    type: timeout ? 'timeout' : 'api_connection_error',
    code: null,
    retryable: true,
  };
}

/**
 * Upstream 4xx pass through with their message (OpenAI's and Anthropic's error bodies both
 * have `error.message` / `error.type`); 401/403 are Purser's config problem, not the caller's.
 */
function upstreamError(deployment: string, status: number, text: string): UpstreamResult {
  let message = text.slice(0, 500) || `Upstream answered ${status}.`;
  let type = status >= 500 ? 'upstream_error' : 'invalid_request_error';
  let code: string | null = null;
  try {
    const j = JSON.parse(text) as { error?: { message?: string; type?: string; code?: string } | string };
    if (typeof j.error === 'string') message = j.error;
    else if (j.error?.message) {
      message = j.error.message;
      type = j.error.type ?? type;
      code = j.error.code ?? null;
    }
  } catch {
    /* not JSON */
  }
  if (status === 401 || status === 403)
    return { kind: 'error', status: 502, message: `The upstream rejected the credentials configured for deployment ${deployment}.`, type: 'upstream_auth_error', code: null, retryable: true };
  return { kind: 'error', status, message, type, code, retryable: status >= 500 || status === 429 };
}
