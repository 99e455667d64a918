/**
 * USD per token for well-known models (list prices, late 2026); `model_info` /
 * `litellm_params` cost fields override them. A model not found here and not priced in the
 * config costs 0 and its calls are flagged unpriced.
 */
const PER_MILLION: Record<string, [input: number, output: number]> = {
  'gpt-4o': [2.5, 10],
  'gpt-4o-mini': [0.15, 0.6],
  'gpt-4.1': [2, 8],
  'gpt-4.1-mini': [0.4, 1.6],
  'gpt-4.1-nano': [0.1, 0.4],
  'gpt-4-turbo': [10, 30],
  'gpt-3.5-turbo': [0.5, 1.5],
  'o1': [15, 60],
  'o1-mini': [1.1, 4.4],
  'o3': [2, 8],
  'o3-mini': [1.1, 4.4],
  'o4-mini': [1.1, 4.4],
  'gpt-5': [1.25, 10],
  'gpt-5-mini': [0.25, 2],
  'gpt-5-nano': [0.05, 0.4],
  'text-embedding-3-small': [0.02, 0],
  'text-embedding-3-large': [0.13, 0],
  'text-embedding-ada-002': [0.1, 0],
  'claude-3-5-sonnet': [3, 15],
  'claude-3-5-haiku': [0.8, 4],
  'claude-sonnet-4': [3, 15],
  'claude-opus-4': [15, 75],
  'gemini-1.5-pro': [1.25, 5],
  'gemini-1.5-flash': [0.075, 0.3],
  'gemini-2.0-flash': [0.1, 0.4],
  'mistral-large-latest': [2, 6],
  'llama-3.1-8b-instant': [0.05, 0.08],
};

export interface Price {
  /** USD per prompt token */
  input: number;
  /** USD per completion token */
  output: number;
}

/** `openai/gpt-4o-2024-08-06` → the built-in price of gpt-4o (longest matching prefix). */
export function builtInPrice(model: string): Price | null {
  const name = model.includes('/') ? model.slice(model.lastIndexOf('/') + 1) : model;
  let best: string | null = null;
  for (const k of Object.keys(PER_MILLION)) if (name.startsWith(k) && (!best || k.length > best.length)) best = k;
  if (!best) return null;
  const [i, o] = PER_MILLION[best]!;
  return { input: i / 1e6, output: o / 1e6 };
}

/** Cost in micro-dollars, rounded once at the end (integer money inside). */
export function costMicros(price: Price | null, promptTokens: number, completionTokens: number): number {
  if (!price) return 0;
  return Math.round((promptTokens * price.input + completionTokens * price.output) * 1e6);
}
