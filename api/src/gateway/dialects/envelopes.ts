/** OpenAI's error body (Chat Completions, Embeddings, Responses). */
export const openaiError = (status: number, type: string, message: string, code: string | null) => ({
  error: { message, type, param: null, code: code ?? String(status) },
});

const ANTHROPIC_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'billing_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
]);

/** Anthropic's error type for an HTTP status (what its SDKs and Claude Code branch on). */
export function anthropicErrorType(status: number, type?: string): string {
  if (status === 401) return 'authentication_error';
  if (status === 402) return 'billing_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529) return 'overloaded_error';
  if (type && ANTHROPIC_TYPES.has(type)) return type;
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** Anthropic's error body: `{"type":"error","error":{"type","message"}}`. */
export const anthropicError = (status: number, type: string, message: string) => ({
  type: 'error',
  error: { type: anthropicErrorType(status, type), message },
});
