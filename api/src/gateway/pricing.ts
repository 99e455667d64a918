import { MAX_USD, usdToNanos } from '../common/money.js';

/** one call costs at most MAX_USD: a hostile price or token count cannot push a counter past exact integers */
const callNanos = (usd: number): number => Math.min(usdToNanos(MAX_USD), usdToNanos(usd));

/**
 * USD per million tokens and the most output tokens one call can produce, for well-known
 * models (list prices and limits, late 2026), then the prompt-cache read and write prices where
 * the provider has them (absent: the input price); `model_info` / `litellm_params` fields override
 * them. A model not found here and not priced in the config costs 0 and its calls are flagged
 * unpriced.
 */
type Row = [input: number, output: number, maxOutputTokens: number, cacheRead?: number, cacheWrite?: number];
const PER_MILLION: Record<string, Row> = {
  'gpt-4o': [2.5, 10, 16384, 1.25],
  'gpt-4o-mini': [0.15, 0.6, 16384, 0.075],
  'gpt-4.1': [2, 8, 32768, 0.5],
  'gpt-4.1-mini': [0.4, 1.6, 32768, 0.1],
  'gpt-4.1-nano': [0.1, 0.4, 32768, 0.025],
  'gpt-4-turbo': [10, 30, 4096],
  'gpt-3.5-turbo': [0.5, 1.5, 4096],
  'o1': [15, 60, 100000, 7.5],
  'o1-mini': [1.1, 4.4, 65536, 0.55],
  'o3': [2, 8, 100000, 0.5],
  'o3-mini': [1.1, 4.4, 100000, 0.55],
  'o4-mini': [1.1, 4.4, 100000, 0.275],
  'gpt-5': [1.25, 10, 128000, 0.125],
  'gpt-5-mini': [0.25, 2, 128000, 0.025],
  'gpt-5-nano': [0.05, 0.4, 128000, 0.005],
  'text-embedding-3-small': [0.02, 0, 0],
  'text-embedding-3-large': [0.13, 0, 0],
  'text-embedding-ada-002': [0.1, 0, 0],
  'claude-3-5-sonnet': [3, 15, 8192, 0.3, 3.75],
  'claude-3-5-haiku': [0.8, 4, 8192, 0.08, 1],
  'claude-sonnet-4': [3, 15, 64000, 0.3, 3.75],
  'claude-opus-4': [15, 75, 32000, 1.5, 18.75],
  'gemini-1.5-pro': [1.25, 5, 8192],
  'gemini-1.5-flash': [0.075, 0.3, 8192],
  'gemini-2.0-flash': [0.1, 0.4, 8192],
  'mistral-large-latest': [2, 6, 128000],
  'llama-3.1-8b-instant': [0.05, 0.08, 8192],
};

export interface Price {
  /** USD per prompt token */
  input: number;
  /** USD per completion token */
  output: number;
  /** USD per prompt token written to the provider's prompt cache (model_info cache_creation_input_token_cost); default: input */
  cacheWrite?: number;
  /** USD per prompt token read from the provider's prompt cache (model_info cache_read_input_token_cost); default: input */
  cacheRead?: number;
}

/**
 * Tokens of a finished call. `prompt` counts every input token, cached ones included
 * (`cacheRead` / `cacheWrite` of them are priced at their own rates); reasoning tokens are
 * part of `completion`.
 */
export interface TokenUsage {
  prompt: number;
  completion: number;
  cacheRead: number;
  cacheWrite: number;
}

/** `openai/gpt-4o-2024-08-06` → the built-in row of gpt-4o (longest matching prefix). */
function builtIn(model: string): Row | null {
  const name = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  let best: string | null = null;
  for (const k of Object.keys(PER_MILLION)) if (name.startsWith(k) && (!best || k.length > best.length)) best = k;
  return best ? PER_MILLION[best]! : null;
}

export function builtInPrice(model: string): Price | null {
  const row = builtIn(model);
  if (!row) return null;
  const p: Price = { input: row[0] / 1e6, output: row[1] / 1e6 };
  if (row[3] !== undefined) p.cacheRead = row[3] / 1e6;
  if (row[4] !== undefined) p.cacheWrite = row[4] / 1e6;
  return p;
}

/** The most output tokens one call of a well-known chat model can produce; null when unknown. */
export function builtInMaxOutputTokens(model: string): number | null {
  const row = builtIn(model);
  return row && row[2] > 0 ? row[2] : null;
}

/** Cost in nano-dollars, rounded once at the end (integer money inside; common/money.ts converts). */
export function costNanos(price: Price | null, promptTokens: number, completionTokens: number): number {
  if (!price) return 0;
  return callNanos(promptTokens * price.input + completionTokens * price.output);
}

/** Cost of a call's tokens in nano-dollars, cached prompt tokens at their own prices. */
export function usageCostNanos(price: Price | null, u: TokenUsage): number {
  if (!price) return 0;
  if (!u.cacheRead && !u.cacheWrite) return costNanos(price, u.prompt, u.completion);
  const plain = Math.max(0, u.prompt - u.cacheRead - u.cacheWrite);
  return callNanos(plain * price.input + u.cacheRead * (price.cacheRead ?? price.input) + u.cacheWrite * (price.cacheWrite ?? price.input) + u.completion * price.output);
}

/**
 * What the provider's prompt cache saved on a call: its cost with the cache-read tokens at the
 * full input price, less its cost (never below 0; cache writes cost what they cost, here as in spend).
 */
export function promptCacheSavedNanos(price: Price | null, u: TokenUsage): number {
  if (!price || !u.cacheRead) return 0;
  return Math.max(0, usageCostNanos(price, { ...u, cacheRead: 0 }) - usageCostNanos(price, u));
}
