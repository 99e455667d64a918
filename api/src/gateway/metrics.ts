import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { nanosToUsd } from '../common/money.js';
import { GenAiMetrics } from './otel-metrics.js';

type Labels = Record<string, string>;

/**
 * The running totals of one label set (key, alias, team, user, end user, model). The hot path
 * only adds numbers here; the prom-client counters are rebuilt from these totals when
 * /metrics is scraped (prom-client hashes and validates labels on every inc, several µs each).
 */
interface Series {
  /** { hashed_api_key, api_key_alias, team, user, end_user } */
  withUser: Labels;
  /** { hashed_api_key, api_key_alias, team, user, model }: cache counters and the latency histogram */
  baseModel: Labels;
  /** { model_group, hashed_api_key, api_key_alias }: the overhead histogram */
  overheadLabels: Labels;
  model: string;
  /** status code → requests */
  requests: Map<string, number>;
  /** status code → failed requests */
  failures: Map<string, number>;
  spendNanos: number;
  /** some call had tokens (the token counters exist, even at 0) */
  tokensSeen: boolean;
  promptTokens: number;
  completionTokens: number;
  cacheHits: number;
  /** some cache hit had tokens */
  cachedTokensSeen: boolean;
  cachedTokens: number;
}

export interface MetricsOptions {
  /** put user ids and end-user values into the `user` / `end_user` labels (off: they stay empty) */
  userLabels: boolean;
  /** most label sets kept per metric; later ones are counted in one `other` series */
  maxSeries: number;
}

/** The longest label value kept (as spend logs keep end users): a client's `user` is hostile. */
const MAX_LABEL = 256;
const OTHER = 'other';
const cut = (v: string) => (v.length > MAX_LABEL ? v.slice(0, MAX_LABEL) : v);

/**
 * Prometheus metrics under LiteLLM's names, as LiteLLM exposes them (counters end in _total).
 * One registry per server, so several servers in one process (tests) never collide. Label sets
 * are capped (`maxSeries`): a client cannot grow memory or the scrape by sending new values.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  /** the OpenTelemetry GenAI metrics, served after these on /metrics */
  readonly genai = new GenAiMetrics();
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
  private readonly series = new Map<string, Series>();
  /** latest remaining budget per gauge label set */
  private readonly remainingValues = new Map<string, { gauge: Gauge; labels: Labels; usd: number }>();
  /** something changed since the counters were last rebuilt */
  private dirty = false;
  private readonly dropped: Counter;
  private droppedCount = 0;
  private readonly opts: MetricsOptions;

  constructor(opts: Partial<MetricsOptions> = {}) {
    this.opts = { userLabels: false, maxSeries: 10_000, ...opts };
    const r = [this.registry];
    // every counter and gauge is brought up to date from the running totals when scraped
    const collect = () => this.fold();
    const keyLabels = ['end_user', 'hashed_api_key', 'api_key_alias', 'requested_model', 'team', 'user'];
    this.requests = new Counter({ name: 'litellm_proxy_total_requests_metric_total', help: 'Total requests made to the proxy', labelNames: [...keyLabels, 'status_code'], registers: r, collect });
    this.failures = new Counter({ name: 'litellm_proxy_failed_requests_metric_total', help: 'Failed requests', labelNames: [...keyLabels, 'exception_status'], registers: r, collect });
    this.spend = new Counter({ name: 'litellm_spend_metric_total', help: 'Spend in USD', labelNames: ['end_user', 'hashed_api_key', 'api_key_alias', 'model', 'team', 'user'], registers: r, collect });
    this.totalTokens = new Counter({ name: 'litellm_total_tokens_metric_total', help: 'Input + output tokens', labelNames: ['end_user', 'hashed_api_key', 'api_key_alias', 'model', 'team', 'user'], registers: r, collect });
    this.inputTokens = new Counter({ name: 'litellm_input_tokens_metric_total', help: 'Input tokens', labelNames: ['end_user', 'hashed_api_key', 'api_key_alias', 'model', 'team', 'user'], registers: r, collect });
    this.outputTokens = new Counter({ name: 'litellm_output_tokens_metric_total', help: 'Output tokens', labelNames: ['end_user', 'hashed_api_key', 'api_key_alias', 'model', 'team', 'user'], registers: r, collect });
    this.cacheHits = new Counter({ name: 'litellm_cache_hits_metric_total', help: 'Response cache hits', labelNames: ['model', 'hashed_api_key', 'api_key_alias', 'team', 'user'], registers: r, collect });
    this.cachedTokens = new Counter({ name: 'litellm_cached_tokens_metric_total', help: 'Tokens served from the response cache', labelNames: ['model', 'hashed_api_key', 'api_key_alias', 'team', 'user'], registers: r, collect });
    this.remainingKeyBudget = new Gauge({ name: 'litellm_remaining_api_key_budget_metric', help: 'Remaining budget for an API key (USD)', labelNames: ['hashed_api_key', 'api_key_alias'], registers: r, collect });
    this.remainingTeamBudget = new Gauge({ name: 'litellm_remaining_team_budget_metric', help: 'Remaining budget for a team (USD)', labelNames: ['team', 'team_alias'], registers: r, collect });
    this.overhead = new Histogram({ name: 'litellm_overhead_latency_metric', help: 'Latency overhead (milliseconds) added by the proxy', labelNames: ['model_group', 'hashed_api_key', 'api_key_alias'], buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 25, 50, 100], registers: r });
    this.dropped = new Counter({ name: 'purser_metrics_series_dropped_total', help: 'Observations counted in the "other" series because the label-set cap (general_settings.metrics_max_series) was reached', registers: r, collect });
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
    /** nano-dollars */
    costNanos: number;
    promptTokens: number;
    completionTokens: number;
    cacheHit: boolean;
    overheadMs: number;
    totalSeconds: number;
    /** the dialect's call type (chat, embedding, messages, responses) */
    callType: string;
  }) {
    this.dirty = true;
    // response-cache hits never reached a model: only upstream calls are GenAI client operations
    if (!o.cacheHit)
      this.genai.observe({ callType: o.callType, model: o.model, status: o.status, promptTokens: o.promptTokens, completionTokens: o.completionTokens, seconds: o.totalSeconds });
    const user = this.opts.userLabels ? cut(o.user ?? '') : '';
    const endUser = this.opts.userLabels ? cut(o.endUser ?? '') : '';
    const s = this.seriesOf(o.token, cut(o.alias ?? ''), o.team ?? '', user, endUser, cut(o.model));
    const status = String(o.status);
    s.requests.set(status, (s.requests.get(status) ?? 0) + 1);
    if (o.status >= 400) s.failures.set(status, (s.failures.get(status) ?? 0) + 1);
    if (o.costNanos > 0) s.spendNanos += o.costNanos;
    const tokens = o.promptTokens + o.completionTokens;
    if (tokens > 0) {
      s.tokensSeen = true;
      s.promptTokens += o.promptTokens;
      s.completionTokens += o.completionTokens;
    }
    if (o.cacheHit) {
      s.cacheHits++;
      if (tokens > 0) {
        s.cachedTokensSeen = true;
        s.cachedTokens += tokens;
      }
    }
    this.overhead.observe(s.overheadLabels, o.overheadMs);
    this.latency.observe(s.baseModel, o.totalSeconds);
  }

  /** The Prometheus text of /metrics: LiteLLM's names, then the OpenTelemetry GenAI metrics. */
  async text(): Promise<string> {
    const [prom, otel] = await Promise.all([this.registry.metrics(), this.genai.text()]);
    return `${prom.endsWith('\n') ? prom : `${prom}\n`}${otel}`;
  }

  remaining(kind: 'key' | 'team', labels: { id: string; alias: string | null }, usd: number) {
    this.dirty = true;
    const alias = cut(labels.alias ?? '');
    const k = `${kind}\u0000${labels.id}\u0000${alias}`;
    const v = this.remainingValues.get(k);
    if (v) v.usd = usd;
    else if (this.remainingValues.size >= this.opts.maxSeries) this.droppedCount++;
    else
      this.remainingValues.set(k, {
        gauge: kind === 'key' ? this.remainingKeyBudget : this.remainingTeamBudget,
        labels: kind === 'key' ? { hashed_api_key: labels.id, api_key_alias: alias } : { team: labels.id, team_alias: alias },
        usd,
      });
  }

  private seriesOf(token: string, alias: string, team: string, user: string, endUser: string, model: string): Series {
    let k = `${token}\u0000${alias}\u0000${team}\u0000${user}\u0000${endUser}\u0000${model}`;
    let s = this.series.get(k);
    if (!s && this.series.size >= this.opts.maxSeries) {
      // over the cap: one shared series, every label "other"
      this.droppedCount++;
      token = alias = team = model = OTHER;
      user = endUser = this.opts.userLabels ? OTHER : '';
      k = OTHER;
      s = this.series.get(k);
    }
    if (!s) {
      // label objects keep the key order the exported lines have always had
      s = {
        withUser: { hashed_api_key: token, api_key_alias: alias, team, user, end_user: endUser },
        baseModel: { hashed_api_key: token, api_key_alias: alias, team, user, model },
        overheadLabels: { model_group: model, hashed_api_key: token, api_key_alias: alias },
        model,
        requests: new Map(),
        failures: new Map(),
        spendNanos: 0,
        tokensSeen: false,
        promptTokens: 0,
        completionTokens: 0,
        cacheHits: 0,
        cachedTokensSeen: false,
        cachedTokens: 0,
      };
      this.series.set(k, s);
    }
    return s;
  }

  /** Rebuilds the counters from the running totals and sets the gauges (on scrape; O(label sets)). */
  private fold() {
    // every counter's collect calls this: the first one of a scrape does the work
    if (!this.dirty) return;
    this.dirty = false;
    for (const c of [this.requests, this.failures, this.spend, this.totalTokens, this.inputTokens, this.outputTokens, this.cacheHits, this.cachedTokens]) c.reset();
    for (const s of this.series.values()) {
      for (const [status, n] of s.requests) this.requests.inc({ ...s.withUser, requested_model: s.model, status_code: status }, n);
      for (const [status, n] of s.failures) this.failures.inc({ ...s.withUser, requested_model: s.model, exception_status: status }, n);
      if (s.spendNanos > 0) this.spend.inc({ ...s.withUser, model: s.model }, nanosToUsd(s.spendNanos)!);
      if (s.tokensSeen) {
        const labels = { ...s.withUser, model: s.model };
        this.totalTokens.inc(labels, s.promptTokens + s.completionTokens);
        this.inputTokens.inc(labels, s.promptTokens);
        this.outputTokens.inc(labels, s.completionTokens);
      }
      if (s.cacheHits > 0) this.cacheHits.inc(s.baseModel, s.cacheHits);
      if (s.cachedTokensSeen) this.cachedTokens.inc(s.baseModel, s.cachedTokens);
    }
    for (const v of this.remainingValues.values()) v.gauge.set(v.labels, v.usd);
    this.dropped.reset();
    this.dropped.inc(this.droppedCount);
  }
}
