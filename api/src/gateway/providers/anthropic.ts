import type { UpstreamHttp } from './http.js';
import type { Provider, UpstreamCall, UpstreamResult } from './types.js';

/** The version Anthropic's API is called with when the client sent none (the SDKs' own default). */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';

/** Anthropic's Messages API: `${api_base}/v1/messages`, the key as `x-api-key`, the client's version and beta headers. */
export class AnthropicProvider implements Provider {
  constructor(private readonly http: UpstreamHttp) {}

  call(c: UpstreamCall): Promise<UpstreamResult> {
    const d = c.deployment;
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: c.stream ? 'text/event-stream' : 'application/json',
      'anthropic-version': c.forward?.['anthropic-version'] ?? DEFAULT_ANTHROPIC_VERSION,
    };
    if (c.forward?.['anthropic-beta']) headers['anthropic-beta'] = c.forward['anthropic-beta'];
    if (d.apiKey) headers['x-api-key'] = d.apiKey;
    return this.http.send(c, `${d.apiBase}/v1/${c.endpoint}${c.suffix ?? ''}`, headers);
  }
}
