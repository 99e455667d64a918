import type { ModelEntry, PurserConfig } from '../config/index.js';
import type { Deployment } from '../gateway/deployments.js';
import { redactUrls } from '../settings/redact.js';
import { covers } from './model-names.js';

/**
 * LiteLLM's /model/info and /model_group/info answers, built from model_list and the router's
 * deployments. Never a secret: credential-looking litellm_params are left out and URLs lose
 * their userinfo and secret query parameters.
 */

const SECRET_PARAM = /(^|_)(key|secret|password|token|credential|credentials)$|^aws_|^vertex_credentials$/i;

/** Whether a caller allowed `allowed` (null = all) may see the model entry `name`. */
export function visibleModel(allowed: ReadonlySet<string> | null, name: string): boolean {
  if (!allowed) return true;
  for (const a of allowed) if (covers(a, name) || covers(name, a)) return true;
  return false;
}

export const providerOf = (model: string) => (model.includes('/') ? model.split('/')[0]! : 'openai');

function publicParams(lp: ModelEntry['litellm_params']): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(lp)) {
    if (SECRET_PARAM.test(k)) continue;
    out[k] = typeof v === 'string' ? redactUrls(v) : v;
  }
  return out;
}

export function modelInfoRow(m: ModelEntry, d: Deployment) {
  const mi = (m.model_info ?? {}) as Record<string, unknown>;
  return {
    model_name: m.model_name,
    litellm_params: publicParams(m.litellm_params),
    model_info: {
      ...Object.fromEntries(Object.entries(mi).filter(([k]) => !SECRET_PARAM.test(k))),
      id: d.id,
      db_model: false,
      key: d.upstreamModel,
      mode: d.mode,
      litellm_provider: providerOf(m.litellm_params.model),
      input_cost_per_token: d.price?.input ?? null,
      output_cost_per_token: d.price?.output ?? null,
      max_tokens: (mi.max_tokens as number | undefined) ?? d.maxOutputTokens,
      max_input_tokens: (mi.max_input_tokens as number | undefined) ?? null,
      max_output_tokens: d.maxOutputTokens,
    },
  };
}

/** One entry per model_list item the caller may see, in config order (`/model/info`). */
export function modelInfo(config: PurserConfig, deployments: readonly Deployment[], allowed: ReadonlySet<string> | null, id?: string) {
  return config.model_list
    .map((m, i) => ({ m, d: deployments[i]! }))
    .filter(({ m, d }) => visibleModel(allowed, m.model_name) && (id === undefined || d.id === id))
    .map(({ m, d }) => modelInfoRow(m, d));
}

/** One entry per model name the caller may see (`/model_group/info`). */
export function modelGroupInfo(config: PurserConfig, deployments: readonly Deployment[], allowed: ReadonlySet<string> | null, group?: string) {
  const groups = new Map<string, Array<{ m: ModelEntry; d: Deployment }>>();
  config.model_list.forEach((m, i) => {
    if (!visibleModel(allowed, m.model_name) || (group !== undefined && m.model_name !== group)) return;
    groups.set(m.model_name, [...(groups.get(m.model_name) ?? []), { m, d: deployments[i]! }]);
  });
  return [...groups].map(([name, list]) => {
    const max = (xs: Array<number | null | undefined>) => {
      const known = xs.filter((x): x is number => typeof x === 'number');
      return known.length ? Math.max(...known) : null;
    };
    const sum = (xs: Array<unknown>) => {
      const known = xs.filter((x): x is number => typeof x === 'number');
      return known.length ? known.reduce((a, b) => a + b, 0) : null;
    };
    return {
      model_group: name,
      providers: [...new Set(list.map(({ m }) => providerOf(m.litellm_params.model)))],
      mode: list[0]!.d.mode,
      max_input_tokens: max(list.map(({ m }) => (m.model_info as Record<string, number> | undefined)?.max_input_tokens)),
      max_output_tokens: max(list.map(({ d }) => d.maxOutputTokens)),
      input_cost_per_token: max(list.map(({ d }) => d.price?.input)),
      output_cost_per_token: max(list.map(({ d }) => d.price?.output)),
      tpm: sum(list.map(({ m }) => m.litellm_params.tpm)),
      rpm: sum(list.map(({ m }) => m.litellm_params.rpm)),
      is_public_model_group: false,
      supports_function_calling: false,
      supports_parallel_function_calling: false,
      supports_vision: false,
      supported_openai_params: null,
      configurable_clientside_auth_params: null,
    };
  });
}
