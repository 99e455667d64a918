import type { ChangeSet, EventSubscriber, FlushEventArgs, MikroORM, TransactionEventArgs } from '@mikro-orm/core';
import { Customer, NamedBudget } from '../customers/customer.entity.js';
import { VirtualKey } from '../keys/key.entity.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { Team } from '../teams/team.entity.js';
import { User } from '../users/user.entity.js';
import type { ChangeBus, ChangeEvent } from '../shared-state/events.js';

/**
 * User columns no cached key snapshot or Principal reads: writing only these (a sign-in's
 * lastSignInAt, a password change, a profile alias) purges nothing.
 */
const USER_FIELDS_NOT_CACHED = new Set(['lastSignInAt', 'passwordHash', 'alias', 'metadata', 'ssoId', 'updatedAt', 'createdAt']);

/** The change events one flushed change set stands for (none when it touches nothing cached). */
export function eventsOf(cs: ChangeSet<object>): ChangeEvent[] {
  const e = cs.entity;
  if (e instanceof VirtualKey) {
    const orig = cs.originalEntity as { token?: string; previousToken?: string | null } | undefined;
    // a regenerated key: the new hash's miss, and every hash it was known by (the old secret,
    // a grace period's previous one that just ended) lose their entries and misses
    const hashes = new Set([e.token, orig?.token, orig?.previousToken, e.previousToken].filter((h): h is string => !!h));
    return [...hashes].map((tokenHash) => ({ kind: 'key' as const, keyId: e.id, tokenHash }));
  }
  if (e instanceof User) {
    if (cs.type === 'update' && Object.keys(cs.payload ?? {}).every((f) => USER_FIELDS_NOT_CACHED.has(f))) return [];
    return [{ kind: 'user', userId: e.id }];
  }
  if (e instanceof Team) return [{ kind: 'team', teamId: e.id }];
  if (e instanceof TeamMembership) return [{ kind: 'membership', teamId: e.team.id, userId: e.user.id }];
  if (e instanceof Customer) return [{ kind: 'customer', customerId: e.id }];
  if (e instanceof NamedBudget) return [{ kind: 'namedBudget', budgetId: e.id }];
  return [];
}

type Trx = { isCompleted?: () => boolean };

/**
 * Turns every committed write to keys, users, teams, memberships, customers and named budgets into targeted change
 * events on the bus, whichever service made it (management API, SSO sync, invitations):
 * the write paths need not each remember to announce themselves. Events are published once
 * the data is committed, so a cache reloading at once reads the new rows: straight after a
 * flush outside a transaction, at the commit of the outermost transaction otherwise (a
 * rolled-back write publishes too; a needless purge only costs a reload).
 */
export function publishCommittedChanges(orm: MikroORM, bus: ChangeBus): void {
  const pending = new Map<Trx, ChangeEvent[]>();
  const settle = () => {
    for (const [trx, events] of pending) {
      if (trx.isCompleted && !trx.isCompleted()) continue;
      pending.delete(trx);
      for (const e of events) bus.publish(e);
    }
  };
  const subscriber: EventSubscriber = {
    getSubscribedEntities: () => [VirtualKey, User, Team, TeamMembership, Customer, NamedBudget],
    afterFlush(args: FlushEventArgs) {
      const events = args.uow.getChangeSets().flatMap((cs) => eventsOf(cs as ChangeSet<object>));
      if (!events.length) return;
      const trx = args.em.isInTransaction() ? (args.em.getTransactionContext() as Trx | undefined) : undefined;
      if (!trx) {
        for (const e of events) bus.publish(e);
        return;
      }
      const list = pending.get(trx);
      if (list) list.push(...events);
      else pending.set(trx, events);
    },
    afterTransactionCommit(_args: TransactionEventArgs) {
      settle();
    },
    afterTransactionRollback(_args: TransactionEventArgs) {
      settle();
    },
  };
  orm.em.getEventManager().registerSubscriber(subscriber);
}
