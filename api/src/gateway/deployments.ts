import type { ModelEntry, PurserConfig } from '../config/index.js';
import { coveredBy, covers, isWildcard } from '../models/model-names.js';
import { gwError } from './errors.js';
import type { KeySnapshot } from '../keys/key-cache.js';
import { builtInMaxOutputTokens, builtInPrice, type Price } from './pricing.js';

export interface Deployment {
  /** model_info.id, or model_name#index */
  id: string;
  modelName: string;
  /** the model name sent upstream (`openai/` prefix removed) */
  upstreamModel: string;
  /** the upstream protocol family: which provider calls it, what it speaks natively */
  kind: 'mock' | 'openai' | 'anthropic' | 'azure';
  apiBase: string;
  /** Azure's api-version */
  apiVersion: string | null;
  /** it serves OpenAI's Responses API itself (else /v1/responses is translated to Chat Completions) */
  responsesNative: boolean;
  apiKey: string | null;
  timeoutMs: number;
  mockResponse: string | null;
  price: Price | null;
  /** model_info.max_output_tokens (or max_tokens), else the built-in table's; null = unknown */
  maxOutputTokens: number | null;
  mode: 'chat' | 'embedding' | 'completion';
}

const DEFAULT_OPENAI_BASE = 'https://api.openai.com/v1';
const DEFAULT_ANTHROPIC_BASE = 'https://api.anthropic.com';

function kindOf(model: string, lp: Record<string, unknown>): Deployment['kind'] {
  if (typeof lp.mock_response === 'string') return 'mock';
  if (model.startsWith('anthropic/')) return 'anthropic';
  if (model.startsWith('azure/')) return 'azure';
  return 'openai';
}

/**
 * Responses is passed through to OpenAI itself and Azure; other OpenAI-compatible servers
 * (vLLM, Ollama, Groq, Gemini...) mostly lack it, so they get it translated unless the config
 * says `responses_api: native` (or forces translation with `responses_api: chat`).
 */
function responsesNativeOf(kind: Deployment['kind'], model: string, lp: Record<string, unknown>): boolean {
  if (lp.responses_api === 'native') return kind === 'openai' || kind === 'azure';
  if (lp.responses_api === 'chat') return false;
  return kind === 'azure' || (kind === 'openai' && model.startsWith('openai/') && lp.api_base === undefined);
}

function priceOf(m: ModelEntry): Price | null {
  const lp = m.litellm_params as Record<string, unknown>;
  const mi = (m.model_info ?? {}) as Record<string, unknown>;
  const builtIn = builtInPrice((mi.base_model as string | undefined) ?? m.litellm_params.model);
  const input = (mi.input_cost_per_token ?? lp.input_cost_per_token) as number | undefined;
  const output = (mi.output_cost_per_token ?? lp.output_cost_per_token) as number | undefined;
  const cacheWrite = (mi.cache_creation_input_token_cost ?? lp.cache_creation_input_token_cost) as number | undefined;
  const cacheRead = (mi.cache_read_input_token_cost ?? lp.cache_read_input_token_cost) as number | undefined;
  if (input === undefined && output === undefined && cacheWrite === undefined && cacheRead === undefined) return builtIn;
  const p: Price = { input: input ?? builtIn?.input ?? 0, output: output ?? builtIn?.output ?? 0 };
  if (cacheWrite !== undefined) p.cacheWrite = cacheWrite;
  if (cacheRead !== undefined) p.cacheRead = cacheRead;
  return p;
}

function maxOutputOf(m: ModelEntry): number | null {
  const mi = (m.model_info ?? {}) as { max_output_tokens?: number; max_tokens?: number; base_model?: string };
  return mi.max_output_tokens ?? mi.max_tokens ?? builtInMaxOutputTokens(mi.base_model ?? m.litellm_params.model);
}

/** model_list → deployments grouped by the model name clients send. */
export class Router {
  private readonly byName = new Map<string, Deployment[]>();
  private readonly estimates = new Map<string, Price | null>();
  private readonly maxOutputs = new Map<string, number | null>();
  private readonly byId = new Map<string, Deployment>();
  /** wildcard entries (`openrouter/*`), longest prefix first so the most specific wins */
  private readonly wildcards: string[] = [];
  /** every deployment, in model_list order */
  private readonly ordered: Deployment[] = [];

  constructor(config: PurserConfig) {
    config.model_list.forEach((m, i) => {
      const lp = m.litellm_params as Record<string, unknown>;
      const mi = (m.model_info ?? {}) as Record<string, unknown>;
      const model = m.litellm_params.model;
      const kind = kindOf(model, lp);
      const d: Deployment = {
        id: (mi.id as string | undefined) ?? `${m.model_name}#${i}`,
        modelName: m.model_name,
        upstreamModel: model.replace(/^(openai|azure|anthropic|hosted_vllm|ollama_chat|openrouter|lm_studio|custom_openai)\//, ''),
        kind,
        apiBase: ((lp.api_base as string | undefined) ?? (kind === 'anthropic' ? DEFAULT_ANTHROPIC_BASE : DEFAULT_OPENAI_BASE)).replace(/\/+$/, ''),
        apiVersion: (lp.api_version as string | undefined) ?? null,
        responsesNative: responsesNativeOf(kind, model, lp),
        apiKey: (lp.api_key as string | undefined) ?? null,
        timeoutMs: ((lp.timeout as number | undefined) ?? 600) * 1000,
        mockResponse: (lp.mock_response as string | undefined) ?? null,
        price: priceOf(m),
        maxOutputTokens: maxOutputOf(m),
        mode: ((mi.mode as Deployment['mode'] | undefined) ?? (/embed/i.test(model) ? 'embedding' : 'chat')),
      };
      if (kind === 'azure' && lp.api_base === undefined) throw new Error(`model_list[${i}] (${m.model_name}): an azure/ model needs litellm_params.api_base, the resource URL.`);
      this.byName.set(m.model_name, [...(this.byName.get(m.model_name) ?? []), d]);
      this.byId.set(d.id, d);
      this.ordered.push(d);
    });
    // a request may ask for up to the largest known output of the model's deployments; unknown
    // anywhere = unknown (the estimate then falls back to default_max_tokens_estimate)
    for (const [name, list] of this.byName)
      this.maxOutputs.set(name, list.every((d) => d.maxOutputTokens !== null) ? Math.max(...list.map((d) => d.maxOutputTokens!)) : null);
    this.wildcards.push(...[...this.byName.keys()].filter(isWildcard).sort((a, b) => b.length - a.length));
  }

  /** The configured model name serving `name`: itself, or the wildcard entry covering it. */
  private groupOf(name: string): string | null {
    if (this.byName.has(name)) return name;
    return this.wildcards.find((w) => covers(w, name)) ?? null;
  }

  /**
   * The model a call asks for, resolved and checked before anything is counted: a team
   * model_alias becomes its target, the name must be served (exactly or by a wildcard entry)
   * and the key must be allowed the resolved name (wildcards in its lists included).
   */
  admit(asked: string, snap: Pick<KeySnapshot, 'allowedModels' | 'modelAliases'>): string {
    const target = Object.hasOwn(snap.modelAliases, asked) ? snap.modelAliases[asked] : undefined;
    const model = typeof target === 'string' ? target : asked;
    if (!this.groupOf(model))
      throw gwError(400, 'invalid_request_error', `Invalid model name passed in model=${asked}. Call /v1/models for the models this key may use.`, 'model');
    if (snap.allowedModels && !coveredBy(snap.allowedModels, model))
      throw gwError(403, 'key_model_access_denied', `key not allowed to access model. This key can only access models=${JSON.stringify([...snap.allowedModels])}. Tried to access ${asked}`, 'model');
    return model;
  }

  /** The most output tokens one call of this model can produce, when every deployment says. */
  maxOutputTokens(name: string): number | null {
    const g = this.groupOf(name);
    return g === null ? null : (this.maxOutputs.get(g) ?? null);
  }

  /** A deployment by its id (where a stored Responses object lives). */
  deployment(id: string): Deployment | null {
    return this.byId.get(id) ?? null;
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.groupOf(name) !== null;
  }

  /** Every deployment, in model_list order (health checks, model info). */
  all(): readonly Deployment[] {
    return this.ordered;
  }

  /**
   * A wildcard entry's deployments for one concrete name: the part after the entry's prefix
   * is the upstream model name (`openrouter/*` + `openrouter/anthropic/x` → `anthropic/x`),
   * priced by the entry or else by the built-in table for that upstream name.
   */
  private forWildcard(pattern: string, name: string): Deployment[] {
    const rest = name.slice(pattern.length - 1);
    return this.byName.get(pattern)!.map((d) => ({ ...d, upstreamModel: rest, price: d.price ?? builtInPrice(rest) }));
  }

  /** Deployments of a model in a random order (load balancing by shuffle); failover walks this list. */
  pick(name: string): Deployment[] {
    const g = this.groupOf(name);
    if (g === null) return [];
    const list = g === name ? this.byName.get(name)! : this.forWildcard(g, name);
    if (list.length === 1) return list;
    const out = [...list];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** Price used for estimates: the highest among the model's deployments (estimates err high). */
  estimatePrice(name: string): Price | null {
    let p = this.estimates.get(name);
    if (p === undefined) {
      const g = this.groupOf(name);
      const list = g === null ? [] : g === name ? this.byName.get(name)! : this.forWildcard(g, name);
      const priced = list.map((d) => d.price).filter((x): x is Price => !!x);
      // a prompt written to a provider's cache may cost more than plain input: estimate with the higher
      p = priced.length
        ? { input: Math.max(...priced.map((x) => Math.max(x.input, x.cacheWrite ?? 0))), output: Math.max(...priced.map((x) => x.output)) }
        : null;
      // deployments never change after start: computed once per model name
      if (this.byName.has(name)) this.estimates.set(name, p);
    }
    return p;
  }
}
