import { EventEmitter } from 'node:events';
import type { PurserConfig } from '../config/index.js';
import { isWildcard } from '../models/model-names.js';
import { redactUrls } from '../settings/redact.js';
import type { Deployment, Router } from './deployments.js';
import type { CallSignal, Provider } from './providers/types.js';

/**
 * LiteLLM's `GET /health`: one real minimal call per deployment (a mock_response entry answers
 * itself), reported as healthy_endpoints / unhealthy_endpoints with counts. An endpoint is
 * named by its public litellm_params: never an API key, and an upstream error message has the
 * deployment's key and URL secrets masked. Wildcard entries (`openrouter/*`) name no concrete
 * model to call and are left out, as LiteLLM does.
 * With `general_settings.background_health_checks` the checks run every
 * `health_check_interval` seconds and /health answers from the last run.
 */

export interface HealthEndpoint {
  model_name: string;
  model: string;
  model_id: string;
  api_base?: string;
  error?: string;
}

export interface HealthReport {
  healthy_endpoints: HealthEndpoint[];
  unhealthy_endpoints: HealthEndpoint[];
  healthy_count: number;
  unhealthy_count: number;
  /** ours: when this run finished (ISO) */
  checked_at: string;
}

/** No caller can go away from a health check: a signal that never fires. */
class NeverAbort extends EventEmitter implements CallSignal {
  readonly aborted = false;
  readonly reason: unknown = undefined;
}

/** Most a single check may take, whatever the deployment's own timeout. */
const CHECK_TIMEOUT_MS = 60_000;

function masked(message: string, d: Deployment): string {
  let out = message;
  if (d.apiKey && d.apiKey.length >= 4) out = out.split(d.apiKey).join('***');
  return redactUrls(out).slice(0, 500);
}

export class HealthChecker {
  private last: HealthReport | null = null;
  private running: Promise<HealthReport> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly config: PurserConfig,
    private readonly router: Router,
    private readonly providers: Record<Deployment['kind'], Provider>,
    private readonly log: { warn(m: string): void },
  ) {}

  /** The answer for /health: the last background run when background checks are on, else a fresh run. */
  async report(): Promise<HealthReport> {
    if (this.timer && this.last) return this.last;
    return this.run();
  }

  /** One run over every deployment, concurrent; a run already in progress is shared. */
  run(): Promise<HealthReport> {
    this.running ??= this.checkAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async checkAll(): Promise<HealthReport> {
    const entries = this.config.model_list.map((m, i) => ({ m, d: this.router.all()[i]! })).filter(({ m }) => !isWildcard(m.model_name));
    const results = await Promise.all(entries.map(({ m, d }) => this.checkOne(m.model_name, m.litellm_params.model, d)));
    const healthy = results.filter((r) => r.error === undefined);
    const unhealthy = results.filter((r) => r.error !== undefined);
    this.last = {
      healthy_endpoints: healthy,
      unhealthy_endpoints: unhealthy,
      healthy_count: healthy.length,
      unhealthy_count: unhealthy.length,
      checked_at: new Date().toISOString(),
    };
    return this.last;
  }

  private async checkOne(modelName: string, model: string, d: Deployment): Promise<HealthEndpoint> {
    const endpoint: HealthEndpoint = { model_name: modelName, model, model_id: d.id, ...(d.kind !== 'mock' ? { api_base: redactUrls(d.apiBase) } : {}) };
    const deployment = { ...d, timeoutMs: Math.min(d.timeoutMs, CHECK_TIMEOUT_MS) };
    const embedding = d.mode === 'embedding';
    const body = embedding
      ? { model: d.upstreamModel, input: 'ping' }
      : { model: d.upstreamModel, messages: [{ role: 'user', content: 'ping' }], max_tokens: 1 };
    try {
      // an Anthropic deployment speaks Messages (the same body shape, max_tokens included)
      const path = embedding ? 'embeddings' : d.kind === 'anthropic' ? 'messages' : 'chat/completions';
      const r = await this.providers[d.kind].call({ deployment, endpoint: path, body, stream: false, signal: new NeverAbort() });
      if (r.kind === 'error') return { ...endpoint, error: masked(`${r.status}: ${r.message}`, d) };
      if (r.status >= 400) return { ...endpoint, error: `upstream answered ${r.status}` };
      return endpoint;
    } catch (e) {
      return { ...endpoint, error: masked((e as Error).message ?? 'health check failed', d) };
    }
  }

  /** Background checks every `seconds`, the first at once; timers never keep the process alive. */
  start(seconds: number): void {
    const tick = () =>
      void this.run().catch((e: Error) => this.log.warn(`background health check failed: ${e.message}`));
    tick();
    this.timer = setInterval(tick, seconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
