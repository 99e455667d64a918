import { randomUUID } from 'node:crypto';
import { gwError } from '../errors.js';
import type { TokenUsage } from '../pricing.js';
import { MalformedUpstream, parseSse, sse, type EventTranslator } from '../stream.js';
import { chatAnswer } from './chat-answer.js';
import { chatUsage, toResponsesUsage } from '../usage.js';
import type { CallContext, Translation } from '../dialects/types.js';

/**
 * OpenAI Responses clients (Codex, the AI SDK, the Agents SDK) on a deployment that speaks
 * only Chat Completions: the request becomes a Chat Completion, the answer, its function
 * calls and its stream become Responses again. Unless `store: false`, Purser keeps the
 * conversation for the key (Conversations), so `previous_response_id` and `item_reference`
 * work as they do on OpenAI.
 */

type Item = Record<string, any>;

const untranslatable = (what: string, param: string) =>
  gwError(400, 'invalid_request_error', `${what} cannot be sent to this model: its deployment speaks Chat Completions, so /v1/responses is translated.`, param);

const hex = () => randomUUID().replace(/-/g, '');

function contentOf(content: unknown, param: string): unknown {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const parts = content.map((p: Item) => {
    if (p.type === 'input_text' || p.type === 'output_text' || p.type === 'text') return { type: 'text', text: p.text };
    if (p.type === 'input_image' && typeof p.image_url === 'string') return { type: 'image_url', image_url: { url: p.image_url, ...(p.detail ? { detail: p.detail } : {}) } };
    if (p.type === 'input_file' && typeof p.file_data === 'string') return { type: 'file', file: { filename: p.filename ?? 'file', file_data: p.file_data } };
    throw untranslatable(`A content part of type ${JSON.stringify(p.type)}`, param);
  });
  return parts.length === 1 && parts[0]!.type === 'text' ? parts[0]!.text : parts;
}

/** The input with item references and the previous response's conversation resolved, for the key. */
function resolvedInput(body: Record<string, any>, ctx: CallContext): Item[] {
  const own: Item[] = typeof body.input === 'string' ? [{ role: 'user', content: body.input }] : (body.input as Item[]);
  const input = own.map((it, i) => {
    if (it.type !== 'item_reference') return it;
    const found = typeof it.id === 'string' ? ctx.conversations.item(it.id, ctx.token) : null;
    if (!found) throw gwError(400, 'invalid_request_error', `input[${i}] refers to item '${String(it.id).slice(0, 80)}', which this key has not stored (or it has expired).`, `input[${i}]`);
    return found;
  });
  const prev = body.previous_response_id;
  if (prev === undefined || prev === null) return input;
  const history = ctx.conversations.history(prev, ctx.token);
  if (!history) throw gwError(400, 'invalid_request_error', `previous_response_id '${String(prev).slice(0, 80)}' was not stored for this key (store: false, another key, or it has expired).`, 'previous_response_id');
  return [...history, ...input];
}

/**
 * Hosted tools run at OpenAI, next to the model: a Chat Completions model cannot run them, so
 * the translation leaves them out (as the Messages translation leaves out Anthropic's server
 * tools). Codex sends `web_search` with every request.
 */
const HOSTED_TOOLS = new Set(['web_search', 'web_search_preview', 'file_search', 'code_interpreter', 'image_generation', 'mcp']);
/** A namespace tool's functions become chat functions named `<namespace>__<name>` (chat has no namespaces). */
const NS_SEP = '__';

const chatFunction = (t: Item, name: string) => ({
  type: 'function',
  function: { name, ...(t.description ? { description: t.description } : {}), parameters: t.parameters ?? { type: 'object', properties: {} }, ...(typeof t.strict === 'boolean' ? { strict: t.strict } : {}) },
});

function chatTools(tools: Item[]): Item[] {
  const out: Item[] = [];
  tools.forEach((t, i) => {
    if (t.type === 'function') out.push(chatFunction(t, t.name));
    else if (t.type === 'namespace' && Array.isArray(t.tools)) {
      if (typeof t.name !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(t.name))
        throw gwError(400, 'invalid_request_error', `tools[${i}].name must be a namespace name (letters, digits, _ and -).`, `tools[${i}].name`);
      (t.tools as Item[]).forEach((f, j) => {
        if (f?.type !== 'function') throw untranslatable(`A tool of type ${JSON.stringify(f?.type)} in a namespace`, `tools[${i}].tools[${j}]`);
        if (typeof f.name !== 'string') throw gwError(400, 'invalid_request_error', `tools[${i}].tools[${j}].name must be a string.`, `tools[${i}].tools[${j}].name`);
        out.push(chatFunction(f, `${t.name}${NS_SEP}${f.name}`));
      });
    } else if (!HOSTED_TOOLS.has(t.type)) throw untranslatable(`A tool of type ${JSON.stringify(t.type)}`, `tools[${i}]`);
  });
  return out;
}

/** A chat tool call's function name as a Responses function_call's `name` (and `namespace`). */
function callName(body: Record<string, any>, chatName: string): { name: string; namespace?: string } {
  const at = chatName.indexOf(NS_SEP);
  if (at > 0 && Array.isArray(body.tools)) {
    const ns = chatName.slice(0, at);
    const name = chatName.slice(at + NS_SEP.length);
    if ((body.tools as Item[]).some((t) => t.type === 'namespace' && t.name === ns && Array.isArray(t.tools) && t.tools.some((f: Item) => f?.name === name))) return { name, namespace: ns };
  }
  return { name: chatName };
}

function chatMessages(body: Record<string, any>, items: Item[]): Item[] {
  const out: Item[] = [];
  if (typeof body.instructions === 'string' && body.instructions) out.push({ role: 'system', content: body.instructions });
  items.forEach((it, i) => {
    const param = `input[${i}]`;
    if (it.type === 'function_call') {
      const name = typeof it.namespace === 'string' && it.namespace ? `${it.namespace}${NS_SEP}${it.name}` : it.name;
      const call = { id: it.call_id, type: 'function', function: { name, arguments: it.arguments ?? '' } };
      const last = out[out.length - 1];
      // consecutive calls of one turn go in one assistant message
      if (last?.role === 'assistant') (last.tool_calls ??= []).push(call);
      else out.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (it.type === 'function_call_output')
      out.push({ role: 'tool', tool_call_id: it.call_id, content: typeof it.output === 'string' ? it.output : JSON.stringify(it.output ?? '') });
    else if (it.type === 'reasoning') return; // the model's reasoning summary from an earlier turn: Chat has no place for it
    else if ((it.type === undefined || it.type === 'message') && typeof it.role === 'string')
      out.push({ role: it.role === 'developer' ? 'system' : it.role, content: contentOf(it.content, `${param}.content`) });
    else throw untranslatable(`An input item of type ${JSON.stringify(it.type)}`, param);
  });
  return out;
}

function chatRequestOf(body: Record<string, any>, upstreamModel: string, stream: boolean, ctx: CallContext): Record<string, unknown> {
  ctx.input = resolvedInput(body, ctx);
  const out: Record<string, unknown> = { model: upstreamModel, messages: chatMessages(body, ctx.input) };
  if (body.max_output_tokens !== undefined && body.max_output_tokens !== null) out.max_tokens = body.max_output_tokens;
  for (const f of ['temperature', 'top_p', 'user', 'parallel_tool_calls'] as const) if (body[f] !== undefined && body[f] !== null) out[f] = body[f];
  const tools = Array.isArray(body.tools) ? chatTools(body.tools as Item[]) : [];
  if (tools.length) {
    out.tools = tools;
    const tc = body.tool_choice;
    if (typeof tc === 'string') out.tool_choice = tc;
    else if (tc?.type === 'function' && typeof tc.name === 'string') out.tool_choice = { type: 'function', function: { name: tc.name } };
  }
  const format = body.text?.format;
  if (format?.type === 'json_schema') out.response_format = { type: 'json_schema', json_schema: { name: format.name, schema: format.schema, ...(typeof format.strict === 'boolean' ? { strict: format.strict } : {}) } };
  else if (format?.type === 'json_object') out.response_format = { type: 'json_object' };
  if (stream) {
    out.stream = true;
    out.stream_options = { include_usage: true };
  }
  return out;
}

/** What every Response object repeats of its request. */
function baseOf(id: string, created: number, model: string, body: Record<string, any>) {
  return {
    id,
    object: 'response',
    created_at: created,
    model,
    error: null,
    incomplete_details: null,
    instructions: typeof body.instructions === 'string' ? body.instructions : null,
    max_output_tokens: body.max_output_tokens ?? null,
    metadata: body.metadata ?? {},
    parallel_tool_calls: body.parallel_tool_calls ?? true,
    previous_response_id: body.previous_response_id ?? null,
    store: body.store !== false,
    temperature: body.temperature ?? null,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: Array.isArray(body.tools) ? body.tools : [],
    top_p: body.top_p ?? null,
    user: body.user ?? null,
  };
}

const textItem = (id: string, text: string, status: string) => ({ type: 'message', id, status, role: 'assistant', content: [{ type: 'output_text', text, annotations: [] }] });

/** Keeps a finished response for its key, unless the client said store: false. */
function keep(ctx: CallContext, body: Record<string, any>, id: string, text: string, output: Item[]) {
  if (body.store === false) return;
  ctx.conversations.remember(ctx.token, id, text, [...(ctx.input ?? []), ...output], output);
}

function responseOf(text: string, clientModel: string, body: Record<string, any>, ctx: CallContext) {
  const { choice: c, usage } = chatAnswer(text);
  const output: Item[] = [];
  if (typeof c.message.content === 'string' && c.message.content) output.push(textItem(`msg_${hex()}`, c.message.content, 'completed'));
  for (const tc of c.message.tool_calls ?? [])
    output.push({ type: 'function_call', id: `fc_${hex()}`, call_id: tc.id, ...callName(body, String(tc.function?.name ?? '')), arguments: tc.function?.arguments ?? '', status: 'completed' });
  const incomplete = c.finish_reason === 'length';
  const id = `resp_${hex()}`;
  const response = {
    ...baseOf(id, Math.floor(Date.now() / 1000), clientModel, body),
    status: incomplete ? 'incomplete' : 'completed',
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    output,
    usage: toResponsesUsage(usage),
  };
  const out = JSON.stringify(response);
  keep(ctx, body, id, out, output);
  return { text: out, usage, id };
}

/** Chat Completion chunks → Responses' events, each with its sequence_number. */
class ChatToResponsesStream implements EventTranslator {
  private seq = 0;
  private readonly responseId = `resp_${hex()}`;
  private readonly created = Math.floor(Date.now() / 1000);
  private started = false;
  private readonly output: Item[] = [];
  /** the message item being streamed, its output index */
  private text: { item: Item; index: number; value: string } | null = null;
  private readonly calls = new Map<number, { item: Item; index: number }>();
  private finish: string | null = null;
  private used: TokenUsage | null = null;
  private chars = 0;

  constructor(
    private readonly model: string,
    private readonly body: Record<string, any>,
    private readonly ctx: CallContext,
  ) {}

  private ev(type: string, o: Record<string, unknown>) {
    return sse(type, { type, sequence_number: this.seq++, ...o });
  }

  private base() {
    return baseOf(this.responseId, this.created, this.model, this.body);
  }

  private closeText(): string {
    const t = this.text;
    if (!t) return '';
    this.text = null;
    const done = textItem(t.item.id, t.value, 'completed');
    this.output[t.index] = done;
    return (
      this.ev('response.output_text.done', { item_id: t.item.id, output_index: t.index, content_index: 0, text: t.value, logprobs: [] }) +
      this.ev('response.content_part.done', { item_id: t.item.id, output_index: t.index, content_index: 0, part: done.content[0] }) +
      this.ev('response.output_item.done', { output_index: t.index, item: done })
    );
  }

  event(block: string): string {
    const { data } = parseSse(block);
    if (!data || data === '[DONE]') return '';
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
      const r = { ...this.base(), status: 'in_progress', output: [], usage: null };
      out += this.ev('response.created', { response: r }) + this.ev('response.in_progress', { response: r });
    }
    const c = j?.choices?.[0];
    const delta = c?.delta;
    if (typeof delta?.content === 'string' && delta.content) {
      if (!this.text) {
        const item = { type: 'message', id: `msg_${hex()}`, status: 'in_progress', role: 'assistant', content: [] };
        this.text = { item, index: this.output.length, value: '' };
        this.output.push(item);
        out +=
          this.ev('response.output_item.added', { output_index: this.text.index, item }) +
          this.ev('response.content_part.added', { item_id: item.id, output_index: this.text.index, content_index: 0, part: { type: 'output_text', text: '', annotations: [] } });
      }
      this.text.value += delta.content;
      this.chars += delta.content.length;
      out += this.ev('response.output_text.delta', { item_id: this.text.item.id, output_index: this.text.index, content_index: 0, delta: delta.content, logprobs: [] });
    }
    for (const tc of Array.isArray(delta?.tool_calls) ? delta.tool_calls : []) {
      const i = typeof tc.index === 'number' ? tc.index : 0;
      let call = this.calls.get(i);
      if (!call) {
        out += this.closeText();
        const item = { type: 'function_call', id: `fc_${hex()}`, call_id: tc.id ?? `call_${hex()}`, ...callName(this.body, String(tc.function?.name ?? '')), arguments: '', status: 'in_progress' };
        call = { item, index: this.output.length };
        this.output.push(item);
        this.calls.set(i, call);
        out += this.ev('response.output_item.added', { output_index: call.index, item: { ...item } });
      }
      const args = tc.function?.arguments;
      if (typeof args === 'string' && args) {
        call.item.arguments += args;
        this.chars += args.length;
        out += this.ev('response.function_call_arguments.delta', { item_id: call.item.id, output_index: call.index, delta: args });
      }
    }
    if (c?.finish_reason) this.finish = c.finish_reason;
    if (j?.usage) this.used = chatUsage(j.usage);
    return out;
  }

  end(): string {
    let out = this.closeText();
    for (const { item, index } of this.calls.values()) {
      item.status = 'completed';
      out += this.ev('response.function_call_arguments.done', { item_id: item.id, output_index: index, arguments: item.arguments });
      out += this.ev('response.output_item.done', { output_index: index, item });
    }
    const incomplete = this.finish === 'length';
    const response = {
      ...this.base(),
      status: incomplete ? 'incomplete' : 'completed',
      incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
      output: this.output,
      usage: toResponsesUsage(this.used),
    };
    keep(this.ctx, this.body, this.responseId, JSON.stringify(response), this.output);
    return out + this.ev(incomplete ? 'response.incomplete' : 'response.completed', { response });
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
    return this.ev('error', { code: 'upstream_error', message, param: null });
  }
}

export const responsesViaChat: Translation = {
  endpoint: 'chat/completions',
  request: (body, d, stream, ctx) => chatRequestOf(body, d.upstreamModel, stream, ctx),
  response: (text, clientModel, body, ctx) => responseOf(text, clientModel, body, ctx),
  stream: (clientModel, body, ctx) => new ChatToResponsesStream(clientModel, body, ctx),
};
