import type { Ctx } from '../app/context.js';
import { newId } from '../common/ids.js';
import { AuditEntry } from './audit.entity.js';

/**
 * Records a management write in the caller's unit of work, so the entry and the change
 * are flushed in one transaction. Snapshots must already be free of secrets.
 */
export function audit(
  ctx: Ctx,
  action: string,
  target: { type: string; id: string },
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): void {
  const e = new AuditEntry();
  e.id = newId();
  e.actorId = ctx.principal?.userId ?? null;
  e.actorMethod = ctx.principal?.method ?? 'system';
  e.action = action;
  e.targetType = target.type;
  e.targetId = target.id;
  e.before = before;
  e.after = after;
  ctx.em.persist(e);
}
