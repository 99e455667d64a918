import { gwError } from '../errors.js';
import { HARD_MAX_OUTPUT_TOKENS, integerIn, numberIn, requiredInteger } from '../request-numbers.js';
import { messagesViaChat } from '../translate/anthropic-chat.js';
import { messagesNative } from '../translate/anthropic-native.js';
import { anthropicError } from './envelopes.js';
import type { Dialect } from './types.js';

/**
 * Anthropic's Messages API (Claude Code, the Anthropic SDK): passed through to `anthropic/`
 * deployments, translated to Chat Completions for every other one.
 */

/** Content block types of Anthropic's API; anything else is refused before it costs anything. */
const BLOCK_TYPES = new Set([
  'text',
  'image',
  'document',
  'search_result',
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'mcp_tool_use',
  'mcp_tool_result',
  'container_upload',
]);

const bad = (message: string, param: string) => gwError(400, 'invalid_request_error', message, param);
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function checkBlocks(blocks: unknown[], param: string) {
  blocks.forEach((b, j) => {
    if (!isObject(b) || typeof b.type !== 'string') throw bad(`${param}[${j}] must be a content block object with a type.`, `${param}[${j}]`);
    if (!BLOCK_TYPES.has(b.type)) throw bad(`${param}[${j}].type ${JSON.stringify(b.type.slice(0, 40))} is not a content block type.`, `${param}[${j}].type`);
    if (b.type === 'text' && typeof b.text !== 'string') throw bad(`${param}[${j}].text must be a string.`, `${param}[${j}].text`);
  });
}

/** A protocol header from the client, checked before it is forwarded. */
function header(headers: Record<string, string | string[] | undefined>, name: string, pattern: RegExp): string | undefined {
  const v = headers[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string' || !pattern.test(v)) throw bad(`The ${name} header is not valid.`, name);
  return v;
}

function charsOf(content: unknown): number {
  if (typeof content === 'string') return content.length;
  if (!Array.isArray(content)) return 0;
  let n = 0;
  for (const b of content as Array<Record<string, unknown>>) {
    if (typeof b?.text === 'string') n += b.text.length;
    else if (b?.type === 'tool_result') n += charsOf(b.content);
    else if (b?.type === 'tool_use' && b.input) n += JSON.stringify(b.input).length;
  }
  return n;
}

export const messagesDialect: Dialect = {
  name: 'messages',
  endpoint: 'messages',
  callType: 'messages',
  validate(body, headers) {
    const messages = body.messages;
    if (!Array.isArray(messages) || !messages.length) throw bad('messages must be a non-empty array.', 'messages');
    messages.forEach((m, i) => {
      // "system" mid-conversation: Claude Code 2.1 sends its environment and tool changes that way
      if (!isObject(m) || (m.role !== 'user' && m.role !== 'assistant' && m.role !== 'system'))
        throw bad(`messages[${i}].role must be "user", "assistant" or "system".`, `messages[${i}].role`);
      if (typeof m.content === 'string') return;
      if (!Array.isArray(m.content)) throw bad(`messages[${i}].content must be a string or an array of content blocks.`, `messages[${i}].content`);
      if (m.role === 'system') {
        m.content.forEach((b, j) => {
          if (!isObject(b) || b.type !== 'text' || typeof b.text !== 'string') throw bad(`messages[${i}].content[${j}] must be a text block: a system message holds text only.`, `messages[${i}].content[${j}]`);
        });
        return;
      }
      checkBlocks(m.content, `messages[${i}].content`);
    });
    const system = body.system;
    if (system !== undefined && typeof system !== 'string') {
      if (!Array.isArray(system)) throw bad('system must be a string or an array of text blocks.', 'system');
      system.forEach((b, j) => {
        if (!isObject(b) || b.type !== 'text' || typeof b.text !== 'string') throw bad(`system[${j}] must be a text block.`, `system[${j}]`);
      });
    }
    if (body.stop_sequences !== undefined && (!Array.isArray(body.stop_sequences) || !body.stop_sequences.every((s) => typeof s === 'string')))
      throw bad('stop_sequences must be an array of strings.', 'stop_sequences');
    if (body.tools !== undefined && (!Array.isArray(body.tools) || !body.tools.every((t) => isObject(t) && typeof t.name === 'string')))
      throw bad('tools must be an array of tools, each with a name.', 'tools');
    if (body.metadata !== undefined) {
      const md = body.metadata;
      if (!isObject(md)) throw bad('metadata must be an object.', 'metadata');
      const u = md.user_id;
      if (u !== undefined && u !== null && (typeof u !== 'string' || u.length > 256 || CONTROL.test(u)))
        throw bad('metadata.user_id must be a string of at most 256 characters without control characters.', 'metadata.user_id');
    }
    if (body.stream !== undefined && typeof body.stream !== 'boolean') throw bad('stream must be a boolean.', 'stream');
    numberIn(body, 'temperature', 0, 1);
    numberIn(body, 'top_p', 0, 1);
    integerIn(body, 'top_k', 1_000_000, '');
    const forward: Record<string, string> = {};
    const version = header(headers, 'anthropic-version', /^\d{4}-\d{2}-\d{2}$/);
    const beta = header(headers, 'anthropic-beta', /^[A-Za-z0-9._,\- ]{1,1000}$/);
    if (version) forward['anthropic-version'] = version;
    if (beta) forward['anthropic-beta'] = beta;
    return forward;
  },
  outputTokens(body, modelMax) {
    return requiredInteger(body, 'max_tokens', modelMax ?? HARD_MAX_OUTPUT_TOKENS, modelMax !== null ? " (the model's maximum output tokens)" : '');
  },
  promptChars(body) {
    let n = typeof body.system === 'string' ? body.system.length : charsOf(body.system);
    for (const m of body.messages as Array<{ content: unknown }>) n += charsOf(m.content);
    return n;
  },
  stream: (body) => body.stream === true,
  plan: (d) => (d.kind === 'anthropic' ? messagesNative : messagesViaChat),
  errorBody: (status, type, message) => anthropicError(status, type, message),
  endUser(body) {
    const u = (body.metadata as { user_id?: unknown } | undefined)?.user_id;
    return typeof u === 'string' ? u : null;
  },
};
