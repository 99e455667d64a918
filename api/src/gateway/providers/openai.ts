import type { UpstreamHttp } from './http.js';
import type { Provider, UpstreamCall, UpstreamResult } from './types.js';

/**
 * Any OpenAI-compatible server (OpenAI, vLLM, Ollama, LM Studio, OpenRouter, Groq, Gemini's
 * OpenAI endpoint...): `${api_base}/${endpoint}` with a bearer key.
 */
export class OpenAIProvider implements Provider {
  constructor(private readonly http: UpstreamHttp) {}

  call(c: UpstreamCall): Promise<UpstreamResult> {
    const d = c.deployment;
    const headers: Record<string, string> = { 'content-type': 'application/json', accept: c.stream ? 'text/event-stream' : 'application/json' };
    if (d.apiKey) {
      headers.authorization = `Bearer ${d.apiKey}`;
      headers['api-key'] = d.apiKey; // Azure's header, for Azure's OpenAI-compatible /openai/v1 base; ignored elsewhere
    }
    return this.http.send(c, `${d.apiBase}/${c.endpoint}${c.suffix ?? ''}`, headers);
  }
}
