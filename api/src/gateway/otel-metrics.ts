import type { Attributes, Histogram } from '@opentelemetry/api';
import { PrometheusExporter, PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';

/** The GenAI semantic conventions' recommended bucket boundaries. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
const DURATION_BUCKETS = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const OTHER = 'other';

/**
 * OpenTelemetry GenAI client metrics (semantic conventions `gen_ai.client.token.usage`,
 * `gen_ai.client.operation.duration`) through the OpenTelemetry metrics SDK, read by its
 * Prometheus exporter in text form so /metrics serves them after the LiteLLM-named ones. The
 * exporter starts no server of its own. Labels are bounded: operation, model (at most
 * `maxModels` distinct names, later ones `other`), token type and error type (an HTTP status);
 * never a user, key or email.
 */
export class GenAiMetrics {
  private readonly exporter = new PrometheusExporter({ preventServerStart: true });
  private readonly provider: MeterProvider;
  private readonly tokens: Histogram;
  private readonly duration: Histogram;
  private readonly serializer = new PrometheusSerializer('', false);
  private readonly models = new Set<string>();

  constructor(private readonly maxModels = 200) {
    this.provider = new MeterProvider({ readers: [this.exporter] });
    const meter = this.provider.getMeter('purser-gateway');
    this.tokens = meter.createHistogram('gen_ai.client.token.usage', {
      description: 'Number of input and output tokens used',
      unit: '{token}',
      advice: { explicitBucketBoundaries: TOKEN_BUCKETS },
    });
    this.duration = meter.createHistogram('gen_ai.client.operation.duration', {
      description: 'GenAI operation duration',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  }

  /** One finished call: its tokens (when it had any) and its duration. */
  observe(o: { callType: string; model: string; status: number; promptTokens: number; completionTokens: number; seconds: number }) {
    const attrs: Attributes = { 'gen_ai.operation.name': o.callType === 'embedding' ? 'embeddings' : 'chat', 'gen_ai.request.model': this.modelLabel(o.model) };
    if (o.promptTokens > 0) this.tokens.record(o.promptTokens, { ...attrs, 'gen_ai.token.type': 'input' });
    if (o.completionTokens > 0) this.tokens.record(o.completionTokens, { ...attrs, 'gen_ai.token.type': 'output' });
    this.duration.record(Math.max(0, o.seconds), o.status >= 400 ? { ...attrs, 'error.type': String(o.status) } : attrs);
  }

  private modelLabel(model: string): string {
    if (this.models.has(model)) return model;
    if (this.models.size >= this.maxModels || model.length > 256) return OTHER;
    this.models.add(model);
    return model;
  }

  /** The Prometheus text of the OTel metrics. */
  async text(): Promise<string> {
    const { resourceMetrics } = await this.exporter.collect();
    return this.serializer.serialize(resourceMetrics);
  }

  async close(): Promise<void> {
    await this.provider.shutdown();
  }
}
