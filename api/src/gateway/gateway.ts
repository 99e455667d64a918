import type { FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import type { Settings } from '../app/settings.js';
import { apiKeyOf, KEY_REFUSED, snapshotOfSecret } from '../auth/credentials.js';
import { withCustomer } from '../budgets/counted.js';
import { budgetRefusalMessage, customerRefusalMessage, type LimitSpec } from '../budgets/explain.js';
import { AppError } from '../common/errors.js';
import { nanosToUsd } from '../common/money.js';
import type { AlertSink, SpendRow, SpendSink } from '../budgets/ports.js';
import type { Deployment, Router } from './deployments.js';
import type { CustomerCache } from './customer-cache.js';
import type { KeyCache, KeySnapshot } from '../keys/key-cache.js';
import { isRefusal, type CallAdmission, type Ticket } from './admission.js';
import type { GatewayMetrics } from './metrics.js';
import { messagesDialect } from './dialects/messages.js';
import { responsesDialect } from './dialects/responses.js';
import type { CallContext, Dialect, Translation } from './dialects/types.js';
import { gwError } from './errors.js';
import { costNanos, promptCacheSavedNanos, usageCostNanos, type Price, type TokenUsage } from './pricing.js';
import { reportedTokens } from './request-numbers.js';
import { chatCachedTokens } from './usage.js';
import type { CallSignal, Provider, UpstreamResult, Usage } from './providers/types.js';
import { cacheKey, cacheScopeOf, replayAsSse, type ResponseCache } from './response-cache.js';
import type { ResponseOwners } from './response-owners.js';
import type { Conversations } from './conversations.js';
import { MalformedUpstream, relayEvents, relayStream } from './stream.js';
import { tokensOfText } from './tokens.js';
import { usageOfAnswer } from './answer-usage.js';

export interface GatewayDeps {
  settings: Settings;
  router: Router;
  providers: Record<Deployment['kind'], Provider>;
  keys: KeyCache;
  /** the customers (LiteLLM end users) calls name as `user` */
  customers: CustomerCache;
  /** budgets, rate windows and parallel slots: one decision per call (admission.ts) */
  admission: CallAdmission;
  cache: ResponseCache | null;
  recorder: SpendSink;
  metrics: GatewayMetrics;
  alerts: AlertSink;
  /** which key created which stored Responses object */
  owners: ResponseOwners;
  /** Responses conversations kept for translated calls */
  conversations: Conversations;
}

/**
 * Stops the upstream call when the client goes away: the part of an AbortSignal that undici
 * (which takes an EventEmitter signal) and the stream relay use. A real AbortController plus
 * undici's `abort` listener costs over 10 µs per call in Node 20; this costs well under 1 µs.
 */
class CallAbort extends EventEmitter implements CallSignal {
  aborted = false;
  reason: unknown = undefined;

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('This operation was aborted', 'AbortError');
    this.emit('abort');
  }
}

/** Tokens of a finished call: the upstream's usage where it is sane, else counted from the text. */
function tokensUsed(usage: Usage | null | undefined, promptChars: number, answerChars: number): TokenUsage {
  const u = usage && typeof usage === 'object' ? usage : null;
  // a usage object without a field means 0 of it (embeddings report no completion tokens)
  const t: TokenUsage = {
    prompt: reportedTokens(u ? (u.prompt_tokens ?? 0) : undefined, tokensOfText(promptChars)),
    completion: reportedTokens(u ? (u.completion_tokens ?? 0) : undefined, tokensOfText(answerChars)),
    cacheRead: 0,
    cacheWrite: 0,
  };
  // the provider's prompt cache (OpenAI `prompt_tokens_details.cached_tokens`): part of the prompt, priced at the cache-read price
  if (u) t.cacheRead = Math.min(t.prompt, chatCachedTokens(u));
  return t;
}

/** A translated call's tokens: the usage its upstream reported, else counted from the text. */
const countedUsage = (usage: TokenUsage | null, promptChars: number, answerChars: number): TokenUsage =>
  usage ?? { prompt: tokensOfText(promptChars), completion: tokensOfText(answerChars), cacheRead: 0, cacheWrite: 0 };

/** One call through the gateway, from admission to the spend row. */
interface Call {
  id: string;
  start: Date;
  t0: number;
  snap: KeySnapshot;
  dialect: Dialect;
  model: string;
  body: Record<string, unknown>;
  /** protocol headers for the upstream (anthropic-version, anthropic-beta) */
  forward: Record<string, string> | undefined;
  ticket: Ticket;
  /** the customer the call names (its `user`), or null */
  customer: string | null;
  upstreamMs: number;
}

export class Gateway {
  constructor(private readonly d: GatewayDeps) {}

  /** The key from Authorization: Bearer, x-api-key, api-key or x-litellm-api-key (auth/credentials.ts); never cookies. */
  async authenticate(req: FastifyRequest): Promise<KeySnapshot> {
    const secret = apiKeyOf(req.headers);
    if (!secret) throw gwError(401, 'auth_error', 'No API key provided: send it as "Authorization: Bearer sk-...".');
    const snap = await snapshotOfSecret(this.d.keys, secret);
    if (snap === 'invalid') throw gwError(401, 'auth_error', KEY_REFUSED);
    if (snap === 'expired') throw gwError(401, 'expired_key', KEY_REFUSED);
    return snap;
  }

  /** Model names the key may call, in config order. */
  modelsFor(snap: KeySnapshot): string[] {
    return this.d.router.names().filter((m) => !snap.allowedModels || snap.allowedModels.has(m));
  }

  /** Authenticates, checks the body's shape and the model the key asks for: everything before admission. */
  async accept(req: FastifyRequest, dialect: Dialect) {
    const snap = await this.authenticate(req);
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw gwError(400, 'invalid_request_error', 'Request body must be a JSON object.');
    const asked = body.model;
    if (typeof asked !== 'string' || !asked) throw gwError(400, 'invalid_request_error', 'model is required.', 'model');
    const forward = dialect.validate(body, req.headers);
    let model: string;
    try {
      // team model_aliases, wildcard entries and the key's model lists (the Router decides)
      model = this.d.router.admit(asked, snap);
    } catch (e) {
      // Anthropic's clients expect an unknown model as a 404 not_found_error
      if (dialect.name === 'messages' && e instanceof AppError && e.status === 400) throw gwError(404, 'not_found_error', e.message, 'model');
      throw e;
    }
    return { snap, body, model, forward };
  }

  async handle(req: FastifyRequest, reply: FastifyReply, dialect: Dialect): Promise<void> {
    const t0 = performance.now();
    const start = new Date();
    const { snap, body, model, forward } = await this.accept(req, dialect);
    // spend that could not be kept would be lost: refuse rather than serve unrecorded (README "Running at scale")
    if (this.d.recorder.spillFull())
      throw new AppError('SERVICE_UNAVAILABLE', 'Spend cannot be recorded: the database is unreachable and the local spend spill is full (general_settings.spend_spill_max_rows). Try again shortly.', null, 'service_unavailable', { 'retry-after': '5' });

    // the estimate is what the call can cost at most: its prompt plus the most output it may produce
    const out = dialect.outputTokens(body, this.d.router.maxOutputTokens(model), this.d.settings.config.general_settings.default_max_tokens_estimate);
    const estimate = costNanos(this.d.router.estimatePrice(model), tokensOfText(dialect.promptChars(body)), out);

    // the customer the call names (`user`): created on first sight, refused when blocked
    const customer = await this.d.customers.forCall(dialect.endUser(body));
    const extraSpecs: LimitSpec[] =
      customer && (customer.rpmLimit !== null || customer.tpmLimit !== null) ? [{ scope: 'customer', id: `customer:${customer.id}`, rpm: customer.rpmLimit, tpm: customer.tpmLimit }] : [];
    // budgets (spend + in-flight estimates), then rpm / tpm windows and the parallel slot: one decision
    const admitted = await this.d.admission.admit({ ...snap, budgets: withCustomer(snap.budgets, customer?.budget ?? null), extraSpecs }, estimate);
    if (isRefusal(admitted)) {
      if (admitted.refused === 'rate') throw gwError(429, 'rate_limit_exceeded', admitted.limit.message, null, admitted.limit.headers);
      const b = admitted.budget;
      // a customer is refused with LiteLLM's end-user wording; the others name their budget
      const message = b.ref.kind === 'customer' ? customerRefusalMessage(b.ref.customerId, admitted.spend, b.max!) : budgetRefusalMessage(b.label, admitted.spend, b.max!);
      // in the dialect's own envelope: Responses gives it the code Codex shows (dialects/responses.ts)
      reply.status(429).header('x-should-retry', 'false').send(dialect.errorBody(429, 'budget_exceeded', message, null));
      return;
    }

    const call: Call = {
      id: randomUUID(),
      start,
      t0,
      snap,
      dialect,
      model,
      body,
      forward,
      ticket: admitted,
      customer: customer?.id ?? null,
      upstreamMs: 0,
    };
    for (const [k, v] of Object.entries(admitted.headers)) reply.header(k, v);
    reply.header('x-litellm-call-id', call.id);
    try {
      await this.serve(call, req, reply);
    } catch (e) {
      // an error before any byte went out: settle with no cost, record the failure
      this.finish(call, { status: e instanceof AppError ? e.status : 500, error: (e as Error).message });
      throw e;
    }
  }

  /**
   * POST /v1/messages/count_tokens: free, so no admission and no spend row. An `anthropic/`
   * deployment counts; for any other, the gateway's own estimate (characters / 4).
   */
  async countTokens(req: FastifyRequest, reply: FastifyReply): Promise<void> {
    const { body, model, forward } = await this.accept(req, messagesDialect);
    const d = this.d.router.pick(model).find((x) => x.kind === 'anthropic');
    if (!d) {
      reply.send({ input_tokens: tokensOfText(messagesDialect.promptChars(body)) });
      return;
    }
    const { cache: _cache, ...sent } = body;
    const r = await this.d.providers.anthropic.call({ deployment: d, endpoint: 'messages/count_tokens', body: { ...sent, model: d.upstreamModel }, stream: false, signal: new CallAbort(), forward });
    if (r.kind === 'error') {
      const status = r.status === 499 ? 400 : r.status;
      reply.status(status).send(messagesDialect.errorBody(status, r.type, r.message, r.code));
      return;
    }
    reply.status(r.status).header('content-type', 'application/json').send(r.kind === 'json' ? r.text : '{}');
  }

  /**
   * GET / DELETE /v1/responses/{id}: to the deployment that created it, for the key that
   * created it; for any other key the id does not exist.
   */
  async storedResponse(req: FastifyRequest, reply: FastifyReply, method: 'GET' | 'DELETE'): Promise<void> {
    const snap = await this.authenticate(req);
    const id = (req.params as { id: string }).id;
    const owner = /^[A-Za-z0-9_-]{1,256}$/.test(id) ? this.d.owners.deploymentFor(id, snap.token) : null;
    const d = owner ? this.d.router.deployment(owner) : null;
    if (!d) {
      // a response translated to Chat Completions: kept by Purser itself
      const kept = /^[A-Za-z0-9_-]{1,256}$/.test(id) ? this.d.conversations.response(id, snap.token) : null;
      if (!kept) throw gwError(404, 'invalid_request_error', `No response with id '${id.slice(0, 80)}' was created with this key (or it has expired).`, 'id');
      if (method === 'DELETE') this.d.conversations.forget(id, snap.token);
      reply.header('content-type', 'application/json').send(method === 'DELETE' ? JSON.stringify({ id, object: 'response', deleted: true }) : kept);
      return;
    }
    const r = await this.d.providers[d.kind].call({ deployment: d, endpoint: 'responses', method, suffix: `/${id}`, stream: false, signal: new CallAbort() });
    if (r.kind === 'error') {
      const status = r.status === 499 ? 400 : r.status;
      reply.status(status).send(responsesDialect.errorBody(status, r.type, r.message, r.code));
      return;
    }
    if (method === 'DELETE') this.d.owners.forget(id);
    reply.status(r.status).header('content-type', 'application/json').send(r.kind === 'json' ? r.text : '{}');
  }

  private async serve(call: Call, req: FastifyRequest, reply: FastifyReply) {
    const { body, dialect } = call;
    const stream = dialect.stream(body);
    const includeUsage = (body.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
    const cacheCfg = body.cache as Record<string, unknown> | undefined;
    // the response cache holds Chat Completions and Embeddings answers
    const useCache = this.d.cache && (dialect.name === 'chat' || dialect.name === 'embeddings') && !(cacheCfg && (cacheCfg['no-cache'] === true || cacheCfg.no_cache === true));
    const ck = useCache ? cacheKey(cacheScopeOf(this.d.settings.config.litellm_settings.cache_params.scope, call.snap), dialect.endpoint, body) : null;

    if (ck) {
      const hit = await this.d.cache!.get(ck);
      if (hit) {
        const usage = { prompt: hit.promptTokens, completion: hit.completionTokens, cacheRead: 0, cacheWrite: 0 };
        if (stream) {
          this.sendStreamHead(call, reply);
          for (const chunk of replayAsSse(hit.text, includeUsage)) reply.raw.write(chunk);
          reply.raw.end();
        } else {
          reply.header('x-litellm-overhead-duration-ms', this.overhead(call)).header('content-type', 'application/json').send(hit.text);
        }
        this.finish(call, { status: 200, usage, cost: 0, cacheHit: true, saved: hit.costNanos, deployment: 'cache' });
        return;
      }
    }

    // the upstream: shuffled deployments, failover on connection errors / 5xx before any byte is sent
    const abort = new CallAbort();
    const onClose = () => {
      if (!reply.raw.writableEnded) abort.abort();
    };
    req.raw.on('close', onClose);
    let result: UpstreamResult | null = null;
    let deployment: Deployment | null = null;
    let plan: Translation | null = null;
    const ctx: CallContext = { token: call.snap.token, conversations: this.d.conversations };
    const upstreamStart = performance.now();
    for (const d of this.d.router.pick(call.model)) {
      deployment = d;
      // the body without `cache` (a rest copy, not `delete`, which would slow JSON.stringify down)
      const { cache: _cache, ...sent } = body;
      plan = dialect.plan(d);
      if (plan) {
        result = await this.d.providers[d.kind].call({ deployment: d, endpoint: plan.endpoint, body: plan.request(sent, d, stream, ctx), stream, signal: abort, forward: call.forward });
      } else {
        // Chat Completions / Embeddings to an OpenAI-compatible upstream: the body as it came
        sent.model = d.upstreamModel;
        if (stream) sent.stream_options = { ...((body.stream_options as object) ?? {}), include_usage: true };
        result = await this.d.providers[d.kind].call({ deployment: d, endpoint: dialect.endpoint, body: sent, stream, signal: abort });
      }
      if (result.kind !== 'error' || !result.retryable) break;
    }
    call.upstreamMs = performance.now() - upstreamStart;
    const d = deployment!;
    if (!result || result.kind === 'error') {
      req.raw.off('close', onClose);
      const r = result as Extract<UpstreamResult, { kind: 'error' }>;
      this.finish(call, { status: r.status, error: r.message, deployment: d.id });
      const status = r.status === 499 ? 400 : r.status;
      reply.status(status).header('x-litellm-overhead-duration-ms', this.overhead(call)).send(dialect.errorBody(status, r.type, r.message, r.code));
      return;
    }
    if (plan) return this.serveTranslated(call, reply, d, plan, result, abort, () => req.raw.off('close', onClose), ck, ctx);
    if (result.kind === 'json') {
      req.raw.off('close', onClose);
      let usage: Usage | undefined;
      try {
        // only the usage member is parsed (the answer goes out as it came)
        usage = usageOfAnswer(result.text) as Usage | undefined;
      } catch {
        /* a non-JSON 200: pass it on, estimate */
      }
      const tokens = tokensUsed(usage, dialect.promptChars(body), result.text.length);
      const cost = usageCostNanos(d.price, tokens);
      reply.status(result.status).header('x-litellm-overhead-duration-ms', this.overhead(call)).header('content-type', 'application/json').send(result.text);
      if (ck && result.status === 200) this.d.cache!.set(ck, { text: result.text, promptTokens: tokens.prompt, completionTokens: tokens.completion, costNanos: cost });
      this.finish(call, { status: result.status, usage: tokens, cost, price: d.price, estimated: !usage, deployment: d.id, response: result.text });
      return;
    }
    // streaming: relay bytes as they come, pick the usage chunk out, stop the upstream if the client leaves
    this.sendStreamHead(call, reply);
    const out = await relayStream(result.chunks, reply.raw, { includeUsage, signal: abort });
    req.raw.off('close', onClose);
    const usage = tokensUsed(out.usage, dialect.promptChars(body), out.contentChars);
    const cost = usageCostNanos(d.price, usage);
    if (ck && out.complete && out.assembled)
      this.d.cache!.set(ck, { text: out.assembled, promptTokens: usage.prompt, completionTokens: usage.completion, costNanos: cost });
    this.finish(call, {
      status: out.complete ? 200 : 499,
      usage,
      cost,
      price: d.price,
      estimated: !out.usage,
      deployment: d.id,
      error: out.complete ? null : 'client disconnected during the stream',
      response: out.assembled,
    });
  }

  /**
   * A call whose answer goes through a Translation (another protocol, or a pass-through that
   * reads another protocol's usage). An answer the upstream's protocol does not allow is a
   * failed call: the client gets its dialect's error, nothing is charged.
   */
  private async serveTranslated(
    call: Call,
    reply: FastifyReply,
    d: Deployment,
    plan: Translation,
    result: Exclude<UpstreamResult, { kind: 'error' }>,
    abort: CallAbort,
    detach: () => void,
    ck: string | null,
    ctx: CallContext,
  ) {
    const { dialect, body } = call;
    if (result.kind === 'json') {
      detach();
      let answer;
      try {
        answer = plan.response(result.text, call.model, body, ctx);
      } catch (e) {
        if (!(e instanceof MalformedUpstream)) throw e;
        const message = `The upstream for deployment ${d.id} answered in a shape its protocol does not allow: ${e.message}.`;
        this.finish(call, { status: 502, error: message, deployment: d.id });
        reply.status(502).header('x-litellm-overhead-duration-ms', this.overhead(call)).send(dialect.errorBody(502, 'upstream_error', message, null));
        return;
      }
      const usage = countedUsage(answer.usage, dialect.promptChars(body), answer.text.length);
      const cost = usageCostNanos(d.price, usage);
      if (plan.stores && answer.id) this.d.owners.remember(answer.id, call.snap.token, d.id);
      reply.status(result.status).header('x-litellm-overhead-duration-ms', this.overhead(call)).header('content-type', 'application/json').send(answer.text);
      if (ck && result.status === 200) this.d.cache!.set(ck, { text: answer.text, promptTokens: usage.prompt, completionTokens: usage.completion, costNanos: cost });
      this.finish(call, { status: result.status, usage, cost, price: d.price, estimated: !answer.usage, deployment: d.id, response: answer.text });
      return;
    }
    const t = plan.stream(call.model, body, ctx);
    this.sendStreamHead(call, reply);
    const out = await relayEvents(result.chunks, reply.raw, t, abort);
    detach();
    const id = t.id?.();
    if (plan.stores && id) this.d.owners.remember(id, call.snap.token, d.id);
    if (out.broken) {
      this.finish(call, { status: 502, error: `The upstream for deployment ${d.id} sent a malformed stream: ${out.broken}.`, deployment: d.id });
      return;
    }
    const usage = countedUsage(t.usage(), dialect.promptChars(body), t.contentChars());
    this.finish(call, {
      status: out.complete ? 200 : 499,
      usage,
      cost: usageCostNanos(d.price, usage),
      price: d.price,
      estimated: !t.usage(),
      deployment: d.id,
      error: out.complete ? null : 'client disconnected during the stream',
    });
  }

  private sendStreamHead(call: Call, reply: FastifyReply) {
    reply.hijack();
    const headers: Record<string, string> = {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-litellm-overhead-duration-ms': this.overhead(call),
    };
    for (const [k, v] of Object.entries(reply.getHeaders())) if (typeof v === 'string') headers[k] = v;
    reply.raw.writeHead(200, headers);
  }

  private overhead(call: Call): string {
    return Math.max(0, performance.now() - call.t0 - call.upstreamMs).toFixed(3);
  }

  /** Settles the reservation, charges tokens, queues the spend row, updates metrics and alerts. */
  private finish(
    call: Call,
    o: { status: number; usage?: TokenUsage; cost?: number; price?: Price | null; cacheHit?: boolean; saved?: number; estimated?: boolean; deployment?: string; error?: string | null; response?: unknown },
  ) {
    const cost = o.cost ?? 0;
    const usage = o.usage ?? { prompt: 0, completion: 0, cacheRead: 0, cacheWrite: 0 };
    const snap = call.snap;
    const settled = this.d.admission.finish(call.ticket, cost, usage.prompt + usage.completion);
    const end = new Date();
    const ok = o.status < 400;
    const row: SpendRow = {
      requestId: call.id,
      keyToken: snap.token,
      keyId: snap.keyId,
      userId: snap.userId,
      teamId: snap.teamId,
      model: call.model,
      deployment: o.deployment ?? null,
      callType: call.dialect.callType,
      promptTokens: usage.prompt,
      completionTokens: usage.completion,
      cachedPromptTokens: usage.cacheRead,
      cacheWriteTokens: usage.cacheWrite,
      promptCacheSavedNanos: promptCacheSavedNanos(o.price ?? null, usage),
      costNanos: cost,
      cacheHit: o.cacheHit ?? false,
      savedNanos: o.saved ?? 0,
      status: ok ? 'success' : 'failure',
      httpStatus: o.status,
      error: o.error ?? null,
      estimated: o.estimated ?? false,
      unpriced: !this.d.router.estimatePrice(call.model),
      startTime: call.start,
      endTime: end,
      endUser: call.customer,
      request: call.body,
      response: o.response ?? null,
      budgets: call.ticket.charged,
      userWindow: snap.userWindow,
    };
    this.d.recorder.record(row);
    this.d.metrics.observe({
      token: snap.token,
      alias: snap.keyAlias,
      model: call.model,
      team: snap.teamId,
      user: snap.userId,
      endUser: row.endUser,
      status: o.status,
      costNanos: cost,
      promptTokens: usage.prompt,
      completionTokens: usage.completion,
      cacheHit: row.cacheHit,
      overheadMs: Math.max(0, performance.now() - call.t0 - call.upstreamMs),
      totalSeconds: (end.getTime() - call.start.getTime()) / 1000,
      callType: call.dialect.callType,
    });
    // shared admission settles over the network: gauges and alerts read the figures it answers
    if (settled) void settled.then(() => this.afterSettle(snap, cost));
    else this.afterSettle(snap, cost);
  }

  /** Remaining-budget gauges for the key and its team (when they have a max_budget); budget alerts. */
  private afterSettle(snap: KeySnapshot, cost: number) {
    const ledger = this.d.admission.ledger;
    for (const b of snap.budgets)
      if (b.max !== null && (b.kind === 'key' || b.kind === 'team'))
        this.d.metrics.remaining(b.kind, { id: b.kind === 'key' ? snap.token : snap.teamId!, alias: b.kind === 'key' ? snap.keyAlias : null }, nanosToUsd(b.max - ledger.spendOf(b))!);
    if (cost > 0) this.d.alerts.afterSpend(snap, ledger);
  }
}
