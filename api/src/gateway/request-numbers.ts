import { gwError } from './errors.js';
import type { Endpoint } from './providers/types.js';

/** Output tokens a request may ask for when the model's own maximum is unknown. */
export const HARD_MAX_OUTPUT_TOKENS = 1_000_000;
/** OpenAI's own limit on `n` (choices per request). */
export const MAX_CHOICES = 128;

/** What a call may produce at most, as admission counts it before the call is made. */
export interface OutputBound {
  /** completion tokens per choice the estimate assumes */
  tokensPerChoice: number;
  /** choices (`n`) */
  choices: number;
}

/** A request number shown in an error: never the whole hostile value. */
const shown = (v: unknown) => (typeof v === 'number' ? String(v) : JSON.stringify(v)?.slice(0, 40) ?? String(v));

export function integerIn(body: Record<string, unknown>, field: string, max: number, why: string): number | null {
  const v = body[field];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1 || v > max)
    throw gwError(400, 'invalid_request_error', `${field} must be an integer from 1 to ${max}${why}, got ${shown(v)}.`, field);
  return v;
}

/** A cap the API requires (Anthropic's `max_tokens`): as integerIn, and present. */
export function requiredInteger(body: Record<string, unknown>, field: string, max: number, why: string): number {
  const v = integerIn(body, field, max, why);
  if (v === null) throw gwError(400, 'invalid_request_error', `${field} is required: an integer from 1 to ${max}${why}.`, field);
  return v;
}

/** An optional finite number within [min, max] (temperature, top_p). */
export function numberIn(body: Record<string, unknown>, field: string, min: number, max: number): void {
  const v = body[field];
  if (v === undefined || v === null) return;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max)
    throw gwError(400, 'invalid_request_error', `${field} must be a number from ${min} to ${max}, got ${shown(v)}.`, field);
}

/**
 * Reads `max_completion_tokens` / `max_tokens` / `n` as finite positive integers within the
 * model's limits (every number from a request is hostile: `1e309` parses as Infinity and a
 * negative value would reserve a negative amount), and says what the budget estimate assumes:
 * the request's own cap, else the model's maximum output, else `fallbackTokens`.
 */
export function outputBound(body: Record<string, unknown>, endpoint: Endpoint, modelMaxOutput: number | null, fallbackTokens: number): OutputBound {
  const max = modelMaxOutput ?? HARD_MAX_OUTPUT_TOKENS;
  const why = modelMaxOutput !== null ? " (the model's maximum output tokens)" : '';
  const completion = integerIn(body, 'max_completion_tokens', max, why);
  const legacy = integerIn(body, 'max_tokens', max, why);
  const choices = integerIn(body, 'n', MAX_CHOICES, '') ?? 1;
  if (endpoint === 'embeddings') return { tokensPerChoice: 0, choices: 1 };
  return { tokensPerChoice: completion ?? legacy ?? modelMaxOutput ?? fallbackTokens, choices };
}

/**
 * A token count an upstream reported, made safe for money: a non-negative safe integer, else
 * `fallback` (a provider bug or a hostile upstream must not put NaN or a negative into a ledger).
 */
export function reportedTokens(v: unknown, fallback: number): number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? Math.min(v, 1e12) : fallback;
}
