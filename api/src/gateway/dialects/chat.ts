import { gwError } from '../errors.js';
import { outputBound } from '../request-numbers.js';
import { promptChars } from '../tokens.js';
import { chatViaMessages } from '../translate/chat-anthropic.js';
import { openaiError } from './envelopes.js';
import type { Dialect } from './types.js';

const endUser = (body: Record<string, unknown>) => (typeof body.user === 'string' ? body.user : null);

/** OpenAI Chat Completions: passed through to OpenAI-compatible deployments, translated for `anthropic/` ones. */
export const chatDialect: Dialect = {
  name: 'chat',
  endpoint: 'chat/completions',
  callType: 'chat',
  validate(body) {
    if (!Array.isArray(body.messages) || !body.messages.length) throw gwError(400, 'invalid_request_error', 'messages must be a non-empty array.', 'messages');
    return undefined;
  },
  outputTokens(body, modelMax, fallback) {
    const b = outputBound(body, 'chat/completions', modelMax, fallback);
    return b.tokensPerChoice * b.choices;
  },
  promptChars,
  stream: (body) => body.stream === true,
  plan: (d) => (d.kind === 'anthropic' ? chatViaMessages : null),
  errorBody: openaiError,
  endUser,
};

export const embeddingsDialect: Dialect = {
  name: 'embeddings',
  endpoint: 'embeddings',
  callType: 'embedding',
  validate(body) {
    if (!(typeof body.input === 'string' || Array.isArray(body.input))) throw gwError(400, 'invalid_request_error', 'input must be a string or an array of strings.', 'input');
    return undefined;
  },
  outputTokens(body, modelMax, fallback) {
    outputBound(body, 'embeddings', modelMax, fallback);
    return 0;
  },
  promptChars,
  stream: () => false,
  plan(d) {
    if (d.kind === 'anthropic') throw gwError(400, 'invalid_request_error', `Deployment ${d.id} (Anthropic) serves no embeddings.`, 'model');
    return null;
  },
  errorBody: openaiError,
  endUser,
};
