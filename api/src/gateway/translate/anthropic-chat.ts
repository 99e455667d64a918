import { randomUUID } from 'node:crypto';
import { gwError } from '../errors.js';
import type { TokenUsage } from '../pricing.js';
import { MalformedUpstream, parseSse, sse, type EventTranslator } from '../stream.js';
import { chatAnswer } from './chat-answer.js';
import { chatUsage, toAnthropicUsage } from '../usage.js';
import type { Translation } from '../dialects/types.js';

/**
 * Anthropic Messages clients (Claude Code, the Anthropic SDK) on an OpenAI-compatible
 * deployment: the request becomes a Chat Completion, the answer, its tool calls and its
 * stream become Anthropic's again (as LiteLLM does).
 */

type Block = Record<string, any>;

const untranslatable = (what: string) =>
  gwError(400, 'invalid_request_error', `${what} cannot be sent to this model: its deployment speaks Chat Completions.`);

function imageUrl(source: Block | undefined): string {
  if (source?.type === 'base64' && typeof source.data === 'string') return `data:${source.media_type};base64,${source.data}`;
  if (source?.type === 'url' && typeof source.url === 'string') return source.url;
  throw untranslatable(`An image with source type ${JSON.stringify(source?.type)}`);
}

function documentPart(b: Block): Block {
  const s = b.source as Block | undefined;
  if (s?.type === 'text' && typeof s.data === 'string') return { type: 'text', text: s.data };
  if (s?.type === 'base64' && typeof s.data === 'string')
    return { type: 'file', file: { filename: typeof b.title === 'string' ? b.title : 'document.pdf', file_data: `data:${s.media_type};base64,${s.data}` } };
  if (s?.type === 'content' && Array.isArray(s.content)) return { type: 'text', text: s.content.map((c: Block) => (typeof c.text === 'string' ? c.text : '')).join('') };
  throw untranslatable(`A document with source type ${JSON.stringify(s?.type)}`);
}

function toolResultText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  // Chat Completions tool messages carry text only
  return content.map((c: Block) => (c.type === 'text' ? c.text : `[${c.type} omitted]`)).join('');
}

function chatMessages(body: Record<string, any>): Block[] {
  const out: Block[] = [];
  const system = body.system;
  if (typeof system === 'string' && system) out.push({ role: 'system', content: system });
  else if (Array.isArray(system) && system.length) out.push({ role: 'system', content: system.map((b: Block) => b.text).join('\n') });
  for (const m of body.messages as Block[]) {
    if (typeof m.content === 'string') {
      out.push({ role: m.role, content: m.content });
      continue;
    }
    if (m.role === 'system') {
      out.push({ role: 'system', content: (m.content as Block[]).map((b) => b.text).join('\n') });
      continue;
    }
    if (m.role === 'assistant') {
      let text = '';
      const toolCalls: Block[] = [];
      for (const b of m.content as Block[]) {
        if (b.type === 'text') text += b.text;
        else if (b.type === 'tool_use') toolCalls.push({ id: b.id, type: 'function', function: { name: b.name, arguments: JSON.stringify(b.input ?? {}) } });
        // the model's own reasoning from an earlier turn: Chat Completions has no place for it
        else if (b.type === 'thinking' || b.type === 'redacted_thinking') continue;
        else throw untranslatable(`A content block of type ${JSON.stringify(b.type)}`);
      }
      out.push({ role: 'assistant', content: text || null, ...(toolCalls.length ? { tool_calls: toolCalls } : {}) });
      continue;
    }
    const parts: Block[] = [];
    for (const b of m.content as Block[]) {
      // tool results answer the previous assistant turn's calls: tool messages, before the rest of the turn
      if (b.type === 'tool_result') out.push({ role: 'tool', tool_call_id: b.tool_use_id, content: toolResultText(b.content) });
      else if (b.type === 'text') parts.push({ type: 'text', text: b.text });
      else if (b.type === 'image') parts.push({ type: 'image_url', image_url: { url: imageUrl(b.source) } });
      else if (b.type === 'document') parts.push(documentPart(b));
      else throw untranslatable(`A content block of type ${JSON.stringify(b.type)}`);
    }
    if (parts.length === 1 && parts[0]!.type === 'text') out.push({ role: 'user', content: parts[0]!.text });
    else if (parts.length) out.push({ role: 'user', content: parts });
  }
  return out;
}

function chatToolChoice(tc: Block | undefined): unknown {
  switch (tc?.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: tc.name } };
    default:
      return undefined;
  }
}

/** The Chat Completions request for a Messages request. */
export function chatRequestOf(body: Record<string, any>, upstreamModel: string, stream: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { model: upstreamModel, messages: chatMessages(body), max_tokens: body.max_tokens };
  if (body.temperature !== undefined) out.temperature = body.temperature;
  if (body.top_p !== undefined) out.top_p = body.top_p;
  if (Array.isArray(body.stop_sequences) && body.stop_sequences.length) out.stop = body.stop_sequences;
  if (typeof body.metadata?.user_id === 'string') out.user = body.metadata.user_id;
  // server tools (web search, code execution...) run at Anthropic; an OpenAI-compatible model cannot run them
  const tools = Array.isArray(body.tools) ? (body.tools as Block[]).filter((t) => t.input_schema && (!t.type || t.type === 'custom')) : [];
  if (tools.length) {
    out.tools = tools.map((t) => ({ type: 'function', function: { name: t.name, ...(t.description ? { description: t.description } : {}), parameters: t.input_schema } }));
    const choice = chatToolChoice(body.tool_choice);
    if (choice !== undefined) out.tool_choice = choice;
    if (body.tool_choice?.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  }
  if (stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

const stopReason = (finish: string | null | undefined) =>
  finish === 'length' ? 'max_tokens' : finish === 'tool_calls' || finish === 'function_call' ? 'tool_use' : 'end_turn';

const parseArgs = (s: unknown) => {
  if (typeof s !== 'string' || !s) return {};
  try {
    const v = JSON.parse(s);
    return v && typeof v === 'object' ? v : {};
  } catch {
    return {};
  }
};

const msgId = () => `msg_${randomUUID().replace(/-/g, '')}`;

/** A chat.completion as an Anthropic message. */
function messageOf(text: string, clientModel: string): { text: string; usage: TokenUsage | null } {
  const { choice: c, usage } = chatAnswer(text);
  const content: Block[] = [];
  if (typeof c.message.content === 'string' && c.message.content) content.push({ type: 'text', text: c.message.content });
  for (const tc of c.message.tool_calls ?? []) content.push({ type: 'tool_use', id: tc.id, name: tc.function?.name, input: parseArgs(tc.function?.arguments) });
  const message = {
    id: msgId(),
    type: 'message',
    role: 'assistant',
    model: clientModel,
    content,
    stop_reason: stopReason(c.finish_reason),
    stop_sequence: null,
    usage: toAnthropicUsage(usage),
  };
  return { text: JSON.stringify(message), usage };
}

/** Chat Completion chunks → Anthropic's event sequence. */
class ChatToMessagesStream implements EventTranslator {
  private started = false;
  private index = -1;
  private open: 'text' | 'tool' | null = null;
  private readonly tools = new Map<number, number>();
  private finish: string | null = null;
  private used: TokenUsage | null = null;
  private chars = 0;

  constructor(private readonly model: string) {}

  private close(): string {
    if (!this.open) return '';
    this.open = null;
    return sse('content_block_stop', { type: 'content_block_stop', index: this.index });
  }

  private start(block: Block): string {
    const out = this.close();
    this.index++;
    return out + sse('content_block_start', { type: 'content_block_start', index: this.index, content_block: block });
  }

  event(block: string): string {
    const { data } = parseSse(block);
    if (!data) return '';
    if (data === '[DONE]') return '';
    let j: any;
    try {
      j = JSON.parse(data);
    } catch {
      throw new MalformedUpstream('an event is not JSON');
    }
    if (j?.error) throw new MalformedUpstream(String(j.error.message ?? 'the upstream reported an error'));
    let out = '';
    if (!this.started) {
      this.started = true;
      out += sse('message_start', {
        type: 'message_start',
        message: { id: msgId(), type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: toAnthropicUsage(null) },
      });
      // as Anthropic's own streams do
      out += sse('ping', { type: 'ping' });
    }
    const c = j?.choices?.[0];
    const delta = c?.delta;
    if (typeof delta?.content === 'string' && delta.content) {
      if (this.open !== 'text') {
        out += this.start({ type: 'text', text: '' });
        this.open = 'text';
      }
      this.chars += delta.content.length;
      out += sse('content_block_delta', { type: 'content_block_delta', index: this.index, delta: { type: 'text_delta', text: delta.content } });
    }
    for (const tc of Array.isArray(delta?.tool_calls) ? delta.tool_calls : []) {
      const i = typeof tc.index === 'number' ? tc.index : 0;
      if (!this.tools.has(i)) {
        out += this.start({ type: 'tool_use', id: tc.id ?? `toolu_${randomUUID().replace(/-/g, '')}`, name: tc.function?.name ?? '', input: {} });
        this.open = 'tool';
        this.tools.set(i, this.index);
      }
      const args = tc.function?.arguments;
      if (typeof args === 'string' && args) {
        this.chars += args.length;
        out += sse('content_block_delta', { type: 'content_block_delta', index: this.tools.get(i), delta: { type: 'input_json_delta', partial_json: args } });
      }
    }
    if (c?.finish_reason) this.finish = c.finish_reason;
    if (j?.usage) this.used = chatUsage(j.usage);
    return out;
  }

  end(): string {
    const u = toAnthropicUsage(this.used);
    return (
      this.close() +
      sse('message_delta', { type: 'message_delta', delta: { stop_reason: stopReason(this.finish), stop_sequence: null }, usage: u }) +
      sse('message_stop', { type: 'message_stop' })
    );
  }

  usage() {
    return this.used;
  }
  contentChars() {
    return this.chars;
  }
  done() {
    return this.finish !== null;
  }
  error(message: string) {
    return sse('error', { type: 'error', error: { type: 'api_error', message } });
  }
}

export const messagesViaChat: Translation = {
  endpoint: 'chat/completions',
  request: (body, d, stream) => chatRequestOf(body, d.upstreamModel, stream),
  response: (text, clientModel) => messageOf(text, clientModel),
  stream: (clientModel) => new ChatToMessagesStream(clientModel),
};
