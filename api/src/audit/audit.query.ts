import type { FilterQuery } from '@mikro-orm/core';
import type { Ctx } from '../app/context.js';
import { paginate, type PageArgs } from '../common/pagination.js';
import { authorize } from '../permissions/authorize.js';
import { AuditEntry } from './audit.entity.js';

export async function listAudit(
  ctx: Ctx,
  f: { action?: string | null; targetType?: string | null; targetId?: string | null; actorId?: string | null },
  page: PageArgs,
) {
  authorize(ctx.principal, 'audit.read');
  const where: FilterQuery<AuditEntry> = {};
  if (f.action) where.action = f.action;
  if (f.targetType) where.targetType = f.targetType;
  if (f.targetId) where.targetId = f.targetId;
  if (f.actorId) where.actorId = f.actorId;
  return paginate(ctx.em, AuditEntry, where, page, { at: 'desc', id: 'desc' });
}
