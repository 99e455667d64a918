import type { ModelEntry, PurserConfig } from '../config/index.js';
import { builtInPrice, type Price } from './pricing.js';

export interface Deployment {
  /** model_info.id, or model_name#index */
  id: string;
  modelName: string;
  /** the model name sent upstream (`openai/` prefix removed) */
  upstreamModel: string;
  kind: 'mock' | 'openai';
  apiBase: string;
  apiKey: string | null;
  timeoutMs: number;
  mockResponse: string | null;
  price: Price | null;
  mode: 'chat' | 'embedding' | 'completion';
}

const DEFAULT_OPENAI_BASE = 'https://api.openai.com/v1';

function priceOf(m: ModelEntry): Price | null {
  const lp = m.litellm_params as Record<string, unknown>;
  const mi = (m.model_info ?? {}) as Record<string, unknown>;
  const builtIn = builtInPrice((mi.base_model as string | undefined) ?? m.litellm_params.model);
  const input = (mi.input_cost_per_token ?? lp.input_cost_per_token) as number | undefined;
  const output = (mi.output_cost_per_token ?? lp.output_cost_per_token) as number | undefined;
  if (input === undefined && output === undefined) return builtIn;
  return { input: input ?? builtIn?.input ?? 0, output: output ?? builtIn?.output ?? 0 };
}

/** model_list → deployments grouped by the model name clients send. */
export class Router {
  private readonly byName = new Map<string, Deployment[]>();
  private readonly estimates = new Map<string, Price | null>();

  constructor(config: PurserConfig) {
    config.model_list.forEach((m, i) => {
      const lp = m.litellm_params as Record<string, unknown>;
      const mi = (m.model_info ?? {}) as Record<string, unknown>;
      const model = m.litellm_params.model;
      const d: Deployment = {
        id: (mi.id as string | undefined) ?? `${m.model_name}#${i}`,
        modelName: m.model_name,
        upstreamModel: model.replace(/^(openai|azure|hosted_vllm|ollama_chat|openrouter|lm_studio|custom_openai)\//, ''),
        kind: typeof lp.mock_response === 'string' ? 'mock' : 'openai',
        apiBase: ((lp.api_base as string | undefined) ?? DEFAULT_OPENAI_BASE).replace(/\/+$/, ''),
        apiKey: (lp.api_key as string | undefined) ?? null,
        timeoutMs: ((lp.timeout as number | undefined) ?? 600) * 1000,
        mockResponse: (lp.mock_response as string | undefined) ?? null,
        price: priceOf(m),
        mode: ((mi.mode as Deployment['mode'] | undefined) ?? (/embed/i.test(model) ? 'embedding' : 'chat')),
      };
      this.byName.set(m.model_name, [...(this.byName.get(m.model_name) ?? []), d]);
    });
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Deployments of a model in a random order (load balancing by shuffle); failover walks this list. */
  pick(name: string): Deployment[] {
    const list = this.byName.get(name);
    if (!list) return [];
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
      const priced = (this.byName.get(name) ?? []).map((d) => d.price).filter((x): x is Price => !!x);
      p = priced.length ? { input: Math.max(...priced.map((x) => x.input)), output: Math.max(...priced.map((x) => x.output)) } : null;
      // deployments never change after start: computed once per model name
      if (this.byName.has(name)) this.estimates.set(name, p);
    }
    return p;
  }
}
