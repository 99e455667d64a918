import { gwError } from '../errors.js';
import { HARD_MAX_OUTPUT_TOKENS, integerIn, numberIn } from '../request-numbers.js';
import { responsesViaChat } from '../translate/responses-chat.js';
import { responsesNative } from '../translate/responses-native.js';
import { chatViaMessages } from '../translate/chat-anthropic.js';
import { compose } from '../translate/compose.js';
import { openaiError } from './envelopes.js';
import type { Dialect } from './types.js';

/**
 * OpenAI's Responses API (Codex, the AI SDK's default provider, the Agents SDK): passed
 * through to deployments that serve it, translated to Chat Completions for the others.
 */

const bad = (message: string, param: string) => gwError(400, 'invalid_request_error', message, param);
const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

function charsOf(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (!Array.isArray(v)) return 0;
  let n = 0;
  for (const it of v as Array<Record<string, unknown>>) {
    if (typeof it?.content === 'string') n += it.content.length;
    else if (Array.isArray(it?.content)) for (const p of it.content as Array<{ text?: unknown }>) if (typeof p?.text === 'string') n += p.text.length;
    if (typeof it?.arguments === 'string') n += it.arguments.length;
    if (typeof it?.output === 'string') n += it.output.length;
  }
  return n;
}

/** Codex and the AI SDK on a Claude deployment: Responses → Chat Completions → Messages. */
const responsesViaMessages = compose(responsesViaChat, chatViaMessages);

export const responsesDialect: Dialect = {
  name: 'responses',
  endpoint: 'responses',
  callType: 'responses',
  validate(body) {
    const input = body.input;
    if (typeof input !== 'string' && !(Array.isArray(input) && input.length)) throw bad('input must be a string or a non-empty array of input items.', 'input');
    if (Array.isArray(input))
      input.forEach((it, i) => {
        if (!isObject(it) || (typeof it.type !== 'string' && typeof it.role !== 'string')) throw bad(`input[${i}] must be an input item with a type or a role.`, `input[${i}]`);
      });
    if (body.instructions !== undefined && body.instructions !== null && typeof body.instructions !== 'string') throw bad('instructions must be a string.', 'instructions');
    if (body.tools !== undefined && (!Array.isArray(body.tools) || !body.tools.every((t) => isObject(t) && typeof t.type === 'string')))
      throw bad('tools must be an array of tools, each with a type.', 'tools');
    for (const f of ['stream', 'store'] as const) if (body[f] !== undefined && body[f] !== null && typeof body[f] !== 'boolean') throw bad(`${f} must be a boolean.`, f);
    const prev = body.previous_response_id;
    if (prev !== undefined && prev !== null && (typeof prev !== 'string' || !/^[A-Za-z0-9_-]{1,256}$/.test(prev))) throw bad('previous_response_id must be a response id.', 'previous_response_id');
    if (body.user !== undefined && body.user !== null && (typeof body.user !== 'string' || body.user.length > 256 || CONTROL.test(body.user)))
      throw bad('user must be a string of at most 256 characters without control characters.', 'user');
    numberIn(body, 'temperature', 0, 2);
    numberIn(body, 'top_p', 0, 1);
    return undefined;
  },
  outputTokens(body, modelMax, fallback) {
    const cap = integerIn(body, 'max_output_tokens', modelMax ?? HARD_MAX_OUTPUT_TOKENS, modelMax !== null ? " (the model's maximum output tokens)" : '');
    return cap ?? modelMax ?? fallback;
  },
  promptChars: (body) => (typeof body.instructions === 'string' ? body.instructions.length : 0) + charsOf(body.input),
  stream: (body) => body.stream === true,
  plan: (d) => (d.kind === 'anthropic' ? responsesViaMessages : d.responsesNative ? responsesNative : responsesViaChat),
  // a budget stop carries OpenAI's own code for it: Codex then says "Quota exceeded" once
  // instead of "exceeded retry limit, last status: 429" (it drops other 429 bodies)
  errorBody: (status, type, message, code) => openaiError(status, type, message, type === 'budget_exceeded' ? 'insufficient_quota' : code),
  endUser: (body) => (typeof body.user === 'string' ? body.user : null),
};
