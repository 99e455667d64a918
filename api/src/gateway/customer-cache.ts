import type { MikroORM } from '@mikro-orm/core';
import type { SqlEntityManager } from '@mikro-orm/knex';
import type { BudgetView } from '../budgets/counted.js';
import { budgetId, type BlockingRef } from '../budgets/ref.js';
import { Customer } from '../customers/customer.entity.js';
import { customerIdProblem } from '../customers/customer.service.js';
import { effectiveLimits } from '../customers/effective.js';
import type { Dialect } from '../db/orm.js';
import type { ChangeEvent } from '../shared-state/events.js';
import { gwError } from './errors.js';

/** What admission needs about the customer a call names (its `user`). Money in micro-dollars. */
export interface CustomerSnapshot {
  id: string;
  blocked: boolean;
  /** the customer's budget as the ledger checks it; max null = counted, never blocking */
  budget: BudgetView;
  rpmLimit: number | null;
  tpmLimit: number | null;
}

export function customerSnapshot(c: Customer): CustomerSnapshot {
  const e = effectiveLimits(c);
  const ref: BlockingRef = { kind: 'customer', customerId: c.id };
  return {
    id: c.id,
    blocked: c.blocked,
    budget: {
      kind: 'customer',
      ref,
      id: budgetId(ref),
      label: `customer ${c.id}`,
      max: e.maxBudget,
      soft: e.softBudget,
      window: c.budget.budgetResetAt?.getTime() ?? null,
      dbSpend: c.budget.spend,
    },
    rpmLimit: e.rpmLimit,
    tpmLimit: e.tpmLimit,
  };
}

/**
 * customer id → snapshot with a TTL, purged by the change events of customer and named-budget
 * writes and budget resets (db/change-events.ts), in every process sharing the bus. An unknown customer is created on its first call, as
 * LiteLLM upserts end users ("The customer_id will be upserted into the DB"): with a plain
 * insert that ignores a concurrent twin, so the ORM's flush events (which drop every cached
 * key snapshot) do not fire once per new end user.
 */
export class CustomerCache {
  private readonly hits = new Map<string, { snap: CustomerSnapshot; tier: string | null; until: number }>();
  private readonly loading = new Map<string, Promise<{ snap: CustomerSnapshot; tier: string | null }>>();
  private generation = 0;

  constructor(
    private readonly orm: MikroORM,
    private readonly dialect: Dialect,
    private readonly ttlMs = 60_000,
  ) {}

  /**
   * The customer a call names, or null when it names none. An invalid `user` is refused (400)
   * before anything is created; a blocked customer with LiteLLM's 400 and message.
   */
  async forCall(user: string | null): Promise<CustomerSnapshot | null> {
    if (user === null || user === '') return null;
    const problem = customerIdProblem(user);
    if (problem) throw gwError(400, 'invalid_request_error', `user (the customer id) ${problem}.`, 'user');
    const snap = await this.get(user);
    if (snap.blocked) throw gwError(400, 'invalid_request_error', `User blocked from making LLM API Calls. User=${user}`, 'user');
    return snap;
  }

  private get(id: string): Promise<CustomerSnapshot> {
    const hit = this.hits.get(id);
    if (hit && hit.until > Date.now()) return Promise.resolve(hit.snap);
    let p = this.loading.get(id);
    if (!p) {
      const gen = this.generation;
      p = this.load(id).then(
        (loaded) => {
          this.loading.delete(id);
          if (gen === this.generation) {
            if (this.hits.size > 100_000) this.hits.clear();
            this.hits.set(id, { ...loaded, until: Date.now() + this.ttlMs });
          }
          return loaded;
        },
        (e) => {
          this.loading.delete(id);
          throw e;
        },
      );
      this.loading.set(id, p);
    }
    return p.then((l) => l.snap);
  }

  /** Drops the snapshots a change can have made stale (a load under way is not kept either). */
  apply(e: ChangeEvent): void {
    if (e.kind === 'customer') {
      this.generation++;
      this.hits.delete(e.customerId);
    } else if (e.kind === 'namedBudget') {
      this.generation++;
      for (const [id, h] of this.hits) if (h.tier === e.budgetId) this.hits.delete(id);
    } else if (e.kind === 'all') this.invalidateAll();
  }

  invalidateAll(): void {
    this.generation++;
    this.hits.clear();
  }

  private async load(id: string): Promise<{ snap: CustomerSnapshot; tier: string | null }> {
    const em = this.orm.em.fork();
    let c = await em.findOne(Customer, { id }, { populate: ['tier'] });
    if (!c) {
      const now = this.dialect === 'sqlite' ? Date.now() : new Date();
      await (em as SqlEntityManager)
        .getKnex()('customers')
        .insert({ id, blocked: false, metadata: '{}', budget_spend: 0, created_at: now, updated_at: now })
        .onConflict('id')
        .ignore();
      c = await em.findOneOrFail(Customer, { id }, { populate: ['tier'] });
    }
    return { snap: customerSnapshot(c), tier: c.tier?.id ?? null };
  }
}
