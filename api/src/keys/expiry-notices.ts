import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from '../app/context.js';
import { keyExpiryMail } from '../mail/templates.js';
import type { Mail } from '../mail/mailer.js';
import { durationSeconds, parseDuration } from '../time/durations.js';
import { VirtualKey } from './key.entity.js';

/** Where a notice goes: the owner's mail and the alert webhook (spend/alerts.ts BudgetAlerts.notice). */
export interface NoticeSink {
  /** false without alerting (no webhook, no mail): nothing is claimed, so nothing is lost */
  readonly enabled: boolean;
  /** payload null: the mail only (a further recipient of a notice already posted) */
  notice(mail: Mail | null, payload: object | null): Promise<void>;
}

/** `7d` → { label: '7d', ms }: the warnings, most distant first. */
export function expiryWindows(list: string[]): Array<{ label: string; ms: number }> {
  return list.map((label) => ({ label, ms: durationSeconds(parseDuration(label)) * 1000 })).sort((a, b) => b.ms - a.ms);
}

/**
 * Warns key owners before a key expires (general_settings.key_expiry_warnings, default 7 days
 * and 1 day before), by mail and the alert webhook, once per key, warning and expiry: the
 * key_notices table remembers what went out, so restarts and other processes never repeat one,
 * and a key whose expiry moves is warned again. A key first seen inside several windows gets
 * only the nearest warning. Runs with the budget reset job (one process per database).
 */
export class KeyExpiryNotices {
  constructor(
    private readonly orm: MikroORM,
    private readonly sink: NoticeSink,
    private readonly windows: Array<{ label: string; ms: number }>,
    private readonly baseUrl: () => string,
    private readonly log: Logger,
  ) {}

  /** Sends what is due now; returns how many warnings went out. */
  async run(now = new Date()): Promise<number> {
    if (!this.windows.length || !this.sink.enabled) return 0;
    const em = this.orm.em.fork();
    const horizon = new Date(now.getTime() + this.windows[0]!.ms);
    const keys = await em.find(VirtualKey, { expiresAt: { $gt: now, $lte: horizon }, blocked: false }, { populate: ['user'], limit: 10_000 });
    const knex = (em as SqlEntityManager).getKnex();
    let sent = 0;
    for (const k of keys) {
      const left = k.expiresAt!.getTime() - now.getTime();
      const due = this.windows.filter((w) => left <= w.ms);
      if (!due.length) continue;
      const expiresAt = k.expiresAt!.toISOString();
      // claim every due warning at once: the nearest is sent, the farther ones are moot
      const claimed = (await knex('key_notices')
        .insert(due.map((w) => ({ key_id: k.id, event: `expires_in_${w.label}`, expires_at: expiresAt, at: new Date() })))
        .onConflict(['key_id', 'event', 'expires_at'])
        .ignore()
        .returning('event')) as Array<{ event: string } | string>;
      const nearest = due.at(-1)!;
      const events = claimed.map((c) => (typeof c === 'string' ? c : c.event));
      if (!events.includes(`expires_in_${nearest.label}`)) continue;
      const payload = {
        event: 'key_expiring' as const,
        warning: nearest.label,
        key_id: k.id,
        key_alias: k.keyAlias,
        key_name: k.keyName,
        user_id: k.user?.id ?? null,
        team_id: k.team?.id ?? null,
        expires_at: expiresAt,
        at: now.toISOString(),
      };
      const to = k.user?.email ?? null;
      const dashboard = `${this.baseUrl()}/ui/keys/${encodeURIComponent(k.id)}`;
      await this.sink
        .notice(to ? keyExpiryMail(to, { ...payload, dashboard }) : null, payload)
        .catch((e) => this.log.warn(`key expiry notice not sent: ${(e as Error).message}`));
      sent++;
    }
    return sent;
  }
}
