import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics under LiteLLM's names, as LiteLLM exposes them (counters end in _total).
 * One registry per server, so several servers in one process (tests) never collide.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter;
  private readonly failures: Counter;
  private readonly spend: Counter;
  private readonly totalTokens: Counter;
  private readonly inputTokens: Counter;
  private readonly outputTokens: Counter;
  private readonly cacheHits: Counter;
  private readonly cachedTokens: Counter;
  private readonly remainingKeyBudget: Gauge;
  private readonly remainingTeamBudget: Gauge;
  private readonly overhead: Histogram;
  private readonly latency: Histogram;

  constructor() {
    const r = [this.registry];
    const keyLabels = ['end_user', 'hashed_api_key', 'api_key_alias', 'requested_model', 'team', 'user'];
    this.requests = new Counter({ name: 'litellm_proxy_total_requests_metric_total', help: 'Total requests made to the proxy', labelNames: [...keyLabels, 'status_code'], registers: r });
    this.failures = new Counter({ name: 'litellm_proxy_failed_requests_metric_total', help: 'Failed requests', labelNames: [...keyLabels, 'exception_status'], registers: r });
    this.spend = new Counter({ name: 'litellm_spend_metric_total', help: 'Spend in USD', labelNames: ['end_user', 'hashed_api_key', 'api_key_alias', 'model', 'team', 'user'], registers: r });
    this.totalTokens = new Counter({ name: 'litellm_total_tokens_metric_total', help: 'Input + output tokens', labelNames: ['end_user', 'hashed_api_key', 'api_key_alias', 'model', 'team', 'user'], registers: r });
    this.inputTokens = new Counter({ name: 'litellm_input_tokens_metric_total', help: 'Input tokens', labelNames: ['end_user', 'hashed_api_key', 'api_key_alias', 'model', 'team', 'user'], registers: r });
    this.outputTokens = new Counter({ name: 'litellm_output_tokens_metric_total', help: 'Output tokens', labelNames: ['end_user', 'hashed_api_key', 'api_key_alias', 'model', 'team', 'user'], registers: r });
    this.cacheHits = new Counter({ name: 'litellm_cache_hits_metric_total', help: 'Response cache hits', labelNames: ['model', 'hashed_api_key', 'api_key_alias', 'team', 'user'], registers: r });
    this.cachedTokens = new Counter({ name: 'litellm_cached_tokens_metric_total', help: 'Tokens served from the response cache', labelNames: ['model', 'hashed_api_key', 'api_key_alias', 'team', 'user'], registers: r });
    this.remainingKeyBudget = new Gauge({ name: 'litellm_remaining_api_key_budget_metric', help: 'Remaining budget for an API key (USD)', labelNames: ['hashed_api_key', 'api_key_alias'], registers: r });
    this.remainingTeamBudget = new Gauge({ name: 'litellm_remaining_team_budget_metric', help: 'Remaining budget for a team (USD)', labelNames: ['team', 'team_alias'], registers: r });
    this.overhead = new Histogram({ name: 'litellm_overhead_latency_metric', help: 'Latency overhead (milliseconds) added by the proxy', labelNames: ['model_group', 'hashed_api_key', 'api_key_alias'], buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100], registers: r });
    this.latency = new Histogram({ name: 'litellm_request_total_latency_metric', help: 'Total latency (seconds) of a request', labelNames: ['model', 'hashed_api_key', 'api_key_alias', 'team', 'user'], registers: r });
  }

  observe(o: {
    token: string;
    alias: string | null;
    model: string;
    team: string | null;
    user: string | null;
    endUser: string | null;
    status: number;
    costUsd: number;
    promptTokens: number;
    completionTokens: number;
    cacheHit: boolean;
    overheadMs: number;
    totalSeconds: number;
  }) {
    const base = { hashed_api_key: o.token, api_key_alias: o.alias ?? '', team: o.team ?? '', user: o.user ?? '' };
    const withUser = { ...base, end_user: o.endUser ?? '' };
    this.requests.inc({ ...withUser, requested_model: o.model, status_code: String(o.status) });
    if (o.status >= 400) this.failures.inc({ ...withUser, requested_model: o.model, exception_status: String(o.status) });
    if (o.costUsd > 0) this.spend.inc({ ...withUser, model: o.model }, o.costUsd);
    const tokens = o.promptTokens + o.completionTokens;
    if (tokens > 0) {
      this.totalTokens.inc({ ...withUser, model: o.model }, tokens);
      this.inputTokens.inc({ ...withUser, model: o.model }, o.promptTokens);
      this.outputTokens.inc({ ...withUser, model: o.model }, o.completionTokens);
    }
    if (o.cacheHit) {
      this.cacheHits.inc({ ...base, model: o.model });
      if (tokens > 0) this.cachedTokens.inc({ ...base, model: o.model }, tokens);
    }
    this.overhead.observe({ model_group: o.model, hashed_api_key: o.token, api_key_alias: o.alias ?? '' }, o.overheadMs);
    this.latency.observe({ ...base, model: o.model }, o.totalSeconds);
  }

  remaining(kind: 'key' | 'team', labels: { id: string; alias: string | null }, usd: number) {
    if (kind === 'key') this.remainingKeyBudget.set({ hashed_api_key: labels.id, api_key_alias: labels.alias ?? '' }, usd);
    else this.remainingTeamBudget.set({ team: labels.id, team_alias: labels.alias ?? '' }, usd);
  }
}
