import { createHash, randomUUID } from 'node:crypto';
import { promptChars, tokensOfText } from '../tokens.js';
import type { Provider, UpstreamCall, UpstreamResult } from './types.js';

/** LiteLLM's `mock_response`: a fixed answer with realistic usage, streaming too (works offline). */
export class MockProvider implements Provider {
  async call(c: UpstreamCall): Promise<UpstreamResult> {
    const body = c.body ?? {};
    if (c.endpoint !== 'chat/completions' && c.endpoint !== 'embeddings')
      return { kind: 'error', status: 400, message: `A mock_response deployment serves no ${c.endpoint}.`, type: 'invalid_request_error', code: null, retryable: false };
    const text = c.deployment.mockResponse ?? '';
    const prompt = tokensOfText(promptChars(body));
    const created = Math.floor(Date.now() / 1000);
    const model = c.deployment.upstreamModel;
    if (c.endpoint === 'embeddings') {
      const inputs = Array.isArray(body.input) ? body.input : [body.input];
      const data = inputs.map((inp, index) => ({ object: 'embedding', index, embedding: vector(String(inp)) }));
      return { kind: 'json', status: 200, text: JSON.stringify({ object: 'list', data, model, usage: { prompt_tokens: prompt, total_tokens: prompt } }) };
    }
    const completion = tokensOfText(text.length);
    const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
    const id = `chatcmpl-${randomUUID()}`;
    if (!c.stream)
      return {
        kind: 'json',
        status: 200,
        text: JSON.stringify({
          id,
          object: 'chat.completion',
          created,
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage,
        }),
      };
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    async function* chunks() {
      const chunk = (delta: Record<string, unknown>, finish: string | null) =>
        `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
      yield chunk({ role: 'assistant', content: '' }, null);
      for (const piece of text.match(/\S+\s*|\s+/g) ?? []) yield chunk({ content: piece }, null);
      yield chunk({}, 'stop');
      if (includeUsage) yield `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [], usage })}\n\n`;
      yield 'data: [DONE]\n\n';
    }
    return { kind: 'stream', status: 200, chunks: chunks() };
  }
}

/** A small deterministic unit vector per input. */
function vector(s: string): number[] {
  const h = createHash('sha256').update(s).digest();
  const v = Array.from({ length: 8 }, (_, i) => h[i]! / 255 - 0.5);
  const norm = Math.hypot(...v) || 1;
  return v.map((x) => x / norm);
}
