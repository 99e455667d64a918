import { randomUUID } from 'node:crypto';
import { gwError } from '../errors.js';
import type { TokenUsage } from '../pricing.js';
import { MalformedUpstream, parseSse, sse, type EventTranslator } from '../stream.js';
import { anthropicUsage, toChatUsage } from '../usage.js';
import type { Translation } from '../dialects/types.js';

/**
 * OpenAI clients (the OpenAI SDK, the dashboard's Try it) calling an `anthropic/` deployment
 * through /v1/chat/completions: the request becomes a Messages request, the answer, tool calls
 * and stream become Chat Completions again.
 */

type Block = Record<string, any>;

/** Anthropic requires max_tokens; a Chat request without a cap gets the model's maximum, else this. */
const DEFAULT_MAX_TOKENS = 4096;

const untranslatable = (what: string) => gwError(400, 'invalid_request_error', `${what} cannot be sent to this model: its deployment speaks Anthropic Messages.`, 'messages');

function imageBlock(url: unknown): Block {
  if (typeof url !== 'string') throw untranslatable('An image_url without a url');
  const m = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return m ? { type: 'image', source: { type: 'base64', media_type: m[1], data: m[2] } } : { type: 'image', source: { type: 'url', url } };
}

function blocksOf(content: unknown): Block[] | string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((p: Block) => {
    if (p.type === 'text') return { type: 'text', text: p.text };
    if (p.type === 'image_url') return imageBlock(p.image_url?.url);
    if (p.type === 'file' && typeof p.file?.file_data === 'string') {
      const m = /^data:([^;,]+);base64,(.*)$/s.exec(p.file.file_data);
      if (m) return { type: 'document', source: { type: 'base64', media_type: m[1], data: m[2] } };
    }
    throw untranslatable(`A content part of type ${JSON.stringify(p.type)}`);
  });
}

const textOf = (content: unknown) =>
  typeof content === 'string' ? content : Array.isArray(content) ? content.map((p: Block) => (typeof p.text === 'string' ? p.text : '')).join('') : '';

const parseArgs = (s: unknown) => {
  if (typeof s !== 'string' || !s) return {};
  try {
    const v = JSON.parse(s);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
};

function anthropicRequestOf(body: Record<string, any>, upstreamModel: string, modelMax: number | null, stream: boolean): Record<string, unknown> {
  const system: string[] = [];
  const messages: Block[] = [];
  for (const m of body.messages as Block[]) {
    if (m.role === 'system' || m.role === 'developer') system.push(textOf(m.content));
    else if (m.role === 'tool') {
      const result = { type: 'tool_result', tool_use_id: m.tool_call_id, content: textOf(m.content) };
      const last = messages[messages.length - 1];
      // results of one assistant turn's calls go back in one user turn
      if (last?.role === 'user' && Array.isArray(last.content) && last.content.every((b: Block) => b.type === 'tool_result')) last.content.push(result);
      else messages.push({ role: 'user', content: [result] });
    } else if (m.role === 'assistant') {
      const content: Block[] = [];
      const text = textOf(m.content);
      if (text) content.push({ type: 'text', text });
      for (const tc of Array.isArray(m.tool_calls) ? m.tool_calls : []) content.push({ type: 'tool_use', id: tc.id, name: tc.function?.name, input: parseArgs(tc.function?.arguments) });
      messages.push({ role: 'assistant', content });
    } else messages.push({ role: 'user', content: blocksOf(m.content) });
  }
  const out: Record<string, unknown> = {
    model: upstreamModel,
    messages,
    max_tokens: body.max_completion_tokens ?? body.max_tokens ?? modelMax ?? DEFAULT_MAX_TOKENS,
  };
  if (system.length) out.system = system.join('\n');
  if (body.temperature !== undefined && body.temperature !== null) out.temperature = body.temperature;
  if (body.top_p !== undefined && body.top_p !== null) out.top_p = body.top_p;
  if (typeof body.stop === 'string') out.stop_sequences = [body.stop];
  else if (Array.isArray(body.stop)) out.stop_sequences = body.stop;
  if (typeof body.user === 'string') out.metadata = { user_id: body.user };
  if (Array.isArray(body.tools) && body.tools.length) {
    out.tools = (body.tools as Block[]).map((t) => ({
      name: t.function?.name,
      ...(t.function?.description ? { description: t.function.description } : {}),
      input_schema: t.function?.parameters ?? { type: 'object', properties: {} },
    }));
    const tc = body.tool_choice;
    if (tc === 'auto') out.tool_choice = { type: 'auto' };
    else if (tc === 'required') out.tool_choice = { type: 'any' };
    else if (tc === 'none') out.tool_choice = { type: 'none' };
    else if (tc?.function?.name) out.tool_choice = { type: 'tool', name: tc.function.name };
    if (body.parallel_tool_calls === false) out.tool_choice = { ...((out.tool_choice as object) ?? { type: 'auto' }), disable_parallel_tool_use: true };
  }
  if (stream) out.stream = true;
  return out;
}

const finishReason = (stop: string | null | undefined) =>
  stop === 'max_tokens' ? 'length' : stop === 'tool_use' ? 'tool_calls' : stop === 'refusal' ? 'content_filter' : 'stop';

const chatId = () => `chatcmpl-${randomUUID()}`;

function completionOf(text: string, clientModel: string): { text: string; usage: TokenUsage | null } {
  let j: any;
  try {
    j = JSON.parse(text);
  } catch {
    throw new MalformedUpstream('the answer is not JSON');
  }
  if (j?.type !== 'message' || !Array.isArray(j.content)) throw new MalformedUpstream('the answer is not a message');
  const usage = anthropicUsage(j.usage);
  const texts = (j.content as Block[]).filter((b) => b.type === 'text').map((b) => b.text);
  const toolCalls = (j.content as Block[])
    .filter((b) => b.type === 'tool_use')
    .map((b) => ({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } }));
  const message: Block = { role: 'assistant', content: texts.length ? texts.join('') : null };
  if (toolCalls.length) message.tool_calls = toolCalls;
  const completion = {
    id: chatId(),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: clientModel,
    choices: [{ index: 0, message, finish_reason: finishReason(j.stop_reason) }],
    usage: toChatUsage(usage),
  };
  return { text: JSON.stringify(completion), usage };
}

/** Anthropic's events → Chat Completion chunks (the usage chunk only when the client asked for it). */
class MessagesToChatStream implements EventTranslator {
  private readonly chunkId = chatId();
  private readonly created = Math.floor(Date.now() / 1000);
  private used: TokenUsage | null = null;
  private readonly toolIndex = new Map<number, number>();
  private stop: string | null = null;
  private stopped = false;
  private chars = 0;

  constructor(
    private readonly model: string,
    private readonly includeUsage: boolean,
  ) {}

  private chunk(delta: Block, finish: string | null = null, extra: Block = {}) {
    return sse(null, { id: this.chunkId, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra });
  }

  event(block: string): string {
    const { data } = parseSse(block);
    if (!data) return '';
    let j: any;
    try {
      j = JSON.parse(data);
    } catch {
      throw new MalformedUpstream('an event is not JSON');
    }
    switch (j?.type) {
      case 'message_start':
        this.used = anthropicUsage(j.message?.usage);
        return this.chunk({ role: 'assistant', content: '' });
      case 'content_block_start':
        if (j.content_block?.type === 'tool_use') {
          const i = this.toolIndex.size;
          this.toolIndex.set(j.index, i);
          return this.chunk({ tool_calls: [{ index: i, id: j.content_block.id, type: 'function', function: { name: j.content_block.name, arguments: '' } }] });
        }
        return '';
      case 'content_block_delta':
        if (j.delta?.type === 'text_delta' && typeof j.delta.text === 'string') {
          this.chars += j.delta.text.length;
          return this.chunk({ content: j.delta.text });
        }
        if (j.delta?.type === 'input_json_delta' && typeof j.delta.partial_json === 'string' && this.toolIndex.has(j.index)) {
          this.chars += j.delta.partial_json.length;
          return this.chunk({ tool_calls: [{ index: this.toolIndex.get(j.index), function: { arguments: j.delta.partial_json } }] });
        }
        return '';
      case 'message_delta': {
        if (j.usage) {
          const prev = this.used;
          this.used = anthropicUsage({
            input_tokens: j.usage.input_tokens ?? (prev ? prev.prompt - prev.cacheRead - prev.cacheWrite : 0),
            cache_creation_input_tokens: j.usage.cache_creation_input_tokens ?? prev?.cacheWrite ?? 0,
            cache_read_input_tokens: j.usage.cache_read_input_tokens ?? prev?.cacheRead ?? 0,
            output_tokens: j.usage.output_tokens,
          });
        }
        this.stop = j.delta?.stop_reason ?? null;
        return '';
      }
      case 'message_stop':
        this.stopped = true;
        return '';
      case 'error':
        throw new MalformedUpstream(String(j.error?.message ?? 'the upstream reported an error'));
      case 'ping':
      case 'content_block_stop':
        return '';
      default:
        if (typeof j?.type !== 'string') throw new MalformedUpstream('an event has no type');
        return '';
    }
  }

  end(): string {
    let out = this.chunk({}, finishReason(this.stop));
    if (this.includeUsage) out += sse(null, { id: this.chunkId, object: 'chat.completion.chunk', created: this.created, model: this.model, choices: [], usage: toChatUsage(this.used) });
    return out + 'data: [DONE]\n\n';
  }

  usage() {
    return this.used;
  }
  contentChars() {
    return this.chars;
  }
  done() {
    return this.stopped;
  }
  error(message: string) {
    return sse(null, { error: { message, type: 'upstream_error', param: null, code: '502' } });
  }
}

export const chatViaMessages: Translation = {
  endpoint: 'messages',
  request: (body, d, stream) => anthropicRequestOf(body, d.upstreamModel, d.maxOutputTokens, stream),
  response: (text, clientModel) => completionOf(text, clientModel),
  stream: (clientModel, body) => new MessagesToChatStream(clientModel, (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true),
};
