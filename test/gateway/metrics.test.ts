/**
 * Pins GET /metrics (issue 3 "Usage over GraphQL and REST"): Prometheus text under LiteLLM's
 * metric names (counters ending in `_total`, the remaining-budget gauges, the overhead
 * histogram) with values equal to the calls made; a credential that may read all usage unless
 * `litellm_settings.require_auth_for_metrics_endpoint: false`; no user ids or end-user values in
 * labels unless `metrics_user_labels`; label sets capped by `metrics_max_series`; and the
 * `x-litellm-overhead-duration-ms` header on gateway responses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeUpstream, type FakeUpstream } from '../helpers/fake-upstream.js';
import { USAGE, admin, bearer, chat, mintKey, upstreamModel } from '../helpers/gateway.js';
import { MASTER_KEY } from '../helpers/server.js';
import { startServer, type TestServer } from '../helpers/server.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Prometheus text exposition → samples. */
function parseMetrics(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}

const total = (samples: Sample[], name: string, labels: Record<string, string>) =>
  samples.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v)).reduce((a, x) => a + x.value, 0);

let up: FakeUpstream;
let broken: FakeUpstream;
beforeAll(async () => {
  up = await startFakeUpstream({ usage: USAGE });
  broken = await startFakeUpstream({ failWith: 500 });
});
afterAll(async () => {
  await up?.close();
  await broken?.close();
});

describe('GET /metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startServer({
      model_list: [upstreamModel('m', up), upstreamModel('bad', broken)],
      litellm_settings: { cache: true, cache_params: { type: 'local', ttl: 600 } },
    });
  });
  afterAll(() => s?.close());

  it('exposes LiteLLM metric names with values matching the calls made', async () => {
    await admin(s, '/team/new', { team_id: 't-metrics', max_budget: 2 });
    const k = await mintKey(s, { key_alias: 'metrics-key', max_budget: 1, team_id: 't-metrics' });
    const responses = [
      await chat(s, k.key, { messages: [{ role: 'user', content: 'one' }], user: 'end-1' }),
      await chat(s, k.key, { messages: [{ role: 'user', content: 'two' }] }),
      await chat(s, k.key, { messages: [{ role: 'user', content: 'one' }], user: 'end-1' }), // cache hit
      await chat(s, k.key, { messages: [{ role: 'user', content: 'three' }], stream: true }),
      await chat(s, k.key, { model: 'bad', messages: [{ role: 'user', content: 'four' }] }),
    ];
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 500]);
    // the gateway's own time, on every kind of response (JSON, cache hit, SSE, upstream error)
    for (const r of responses) {
      const h = r.headers.get('x-litellm-overhead-duration-ms');
      expect(h).toMatch(/^\d+(\.\d+)?$/);
      expect(Number.isFinite(Number(h))).toBe(true);
    }

    const res = await fetch(`${s.url}/metrics`, { headers: bearer(MASTER_KEY) });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/plain/);
    const text = await res.text();
    for (const name of ['litellm_proxy_total_requests_metric_total', 'litellm_spend_metric_total', 'litellm_total_tokens_metric_total', 'litellm_cache_hits_metric_total'])
      expect(text).toContain(`# TYPE ${name} counter`);
    expect(text).toContain('# TYPE litellm_remaining_api_key_budget_metric gauge');
    expect(text).toContain('# TYPE litellm_overhead_latency_metric histogram');

    const m = parseMetrics(text);
    const mine = { hashed_api_key: k.token };
    expect(total(m, 'litellm_proxy_total_requests_metric_total', mine)).toBe(5);
    expect(total(m, 'litellm_proxy_total_requests_metric_total', { ...mine, status_code: '200' })).toBe(4);
    expect(total(m, 'litellm_proxy_total_requests_metric_total', { ...mine, status_code: '500' })).toBe(1);
    // user ids and end-user values stay out of labels by default
    expect(total(m, 'litellm_proxy_total_requests_metric_total', { ...mine, end_user: '', user: '', api_key_alias: 'metrics-key', team: 't-metrics', requested_model: 'm' })).toBe(4);
    expect(text).not.toContain('end-1');
    // three upstream calls at 0.05 USD; the cache hit costs nothing
    expect(total(m, 'litellm_spend_metric_total', mine)).toBeCloseTo(0.15, 9);
    // 30 tokens per answered call, the cache hit included (it returned 30 tokens' worth)
    expect(total(m, 'litellm_total_tokens_metric_total', mine)).toBe(120);
    expect(total(m, 'litellm_cache_hits_metric_total', mine)).toBe(1);
    expect(total(m, 'litellm_remaining_api_key_budget_metric', { ...mine, api_key_alias: 'metrics-key' })).toBeCloseTo(1 - 0.15, 9);
    expect(total(m, 'litellm_remaining_team_budget_metric', { team: 't-metrics' })).toBeCloseTo(2 - 0.15, 9);
    // one overhead observation per call, in milliseconds
    expect(total(m, 'litellm_overhead_latency_metric_count', mine)).toBe(5);
    expect(total(m, 'litellm_overhead_latency_metric_sum', mine)).toBeGreaterThanOrEqual(0);
    expect(total(m, 'litellm_overhead_latency_metric_bucket', { ...mine, le: '+Inf' })).toBe(5);
    expect(total(m, 'litellm_overhead_latency_metric_count', { ...mine, model_group: 'bad' })).toBe(1);
  });

  it('serves the OpenTelemetry GenAI metrics on the same endpoint, labelled by operation, model and token type only', async () => {
    const k = await mintKey(s, { user_id: 'otel-user@example.com' });
    expect((await chat(s, k.key, { messages: [{ role: 'user', content: 'otel one' }], user: 'otel-end' })).status).toBe(200);
    expect((await chat(s, k.key, { messages: [{ role: 'user', content: 'otel two' }], stream: true })).status).toBe(200);
    expect((await chat(s, k.key, { model: 'bad', messages: [{ role: 'user', content: 'otel three' }] })).status).toBe(500);
    const text = await (await fetch(`${s.url}/metrics`, { headers: bearer(MASTER_KEY) })).text();
    expect(text).toContain('# TYPE gen_ai_client_token_usage histogram');
    expect(text).toContain('# TYPE gen_ai_client_operation_duration histogram');
    // the LiteLLM names are still there, in the same text
    expect(text).toContain('# TYPE litellm_proxy_total_requests_metric_total counter');
    const m = parseMetrics(text).filter((x) => x.name.startsWith('gen_ai_'));
    const allowed = new Set(['gen_ai_operation_name', 'gen_ai_request_model', 'gen_ai_token_type', 'error_type', 'le', 'otel_scope_name', 'otel_scope_version', 'otel_scope_schema_url']);
    for (const x of m) for (const l of Object.keys(x.labels)) expect(allowed.has(l), `${x.name} label ${l}`).toBe(true);
    expect(text).not.toContain('otel-user@example.com');
    expect(text).not.toContain('otel-end');
    // LiteLLM's names carry the key hash (as LiteLLM does); the GenAI ones never do
    const genText = text.split('\n').filter((l) => l.startsWith('gen_ai_')).join('\n');
    expect(genText).not.toContain(k.token);
    const chatM = { gen_ai_operation_name: 'chat', gen_ai_request_model: 'm' };
    // every upstream call of the server so far (4 on 'm' in the test before, 2 here; the cache hit never reached a model)
    expect(total(m, 'gen_ai_client_token_usage_count', { ...chatM, gen_ai_token_type: 'input' })).toBe(5);
    expect(total(m, 'gen_ai_client_token_usage_sum', { ...chatM, gen_ai_token_type: 'output' })).toBe(5 * USAGE.completion_tokens);
    expect(total(m, 'gen_ai_client_operation_duration_count', chatM)).toBe(5);
    expect(total(m, 'gen_ai_client_operation_duration_count', { gen_ai_request_model: 'bad', error_type: '500' })).toBe(2);
  });

  it('needs a credential that may read all usage, unless require_auth_for_metrics_endpoint is false', async () => {
    await admin(s, '/user/new', { user_id: 'metrics-viewer', user_role: 'proxy_admin_viewer' });
    await admin(s, '/user/new', { user_id: 'metrics-user', user_role: 'internal_user' });
    const viewerKey = await mintKey(s, { user_id: 'metrics-viewer' });
    const userKey = await mintKey(s, { user_id: 'metrics-user' });
    const anonymous = await fetch(`${s.url}/metrics`);
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.type).toBe('auth_error');
    expect((await fetch(`${s.url}/metrics`, { headers: bearer('sk-not-a-real-key-00000000000') })).status).toBe(401);
    const own = await fetch(`${s.url}/metrics`, { headers: bearer(userKey.key) });
    expect(own.status).toBe(403);
    expect(((await own.json()) as any).error.message).toMatch(/read all usage/);
    const viewer = await fetch(`${s.url}/metrics`, { headers: bearer(viewerKey.key) });
    expect(viewer.status).toBe(200);
    expect(await viewer.text()).toContain('litellm_proxy_total_requests_metric_total');

    // true (LiteLLM's switch) means the same; false is the explicit opt-out for a scraper
    for (const [flag, status] of [[true, 401], [false, 200]] as const) {
      const other = await startServer({ litellm_settings: { require_auth_for_metrics_endpoint: flag } });
      try {
        expect((await fetch(`${other.url}/metrics`)).status, String(flag)).toBe(status);
      } finally {
        await other.close();
      }
    }
  });
});

describe('metrics cardinality', () => {
  it('a client cannot grow the series: values are cut to 256 characters and label sets are capped', { timeout: 60_000 }, async () => {
    const srv = await startServer({
      model_list: [upstreamModel('m', up)],
      general_settings: { metrics_user_labels: true, metrics_max_series: 5 },
    });
    try {
      const k = await mintKey(srv);
      // a `user` names a customer: longer than 255 characters it is refused before it counts anywhere
      expect((await chat(srv, k.key, { user: 'u'.repeat(200_000) })).status).toBe(400);
      const long = 'u'.repeat(250);
      for (let i = 0; i < 20; i++) expect((await chat(srv, k.key, { user: `${i}-${long}` })).status).toBe(200);
      const text = await (await fetch(`${srv.url}/metrics`, { headers: bearer(MASTER_KEY) })).text();
      // 20 distinct user values would be 20 series; the label sets are capped
      expect(text.length).toBeLessThan(100_000);
      const m = parseMetrics(text);
      const requests = m.filter((x) => x.name === 'litellm_proxy_total_requests_metric_total');
      expect(requests.every((x) => Object.values(x.labels).every((v) => v.length <= 256))).toBe(true);
      expect(requests.length).toBeLessThanOrEqual(6);
      expect(requests.reduce((a, x) => a + x.value, 0)).toBe(20);
      const other = requests.find((x) => x.labels.hashed_api_key === 'other')!;
      expect(other.labels.end_user).toBe('other');
      expect(total(m, 'purser_metrics_series_dropped_total', {})).toBe(other.value);
      expect(other.value).toBe(15);
    } finally {
      await srv.close();
    }
  });

  it('without metrics_user_labels, end-user values never become series', async () => {
    const srv = await startServer({ model_list: [upstreamModel('m', up)] });
    try {
      const k = await mintKey(srv);
      for (let i = 0; i < 10; i++) expect((await chat(srv, k.key, { user: `person-${i}@example.com` })).status).toBe(200);
      const text = await (await fetch(`${srv.url}/metrics`, { headers: bearer(MASTER_KEY) })).text();
      expect(text).not.toContain('@example.com');
      const requests = parseMetrics(text).filter((x) => x.name === 'litellm_proxy_total_requests_metric_total' && x.labels.hashed_api_key === k.token);
      expect(requests).toHaveLength(1);
      expect(requests[0]!.value).toBe(10);
    } finally {
      await srv.close();
    }
  });
});
