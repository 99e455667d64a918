import type { TokenUsage } from './pricing.js';
import { reportedTokens } from './request-numbers.js';

/**
 * Each protocol's usage object as TokenUsage. Every count is hostile (a provider bug or a
 * hostile upstream must not put NaN or a negative into a ledger): a bad one is 0.
 */
const n = (v: unknown) => reportedTokens(v, 0);
const obj = (v: unknown): Record<string, any> | null => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : null);

/** OpenAI's `prompt_tokens_details.cached_tokens`: prompt tokens read from the provider's prompt cache (0 when absent or bad). */
export const chatCachedTokens = (u: unknown): number => n(obj(obj(u)?.prompt_tokens_details)?.cached_tokens);

/** Chat Completions / Embeddings: prompt_tokens (cached ones included), completion_tokens. */
export function chatUsage(u: unknown): TokenUsage | null {
  const o = obj(u);
  if (!o) return null;
  const prompt = n(o.prompt_tokens);
  return { prompt, completion: n(o.completion_tokens), cacheRead: Math.min(prompt, chatCachedTokens(o)), cacheWrite: 0 };
}

/** Anthropic: input_tokens excludes the cache's tokens; cache_creation / cache_read are priced on their own. */
export function anthropicUsage(u: unknown): TokenUsage | null {
  const o = obj(u);
  if (!o) return null;
  const cacheWrite = n(o.cache_creation_input_tokens);
  const cacheRead = n(o.cache_read_input_tokens);
  return { prompt: n(o.input_tokens) + cacheWrite + cacheRead, completion: n(o.output_tokens), cacheRead, cacheWrite };
}

/** Responses: input_tokens includes input_tokens_details.cached_tokens; output_tokens includes reasoning tokens. */
export function responsesUsage(u: unknown): TokenUsage | null {
  const o = obj(u);
  if (!o) return null;
  const prompt = n(o.input_tokens);
  return { prompt, completion: n(o.output_tokens), cacheRead: Math.min(prompt, n(obj(o.input_tokens_details)?.cached_tokens)), cacheWrite: 0 };
}

/** Anthropic's usage object for a TokenUsage (translated answers). */
export const toAnthropicUsage = (u: TokenUsage | null) => ({
  input_tokens: u ? u.prompt - u.cacheRead - u.cacheWrite : 0,
  output_tokens: u?.completion ?? 0,
  cache_creation_input_tokens: u?.cacheWrite ?? 0,
  cache_read_input_tokens: u?.cacheRead ?? 0,
});

/** Chat Completions' usage object for a TokenUsage (translated answers). */
export const toChatUsage = (u: TokenUsage | null) =>
  u && {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    ...(u.cacheRead ? { prompt_tokens_details: { cached_tokens: u.cacheRead } } : {}),
  };

/** Responses' usage object for a TokenUsage (translated answers). */
export const toResponsesUsage = (u: TokenUsage | null) => ({
  input_tokens: u?.prompt ?? 0,
  input_tokens_details: { cached_tokens: u?.cacheRead ?? 0 },
  output_tokens: u?.completion ?? 0,
  output_tokens_details: { reasoning_tokens: 0 },
  total_tokens: (u?.prompt ?? 0) + (u?.completion ?? 0),
});
