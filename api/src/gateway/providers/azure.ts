import type { UpstreamHttp } from './http.js';
import type { Provider, UpstreamCall, UpstreamResult } from './types.js';

/** The api-version used when a deployment sets none (generally available, with Responses). */
export const DEFAULT_AZURE_API_VERSION = '2025-04-01-preview';

/**
 * Azure OpenAI: `api_base` is the resource URL; chat and embeddings go to
 * `/openai/deployments/<deployment>/<endpoint>?api-version=…`, Responses to
 * `/openai/responses?api-version=…` with the deployment as `model`; the key as `api-key`.
 * An `api_base` ending in `/openai/v1` is Azure's v1 API, which takes OpenAI's paths.
 */
export class AzureProvider implements Provider {
  constructor(private readonly http: UpstreamHttp) {}

  call(c: UpstreamCall): Promise<UpstreamResult> {
    const d = c.deployment;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: c.stream ? 'text/event-stream' : 'application/json' };
    if (d.apiKey) headers['api-key'] = d.apiKey;
    // Azure's OpenAI-compatible v1 API (`…/openai/v1`): OpenAI's paths, no api-version
    if (d.apiBase.endsWith('/openai/v1')) return this.http.send(c, `${d.apiBase}/${c.endpoint}${c.suffix ?? ''}`, headers);
    const version = encodeURIComponent(d.apiVersion ?? DEFAULT_AZURE_API_VERSION);
    const path =
      c.endpoint === 'responses'
        ? `/openai/responses${c.suffix ?? ''}`
        : `/openai/deployments/${encodeURIComponent(d.upstreamModel)}/${c.endpoint}`;
    return this.http.send(c, `${d.apiBase}${path}?api-version=${version}`, headers);
  }
}
