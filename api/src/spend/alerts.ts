import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from '../app/context.js';
import { nanosToUsd } from '../common/money.js';
import type { BudgetView } from '../budgets/counted.js';
import type { BudgetCounters } from '../budgets/ledger.js';
import type { AlertSink, AlertSubject } from '../budgets/ports.js';
import { budgetSubjectId } from '../budgets/ref.js';
import type { Mail, Mailer } from '../mail/mailer.js';
import { budgetAlertMail } from '../mail/templates.js';

export type AlertEvent = 'soft_budget_crossed' | 'budget_80_percent' | 'budget_exceeded';

/** The JSON body POSTed to WEBHOOK_URL (documented in the README; keep it stable). */
export interface BudgetAlertPayload {
  event: AlertEvent;
  budget: { type: BudgetView['kind']; id: string; label: string };
  spend: number;
  max_budget: number | null;
  soft_budget: number | null;
  budget_reset_at: string | null;
  key_alias: string | null;
  key_name: string;
  user_id: string | null;
  team_id: string | null;
  at: string;
}

/**
 * Budget alerts as LiteLLM configures them (general_settings.alerting: ["webhook"] and
 * WEBHOOK_URL): soft budget crossed, 80% of max, exceeded — each at most once per budget
 * window, remembered in the database so a restart does not repeat them.
 */
export class BudgetAlerts implements AlertSink {
  private readonly seen = new Set<string>();

  constructor(
    private readonly orm: MikroORM,
    private readonly webhookUrl: string | null,
    private readonly log: Logger,
    /** alerting: ["email"] with SMTP: the key owner gets the alert by mail */
    private readonly mailer: Mailer | null = null,
  ) {}

  get enabled(): boolean {
    return this.webhookUrl !== null || this.mailer !== null;
  }

  afterSpend(snap: AlertSubject, ledger: BudgetCounters): void {
    if (!this.enabled) return;
    for (const snapBudget of snap.budgets) {
      const spend = ledger.spendOf(snapBudget);
      // the ledger's window, not the snapshot's: a snapshot loaded before a reset is stale
      const b = { ...snapBudget, window: ledger.windowOf(snapBudget) };
      const events: AlertEvent[] = [];
      if (b.soft !== null && spend >= b.soft) events.push('soft_budget_crossed');
      if (b.max !== null && spend >= 0.8 * b.max) events.push('budget_80_percent');
      if (b.max !== null && spend >= b.max) events.push('budget_exceeded');
      for (const event of events) {
        const dedupe = `${b.id}|${b.window ?? 'none'}|${event}`;
        if (this.seen.has(dedupe)) continue;
        this.seen.add(dedupe);
        void this.send(b, event, spend, snap).catch((e) => this.log.warn(`budget alert not sent: ${(e as Error).message}`));
      }
    }
  }

  /** A one-off notice to an owner (mail, when alerting has "email") and to the webhook (payload null: mail only). */
  async notice(mail: Mail | null, payload: object | null): Promise<void> {
    if (this.mailer && mail) await this.mailer.send(mail).catch((e) => this.log.warn(`notice mail not sent: ${(e as Error).message}`));
    if (payload) await this.postWebhook(payload);
  }

  private async postWebhook(payload: object): Promise<void> {
    if (!this.webhookUrl) return;
    const res = await fetch(this.webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(10_000),
    });
    if (!res.ok) throw new Error(`webhook answered ${res.status}`);
  }

  private async send(b: BudgetView, event: AlertEvent, spend: number, snap: AlertSubject) {
    const knex = (this.orm.em as SqlEntityManager).getKnex();
    const inserted = await knex('budget_alerts')
      .insert({ budget: b.id, window: String(b.window ?? 'none'), event, at: new Date() })
      .onConflict(['budget', 'window', 'event'])
      .ignore()
      .returning('budget');
    if (!(inserted as unknown[]).length) return; // already sent in this window (before a restart)
    const payload: BudgetAlertPayload = {
      event,
      budget: { type: b.kind, id: budgetSubjectId(b.ref), label: b.label },
      spend: nanosToUsd(spend)!,
      max_budget: nanosToUsd(b.max),
      soft_budget: nanosToUsd(b.soft),
      budget_reset_at: b.window ? new Date(b.window).toISOString() : null,
      key_alias: snap.keyAlias,
      key_name: snap.keyName,
      user_id: snap.userId,
      team_id: snap.teamId,
      at: new Date().toISOString(),
    };
    if (this.mailer && snap.userEmail)
      await this.mailer.send(budgetAlertMail(snap.userEmail, payload)).catch((e) => this.log.warn(`budget alert mail not sent: ${(e as Error).message}`));
    await this.postWebhook(payload);
  }
}
