import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { Logger } from '../app/context.js';
import { nanosToUsd } from '../common/money.js';
import { VirtualKey } from '../keys/key.entity.js';
import type { NoticeSink } from '../keys/expiry-notices.js';
import { budgetRunwayMail } from '../mail/templates.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { Team } from '../teams/team.entity.js';
import { User } from '../users/user.entity.js';
import type { Budget } from './budget.embeddable.js';
import { trackedSpend } from './counted.js';
import { budgetId, budgetSubjectId, type BlockingRef } from './ref.js';
import { runwayOf } from './runway.js';

/** The webhook body of a runway warning (README "Spend, usage, alerts, metrics"; keep it stable). */
export interface BudgetRunwayPayload {
  event: 'budget_runway';
  budget: { type: BlockingRef['kind']; id: string; label: string };
  spend: number;
  max_budget: number;
  /** USD per day over the last 7 days and today */
  daily_rate: number;
  exhausted_at: string;
  days_left: number;
  budget_reset_at: string | null;
  /** the window the warning was for (general_settings.budget_runway_warning) */
  warning: string;
  at: string;
}

interface Candidate {
  ref: BlockingRef;
  label: string;
  budget: Budget;
  spend: number;
  /** who is told: the owner, or a team budget's team admins */
  to: string[];
}

/**
 * Warns when a budget will run out within general_settings.budget_runway_warning at its 7-day
 * spend rate, before its reset: by mail to the owner (a team budget's team admins) and to the
 * alert webhook (`event: "budget_runway"`), once per budget window. The claim is a
 * budget_alerts row (budget id, window, `budget_runway`), so restarts and other processes never
 * repeat one. Runs with the budget reset job (one process per database).
 */
export class BudgetRunwayNotices {
  constructor(
    private readonly orm: MikroORM,
    private readonly sink: NoticeSink,
    private readonly warning: { label: string; ms: number },
    private readonly log: Logger,
  ) {}

  private async candidates(em: SqlEntityManager): Promise<Candidate[]> {
    const withMax = { budget: { maxBudget: { $ne: null } } } as const;
    const out: Candidate[] = [];
    const keys = await em.find(VirtualKey, { ...withMax, blocked: false }, { populate: ['user'], limit: 10_000 });
    for (const k of keys) out.push({ ref: { kind: 'key', keyId: k.id }, label: k.keyAlias ? `key ${k.keyAlias}` : `key ${k.keyName}`, budget: k.budget, spend: k.budget.spend, to: k.user?.email ? [k.user.email] : [] });
    const users = await em.find(User, withMax, { limit: 10_000 });
    for (const u of users) out.push({ ref: { kind: 'user', userId: u.id }, label: `user ${u.id}`, budget: u.budget, spend: trackedSpend({ kind: 'user', userId: u.id }, u), to: u.email ? [u.email] : [] });
    const teams = await em.find(Team, { ...withMax, blocked: false }, { limit: 10_000 });
    for (const t of teams) {
      const admins = await em.find(TeamMembership, { team: t.id, role: 'admin' }, { populate: ['user'] });
      out.push({ ref: { kind: 'team', teamId: t.id }, label: `team ${t.id}`, budget: t.budget, spend: t.budget.spend, to: admins.map((m) => m.user.email).filter((e): e is string => !!e) });
    }
    const members = await em.find(TeamMembership, withMax, { populate: ['user'], limit: 10_000 });
    for (const m of members) {
      const ref = { kind: 'member' as const, teamId: m.team.id, userId: m.user.id };
      out.push({ ref, label: `member ${m.user.id} in team ${m.team.id}`, budget: m.budget, spend: m.budget.spend, to: m.user.email ? [m.user.email] : [] });
    }
    return out;
  }

  /** Sends what is due now; returns how many budgets were warned. */
  async run(now = new Date()): Promise<number> {
    if (!this.warning.ms || !this.sink.enabled) return 0;
    const em = this.orm.em.fork() as SqlEntityManager;
    const knex = em.getKnex();
    const t = now.getTime();
    let sent = 0;
    for (const c of await this.candidates(em)) {
      const resetAt = c.budget.budgetResetAt?.getTime() ?? null;
      const r = await runwayOf(em, c.ref, { max: c.budget.maxBudget, spend: c.spend, resetAt }, t);
      // an exhausted budget has its own alert (budget_exceeded); only a coming one is warned of
      if (r.status !== 'before_reset' || r.exhaustedAt === null || r.exhaustedAt - t > this.warning.ms) continue;
      const claimed = (await knex('budget_alerts')
        .insert({ budget: budgetId(c.ref), window: String(resetAt ?? 'none'), event: 'budget_runway', at: new Date() })
        .onConflict(['budget', 'window', 'event'])
        .ignore()
        .returning('budget')) as unknown[];
      if (!claimed.length) continue;
      const payload: BudgetRunwayPayload = {
        event: 'budget_runway',
        budget: { type: c.ref.kind, id: budgetSubjectId(c.ref), label: c.label },
        spend: nanosToUsd(c.spend)!,
        max_budget: nanosToUsd(c.budget.maxBudget)!,
        daily_rate: nanosToUsd(r.dailyRate)!,
        exhausted_at: new Date(r.exhaustedAt).toISOString(),
        days_left: r.daysLeft!,
        budget_reset_at: resetAt === null ? null : new Date(resetAt).toISOString(),
        warning: this.warning.label,
        at: now.toISOString(),
      };
      // the webhook once; the mail to each recipient
      const [first, ...rest] = c.to;
      const send = async () => {
        await this.sink.notice(first ? budgetRunwayMail(first, payload) : null, payload);
        for (const to of rest) await this.sink.notice(budgetRunwayMail(to, payload), null);
      };
      await send().catch((e) => this.log.warn(`budget runway notice not sent: ${(e as Error).message}`));
      sent++;
    }
    return sent;
  }
}
