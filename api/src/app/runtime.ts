import cluster from 'node:cluster';
import { join } from 'node:path';
import { ScheduledRotations } from '../keys/rotation.service.js';
import type { EventSubscriber, FlushEventArgs } from '@mikro-orm/core';
import { Gauge } from 'prom-client';
import type { App } from './context.js';
import { PgLeaderLock, RESET_JOB_LOCK, SOLE_LEADER } from '../db/leader.js';
import { dialectOf } from '../db/orm.js';
import { VirtualKey } from '../keys/key.entity.js';
import { trackedSpend } from '../budgets/counted.js';
import { BudgetLedger } from '../budgets/ledger.js';
import type { BlockingRef } from '../budgets/ref.js';
import { BudgetAlerts } from '../spend/alerts.js';
import { SpendRecorder } from '../spend/recorder.js';
import { BudgetResetJob } from '../spend/reset-job.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { Team } from '../teams/team.entity.js';
import { User } from '../users/user.entity.js';
import { Router } from '../gateway/deployments.js';
import { HealthChecker } from '../gateway/health.js';
import { Gateway } from '../gateway/gateway.js';
import type { KeyCache } from '../keys/key-cache.js';
import { KeyExpiryNotices, expiryWindows } from '../keys/expiry-notices.js';
import { BudgetRunwayNotices } from '../budgets/runway-notices.js';
import { CustomerCache } from '../gateway/customer-cache.js';
import { Customer } from '../customers/customer.entity.js';
import { Limiter } from '../gateway/limiter.js';
import { MemoryAdmission, type CallAdmission } from '../gateway/admission.js';
import { RedisAdmission } from '../gateway/admission-redis.js';
import type { BudgetCounters } from '../budgets/ledger.js';
import type { RateFigures } from '../budgets/limits.service.js';
import { Counter } from 'prom-client';
import { GatewayMetrics } from '../gateway/metrics.js';
import { MockProvider } from '../gateway/providers/mock.js';
import { AnthropicProvider } from '../gateway/providers/anthropic.js';
import { AzureProvider } from '../gateway/providers/azure.js';
import { UpstreamHttp } from '../gateway/providers/http.js';
import { OpenAIProvider } from '../gateway/providers/openai.js';
import { ResponseOwners } from '../gateway/response-owners.js';
import { Conversations } from '../gateway/conversations.js';
import { LocalResponseCache, type ResponseCache } from '../gateway/response-cache.js';
import { RedisResponseCache } from '../gateway/response-cache-redis.js';

/**
 * Everything the gateway keeps in memory, built once per server: the composition root that
 * wires the gateway to spend recording, resets and alerts (which meet only in budgets/).
 */
export interface GatewayRuntime {
  gateway: Gateway;
  router: Router;
  /** LiteLLM's /health checks (background runs when configured) */
  health: HealthChecker;
  keys: KeyCache;
  customers: CustomerCache;
  /** one decision per call: in process memory, or shared through Redis when it is configured */
  admission: CallAdmission;
  /** the budget figures admission decides on (this process's ledger, or Redis's counters) */
  ledger: BudgetCounters;
  /** the rate windows and parallel slots admission decides on */
  limiter: RateFigures;
  recorder: SpendRecorder;
  metrics: GatewayMetrics;
  resetJob: BudgetResetJob;
  alerts: BudgetAlerts;
  close(): Promise<void>;
}

export function createGatewayRuntime(app: App): GatewayRuntime {
  const { settings, orm, log } = app;
  const gs = settings.config.general_settings;
  const ls = settings.config.litellm_settings;
  const env = settings.env;
  const dialect = dialectOf(settings.databaseUrl);
  const router = new Router(settings.config);
  const keys = app.keys;
  const customers = new CustomerCache(orm, dialect);
  // a customer blocked or re-budgeted on any process is purged here too (db/change-events.ts)
  const unsubscribeCustomers = app.changes.subscribe((e) => customers.apply(e));
  const metrics = new GatewayMetrics({ userLabels: gs.metrics_user_labels, maxSeries: gs.metrics_max_series });
  // how many key snapshots this process holds: change events drop only the ones they name
  new Gauge({ name: 'purser_key_cache_entries', help: 'Key snapshots cached in this process', registers: [metrics.registry], collect() {
    this.set(keys.size);
  } });
  // without Redis everything stays in this process; with it, shared (and this process's as the fallback)
  const memory = new MemoryAdmission(new BudgetLedger(), new Limiter());
  let admission: CallAdmission = memory;
  if (app.redis) {
    const fallbacks = new Counter({ name: 'purser_redis_fallback_total', help: 'Calls admitted with this process’s own limits and budgets because Redis was away', registers: [metrics.registry] });
    admission = new RedisAdmission(app.redis, memory, log, {
      onReseed: () => keys.apply({ kind: 'all' }),
      // spend settled during the outage is in this process's queue: in the database before it seeds Redis
      beforeReseed: () => recorder.flush(),
      onFallback: () => fallbacks.inc(),
    });
  }
  const ledger = admission.ledger;
  const limiter = admission.limiter;
  const recorder = new SpendRecorder(orm, dialect, ledger, log, {
    intervalMs: Math.max(50, (gs.proxy_batch_write_at ?? 1) * 1000),
    maxRows: gs.spend_log_batch_max_rows ?? 1000,
    storePrompts: gs.store_prompts_in_spend_logs === true,
    disabled: gs.disable_spend_logs === true,
    // one file per worker: each replays only its own
    spill: app.dataDir
      ? { path: join(app.dataDir, cluster.isWorker ? `spend-spill-${cluster.worker!.id}.jsonl` : 'spend-spill.jsonl'), maxRows: gs.spend_spill_max_rows ?? 100_000 }
      : null,
    health: app.db,
  });
  new Gauge({ name: 'purser_database_up', help: 'Whether the database answered the last call made to it (1) or not (0)', registers: [metrics.registry], collect() {
    this.set(app.db.up ? 1 : 0);
  } });
  new Gauge({ name: 'purser_spend_spill_rows', help: 'Spend rows waiting in the local spill file for the database', registers: [metrics.registry], collect() {
    this.set(recorder.spillRows());
  } });
  const webhook = (gs.alerting ?? []).includes('webhook') ? (env.WEBHOOK_URL?.trim() || null) : null;
  if ((gs.alerting ?? []).includes('webhook') && !webhook) log.warn('general_settings.alerting has "webhook" but WEBHOOK_URL is not set: no budget alerts');
  const wantsMail = (gs.alerting ?? []).includes('email');
  if (wantsMail && !app.mailer) log.warn('general_settings.alerting has "email" but SMTP is not configured (SMTP_HOST...): no alert mail');
  const alerts = new BudgetAlerts(orm, webhook, log, wantsMail ? app.mailer : null);
  const cp = ls.cache_params;
  // type redis without a Redis is refused at start (bootstrap), so app.redis is set here
  const cache: ResponseCache | null =
    ls.cache !== true ? null
    : cp.type === 'redis' && app.redis ? new RedisResponseCache(app.redis, cp.ttl * 1000, cp.namespace ?? null, metrics.registry)
    : new LocalResponseCache(cp.ttl * 1000);
  const http = new UpstreamHttp();
  const conversations = new Conversations();
  const providers = { mock: new MockProvider(), openai: new OpenAIProvider(http), anthropic: new AnthropicProvider(http), azure: new AzureProvider(http) };
  const gateway = new Gateway({ settings, router, providers, keys, customers, admission, cache, recorder, metrics, alerts, owners: new ResponseOwners(), conversations });
  const health = new HealthChecker(settings.config, router, providers, log);
  const expiryNotices = new KeyExpiryNotices(orm, alerts, expiryWindows(gs.key_expiry_warnings), () => settings.baseUrl, log);
  const runwayNotices = new BudgetRunwayNotices(orm, alerts, expiryWindows([gs.budget_runway_warning])[0]!, log);
  const rotations = new ScheduledRotations(orm, app, alerts, log);
  const resetJob = new BudgetResetJob(orm, dialect, ledger, settings.timezone, log, {
    minSeconds: gs.proxy_budget_rescheduler_min_time ?? 597,
    maxSeconds: gs.proxy_budget_rescheduler_max_time ?? 605,
    retention: gs.maximum_spend_logs_retention_period ?? null,
    // every window moved: every process drops every snapshot
    afterReset: () => app.changes.publish({ kind: 'all' }),
    // one process per database resets budgets and prunes spend logs (README "Running at scale")
    duties: [
      { name: 'key expiry warnings', run: (now) => expiryNotices.run(now) },
      { name: 'budget runway warnings', run: (now) => runwayNotices.run(now) },
      { name: 'scheduled key rotation', run: (now) => rotations.run(now) },
    ],
    leader: dialect === 'postgresql' ? new PgLeaderLock(settings.databaseUrl, RESET_JOB_LOCK, 'budget reset job', log) : SOLE_LEADER,
  });

  // a changed spend or window is adopted (key snapshots are purged by change events: db/change-events.ts)
  const subscriber: EventSubscriber = {
    getSubscribedEntities: () => [VirtualKey, User, Team, TeamMembership],
    afterFlush(args: FlushEventArgs) {
      const sets = args.uow.getChangeSets();
      if (!sets.length) return;
      for (const cs of sets) {
        const e = cs.entity as VirtualKey | User | Team | TeamMembership;
        if (cs.type === 'delete' && e instanceof VirtualKey) conversations.forgetKey(e.token);
        if (cs.type !== 'update' || !('budget' in e)) continue;
        // only a write of a spend figure or a window is adopted: any other update (a sign-in's
        // timestamp, a key's models) carries the spend loaded with the entity, possibly older
        // than a flush since, which would rewind the counter (the shared one in Redis for all)
        if (!Object.keys(cs.payload).some((k) => k === 'budget_spend' || k === 'personalSpendNanos' || k.startsWith('budget_budgetReset'))) continue;
        const ref: BlockingRef | null =
          e instanceof VirtualKey ? { kind: 'key', keyId: e.id }
          : e instanceof Team ? { kind: 'team', teamId: e.id }
          : e instanceof User ? { kind: 'user', userId: e.id }
          : e instanceof TeamMembership ? { kind: 'member', teamId: e.team.id, userId: e.user.id }
          : null;
        if (ref) ledger.sync(ref, trackedSpend(ref, e), e.budget.budgetResetAt?.getTime() ?? null);
      }
    },
  };
  orm.em.getEventManager().registerSubscriber(subscriber);
  // a customer's corrected spend or new window is adopted (its cached snapshot is purged by its
  // change event); as for keys above, no other update (a block) may rewind the shared counter
  orm.em.getEventManager().registerSubscriber({
    getSubscribedEntities: () => [Customer],
    afterFlush(args: FlushEventArgs) {
      for (const cs of args.uow.getChangeSets())
        if (cs.type === 'update' && cs.entity instanceof Customer && Object.keys(cs.payload).some((k) => k === 'budget_spend' || k.startsWith('budget_budgetReset')))
          ledger.sync({ kind: 'customer', customerId: cs.entity.id }, cs.entity.budget.spend, cs.entity.budget.budgetResetAt?.getTime() ?? null);
    },
  } satisfies EventSubscriber);

  recorder.start();
  resetJob.start();
  if (gs.background_health_checks) health.start(gs.health_check_interval);
  return {
    gateway,
    router,
    health,
    keys,
    admission,
    customers,
    ledger,
    limiter,
    recorder,
    metrics,
    resetJob,
    alerts,
    async close() {
      unsubscribeCustomers();
      await resetJob.stop();
      health.stop();
      await recorder.stop();
      await http.close();
      await metrics.genai.close();
    },
  };
}
