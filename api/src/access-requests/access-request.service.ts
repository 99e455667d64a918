import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/core';
import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { badInput, conflict, forbidden, notFound, unauthenticated } from '../common/errors.js';
import { newId } from '../common/ids.js';
import { MAX_USD, nanosToUsd, usdToNanos } from '../common/money.js';
import { paginate, type PageArgs } from '../common/pagination.js';
import { findKeyByRef, keyTarget, updateKey } from '../keys/key.service.js';
import { authorize, isAllowed, reachOf, type Target } from '../permissions/authorize.js';
import { addMember, findTeam } from '../teams/team.service.js';
import { addDuration, parseDuration } from '../time/durations.js';
import { accessRequestCreatedMail, accessRequestDecidedMail } from '../mail/templates.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { User } from '../users/user.entity.js';
import { updateUser } from '../users/user.service.js';
import { AccessRequest, type AccessRequestKind } from './access-request.entity.js';

export interface CreateAccessRequestParams {
  kind: AccessRequestKind;
  keyId?: string | null;
  teamId?: string | null;
  model?: string | null;
  /** USD */
  maxBudget?: number | null;
  rpmLimit?: number | null;
  tpmLimit?: number | null;
  reason?: string | null;
}

export interface AccessRequestFilter {
  status?: string | null;
  teamId?: string | null;
  requesterId?: string | null;
}

export const accessRequestSnapshot = (r: AccessRequest) => ({
  id: r.id,
  kind: r.kind,
  status: r.status,
  requesterId: r.requesterId,
  teamId: r.teamId,
  keyId: r.keyId,
  model: r.model,
  maxBudget: nanosToUsd(r.maxBudget),
  rpmLimit: r.rpmLimit,
  tpmLimit: r.tpmLimit,
  decidedBy: r.decidedBy,
  decisionReason: r.decisionReason,
});

/** Requests are scoped like keys: the requester owns them, their team's admins reach them. */
const targetOf = (r: AccessRequest): Target => ({ kind: 'key', ownerId: r.requesterId, teamId: r.teamId });

const ttl = (ctx: Ctx) => parseDuration(ctx.app.settings.config.general_settings.access_request_ttl ?? '14d');

function text(v: string | null | undefined, param: string, max = 1000): string | null {
  const t = v?.trim() || null;
  if (t && t.length > max) throw badInput(`${param} must be at most ${max} characters.`, param);
  return t;
}

function positiveInt(v: number | null | undefined, param: string): number | null {
  if (v === null || v === undefined) return null;
  if (!Number.isInteger(v) || v <= 0) throw badInput(`${param} must be a positive whole number.`, param);
  return v;
}

function budget(v: number | null | undefined): number | null {
  if (v === null || v === undefined) return null;
  if (!Number.isFinite(v) || v <= 0 || v > MAX_USD) throw badInput(`maxBudget must be more than 0 and at most ${MAX_USD} USD.`, 'maxBudget');
  return usdToNanos(v);
}

export async function createAccessRequest(ctx: Ctx, p: CreateAccessRequestParams): Promise<AccessRequest> {
  authorize(ctx.principal, 'access_request.create');
  const me = ctx.principal!.userId;
  if (!me) throw forbidden('Only a user may request access (a key without owner cannot).');
  const r = new AccessRequest();
  r.id = newId();
  r.kind = p.kind;
  r.requesterId = me;
  r.reason = text(p.reason, 'reason');
  if (p.kind === 'key_model' || p.kind === 'key_limit') {
    if (!p.keyId) throw badInput(`keyId is required for a ${p.kind.toUpperCase()} request.`, 'keyId');
    const k = await findKeyByRef(ctx, p.keyId);
    // only keys the requester may read: theirs, or their team's
    if (!isAllowed(ctx.principal, 'key.read', keyTarget(k))) throw notFound('Key not found.', 'keyId');
    r.keyId = k.id;
    r.teamId = k.team?.id ?? null;
    if (p.kind === 'key_model') {
      r.model = text(p.model, 'model', 256);
      if (!r.model) throw badInput('model is required for a KEY_MODEL request.', 'model');
      if (k.models.length === 0) throw badInput('This key already reaches every model its owner or team may use.', 'keyId');
      if (k.models.includes(r.model)) throw badInput(`The key already has model ${r.model}.`, 'model');
      r.dedupeKey = `key_model:${k.id}:${r.model}`;
    } else {
      r.maxBudget = budget(p.maxBudget);
      r.rpmLimit = positiveInt(p.rpmLimit, 'rpmLimit');
      r.tpmLimit = positiveInt(p.tpmLimit, 'tpmLimit');
      if (r.maxBudget === null && r.rpmLimit === null && r.tpmLimit === null)
        throw badInput('A KEY_LIMIT request needs maxBudget, rpmLimit or tpmLimit.', 'maxBudget');
      r.dedupeKey = `key_limit:${k.id}`;
    }
  } else if (p.kind === 'team_membership') {
    if (!p.teamId) throw badInput('teamId is required for a TEAM_MEMBERSHIP request.', 'teamId');
    const team = await findTeam(ctx, p.teamId);
    if (ctx.principal!.teams.has(team.id)) throw badInput(`You are already a member of team ${team.id}.`, 'teamId');
    r.teamId = team.id;
    r.dedupeKey = `team_membership:${team.id}:${me}`;
  } else if (p.kind === 'user_budget') {
    r.maxBudget = budget(p.maxBudget);
    if (r.maxBudget === null) throw badInput('maxBudget is required for a USER_BUDGET request.', 'maxBudget');
    r.dedupeKey = `user_budget:${me}`;
  } else {
    throw badInput('Unknown kind.', 'kind');
  }
  r.expiresAt = addDuration(new Date(), ttl(ctx));
  await clearExpiredDuplicate(ctx, r.dedupeKey);
  const existing = await ctx.em.findOne(AccessRequest, { dedupeKey: r.dedupeKey });
  if (existing) throw conflict(`A pending request for this already exists: ${existing.id}.`, 'kind');
  ctx.em.persist(r);
  audit(ctx, 'access_request.create', { type: 'access_request', id: r.id }, null, accessRequestSnapshot(r));
  try {
    await ctx.em.flush();
  } catch (e) {
    // a concurrent twin won the unique index
    if (e instanceof UniqueConstraintViolationException) throw conflict('A pending request for this already exists.', 'kind');
    throw e;
  }
  void notifyCreated(ctx, r).catch((e) => ctx.app.log.warn(`access request notice not sent: ${(e as Error).message}`));
  return r;
}

/** An expired pending request no longer blocks asking again. */
async function clearExpiredDuplicate(ctx: Ctx, dedupeKey: string | null) {
  if (!dedupeKey) return;
  const old = await ctx.em.findOne(AccessRequest, { dedupeKey });
  if (old && old.status === 'expired') {
    old.dedupeKey = null;
    await ctx.em.flush();
  }
}

async function findRequest(ctx: Ctx, id: string): Promise<AccessRequest> {
  const r = await ctx.em.findOne(AccessRequest, { id });
  // a request the caller may not read does not exist for them
  if (!r || !isAllowed(ctx.principal, 'access_request.read', targetOf(r))) throw notFound('Access request not found.', 'id');
  return r;
}

export const getAccessRequest = (ctx: Ctx, id: string) => findRequest(ctx, id);

function scopeWhere(ctx: Ctx): FilterQuery<AccessRequest> {
  const reach = authorize(ctx.principal, 'access_request.read');
  if (reach.all) return {};
  const or: FilterQuery<AccessRequest>[] = [];
  if (reach.own && ctx.principal?.userId) or.push({ requesterId: ctx.principal.userId });
  if (reach.teams.length) or.push({ teamId: { $in: reach.teams } });
  return or.length ? { $or: or } : { id: null as never };
}

export async function listAccessRequests(ctx: Ctx, f: AccessRequestFilter, page: PageArgs) {
  const where: FilterQuery<AccessRequest>[] = [scopeWhere(ctx)];
  if (f.teamId) where.push({ teamId: f.teamId });
  if (f.requesterId) where.push({ requesterId: f.requesterId });
  const now = new Date();
  if (f.status === 'pending') where.push({ state: 'pending', expiresAt: { $gt: now } });
  else if (f.status === 'expired') where.push({ state: 'pending', expiresAt: { $lte: now } });
  else if (f.status) where.push({ state: f.status as never });
  return paginate(ctx.em, AccessRequest, { $and: where }, page, { createdAt: 'desc', id: 'desc' });
}

/** Pending requests the caller may decide. */
export async function pendingAccessRequestCount(ctx: Ctx): Promise<number> {
  authorize(ctx.principal, 'access_request.read');
  const reach = reachOf(ctx.principal!, 'access_request.decide');
  const base = { state: 'pending', expiresAt: { $gt: new Date() } } as const;
  const mine = ctx.principal!.userId;
  if (reach.all) return ctx.em.count(AccessRequest, { ...base, ...(mine ? { requesterId: { $ne: mine } } : {}) });
  if (!reach.teams.length) return 0;
  return ctx.em.count(AccessRequest, { ...base, teamId: { $in: reach.teams }, ...(mine ? { requesterId: { $ne: mine } } : {}) });
}

async function pendingForDecision(ctx: Ctx, id: string): Promise<AccessRequest> {
  authorize(ctx.principal, 'access_request.decide');
  const r = await findRequest(ctx, id);
  if (r.requesterId === ctx.principal!.userId) throw forbidden('You cannot decide your own request; you may cancel it.');
  if (r.status === 'expired') throw badInput(`Request ${r.id} expired at ${r.expiresAt.toISOString()} and can no longer be decided.`, 'id');
  if (r.status !== 'pending') throw badInput(`Request ${r.id} is already ${r.status}.`, 'id');
  // a personal budget has no team: only a proxy_admin reaches it
  if (r.kind === 'user_budget' && !reachOf(ctx.principal!, 'access_request.decide').all)
    throw forbidden('Only a proxy_admin can approve or deny a personal budget request.');
  authorize(ctx.principal, 'access_request.decide', targetOf(r));
  return r;
}

function close(ctx: Ctx, r: AccessRequest, state: 'approved' | 'denied' | 'cancelled', reason: string | null) {
  r.state = state;
  r.dedupeKey = null;
  r.decidedBy = ctx.principal?.userId ?? null;
  r.decidedAt = new Date();
  r.decisionReason = reason;
}

/** Applies the request as the approver, through the ordinary services (their ceilings apply), in one transaction. */
export async function approveAccessRequest(outer: Ctx, id: string, reason?: string | null): Promise<AccessRequest> {
  if (!outer.principal) throw unauthenticated();
  const r = await outer.em.transactional(async (em) => {
    const ctx: Ctx = { ...outer, em };
    const r = await pendingForDecision(ctx, id);
    const before = accessRequestSnapshot(r);
    const why = text(reason, 'reason');
    if (r.kind === 'key_model') {
      const k = await findKeyByRef(ctx, r.keyId!);
      if (!k.models.includes(r.model!)) await updateKey(ctx, k.id, { models: [...k.models, r.model!] });
    } else if (r.kind === 'key_limit') {
      await updateKey(ctx, r.keyId!, {
        ...(r.maxBudget !== null ? { maxBudget: nanosToUsd(r.maxBudget) } : {}),
        ...(r.rpmLimit !== null ? { rpmLimit: r.rpmLimit } : {}),
        ...(r.tpmLimit !== null ? { tpmLimit: r.tpmLimit } : {}),
      });
    } else if (r.kind === 'team_membership') {
      await addMember(ctx, { teamId: r.teamId!, userId: r.requesterId, role: 'user' });
    } else {
      await updateUser(ctx, { userId: r.requesterId, maxBudget: nanosToUsd(r.maxBudget) });
    }
    close(ctx, r, 'approved', why);
    audit(ctx, 'access_request.approve', { type: 'access_request', id: r.id }, before, accessRequestSnapshot(r));
    await em.flush();
    return r;
  });
  void notifyDecided(outer, r).catch((e) => outer.app.log.warn(`access request notice not sent: ${(e as Error).message}`));
  return r;
}

export async function denyAccessRequest(ctx: Ctx, id: string, reason: string): Promise<AccessRequest> {
  const why = text(reason, 'reason');
  if (!why) throw badInput('reason is required when denying a request.', 'reason');
  const r = await pendingForDecision(ctx, id);
  const before = accessRequestSnapshot(r);
  close(ctx, r, 'denied', why);
  audit(ctx, 'access_request.deny', { type: 'access_request', id: r.id }, before, accessRequestSnapshot(r));
  await ctx.em.flush();
  void notifyDecided(ctx, r).catch((e) => ctx.app.log.warn(`access request notice not sent: ${(e as Error).message}`));
  return r;
}

export async function cancelAccessRequest(ctx: Ctx, id: string): Promise<AccessRequest> {
  authorize(ctx.principal, 'access_request.create');
  const r = await findRequest(ctx, id);
  if (r.requesterId !== ctx.principal!.userId) throw forbidden('Only the requester can cancel a request.');
  if (r.status !== 'pending') throw badInput(`Request ${r.id} is ${r.status}: only a pending request can be cancelled.`, 'id');
  const before = accessRequestSnapshot(r);
  close(ctx, r, 'cancelled', null);
  audit(ctx, 'access_request.cancel', { type: 'access_request', id: r.id }, before, accessRequestSnapshot(r));
  await ctx.em.flush();
  return r;
}


function describeAsk(r: AccessRequest): string {
  switch (r.kind) {
    case 'key_model':
      return `model ${r.model} on key ${r.keyId}`;
    case 'key_limit': {
      const parts = [
        r.maxBudget !== null ? `budget ${nanosToUsd(r.maxBudget)} USD` : null,
        r.rpmLimit !== null ? `${r.rpmLimit} rpm` : null,
        r.tpmLimit !== null ? `${r.tpmLimit} tpm` : null,
      ].filter(Boolean);
      return `${parts.join(', ')} on key ${r.keyId}`;
    }
    case 'team_membership':
      return `membership of team ${r.teamId}`;
    case 'user_budget':
      return `a personal budget of ${nanosToUsd(r.maxBudget)} USD`;
  }
}

const linkOf = (ctx: Ctx, r: AccessRequest) => `${ctx.app.settings.baseUrl}/ui/requests/${encodeURIComponent(r.id)}`;
const payloadOf = (r: AccessRequest, event: string) => ({ event, ...accessRequestSnapshot(r), at: new Date().toISOString() });

/** Best effort, like the other notices: the deciders (with an email) hear of a new request; the webhook gets it too. */
async function notifyCreated(ctx: Ctx, r: AccessRequest) {
  const sink = ctx.app.gateway?.alerts;
  if (!sink) return;
  const em = ctx.em.fork(); // the request's unit of work may be gone when this runs
  // a team's requests go to its admins; the rest (a personal budget) only a proxy_admin decides
  const deciders = r.teamId
    ? (await em.find(TeamMembership, { team: r.teamId, role: 'admin' }, { populate: ['user'] })).map((m) => m.user)
    : await em.find(User, { role: 'proxy_admin' });
  const to = deciders.filter((u) => u.id !== r.requesterId).map((u) => u.email).filter((e): e is string => !!e);
  const payload = payloadOf(r, 'access_request_created');
  if (!to.length) return sink.notice(null, payload);
  for (const [i, addr] of to.entries())
    await sink.notice(accessRequestCreatedMail(addr, { requester: r.requesterId, what: describeAsk(r), reason: r.reason, link: linkOf(ctx, r) }), i === 0 ? payload : null);
}

/** The requester hears of the decision (mail, when alerting has "email"), with the decider's reason. */
async function notifyDecided(ctx: Ctx, r: AccessRequest) {
  const sink = ctx.app.gateway?.alerts;
  if (!sink) return;
  const em = ctx.em.fork();
  const requester = await em.findOne(User, { id: r.requesterId });
  const decision = r.state === 'approved' ? 'approved' : 'denied';
  const mail = requester?.email
    ? accessRequestDecidedMail(requester.email, { what: describeAsk(r), decision, decider: r.decidedBy ?? 'an admin', reason: r.decisionReason, link: linkOf(ctx, r) })
    : null;
  await sink.notice(mail, payloadOf(r, `access_request_${decision}`));
}
