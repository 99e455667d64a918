import type { FilterQuery } from '@mikro-orm/core';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { applyBudgetInput, readDuration } from '../budgets/budget.service.js';
import { badInput, conflict, notFound, unauthenticated } from '../common/errors.js';
import { displayKeyName, isSha256Hex, newId, newSecretKey, sha256 } from '../common/ids.js';
import { usdToNanos } from '../common/money.js';
import { paginate, type PageArgs } from '../common/pagination.js';
import { authorize, isAllowed, type Target } from '../permissions/authorize.js';
import { addDuration } from '../time/durations.js';
import { VirtualKey } from './key.entity.js';
import { nextRotation, readGrace, rotateHash } from './rotation.js';
import { resolveKeyParams, type KeyMode, type KeyParams } from './key.rules.js';

export interface KeyFilter {
  userId?: string | null;
  teamId?: string | null;
  keyAlias?: string | null;
}

export const keyTarget = (k: VirtualKey): Target => ({ kind: 'key', ownerId: k.user?.id ?? null, teamId: k.team?.id ?? null });

export const keySnapshot = (k: VirtualKey) => ({
  id: k.id,
  keyName: k.keyName,
  keyAlias: k.keyAlias,
  userId: k.user?.id ?? null,
  teamId: k.team?.id ?? null,
  models: k.models,
  maxBudget: k.maxBudget,
  softBudget: k.softBudget,
  budgetDuration: k.budgetDuration,
  expires: k.expiresAt?.toISOString() ?? null,
  tpmLimit: k.tpmLimit,
  rpmLimit: k.rpmLimit,
  maxParallelRequests: k.maxParallelRequests,
  metadata: k.metadata,
  blocked: k.blocked,
  rotatingUntil: k.previousTokenUntil?.toISOString() ?? null,
  autoRotate: k.autoRotate,
  rotationInterval: k.rotationInterval,
});

/** A key named by its secret (`sk-...`), its token hash, or its id. */
export async function findKeyByRef(ctx: Ctx, ref: string): Promise<VirtualKey> {
  const where: FilterQuery<VirtualKey> | null = ref.startsWith('sk-')
    ? { token: sha256(ref) }
    : isSha256Hex(ref)
      ? { token: ref.toLowerCase() }
      : /^[0-9a-f-]{36}$/i.test(ref)
        ? { id: ref.toLowerCase() }
        : null;
  const key = where && (await ctx.em.findOne(VirtualKey, where, { populate: ['user', 'team'] }));
  if (!key) throw notFound('Key not found.', 'key');
  return key;
}

/** A new secret; with a grace (ms) the previous one keeps working until then (keys/rotation.ts). */
export function setSecret(k: VirtualKey, graceMs: number | null = null): string {
  const secret = newSecretKey();
  if (k.token) rotateHash(k, sha256(secret), graceMs);
  else k.token = sha256(secret);
  k.keyName = displayKeyName(secret);
  return secret;
}

function applyValues(ctx: Ctx, k: VirtualKey, v: KeyParams) {
  const tz = ctx.app.settings.timezone;
  if (v.keyAlias !== undefined) k.keyAlias = v.keyAlias?.trim() || null;
  if (v.models !== undefined) k.models = v.models ?? [];
  if (v.metadata !== undefined) k.metadata = v.metadata ?? {};
  if (v.tpmLimit !== undefined) k.tpmLimit = v.tpmLimit;
  if (v.rpmLimit !== undefined) k.rpmLimit = v.rpmLimit;
  if (v.maxParallelRequests !== undefined) k.maxParallelRequests = v.maxParallelRequests;
  if (v.duration !== undefined) {
    const d = readDuration('duration', v.duration);
    k.expiresAt = d ? addDuration(new Date(), d, tz) : null;
  }
  applyBudgetInput(k.budget, v, tz);
  if (v.autoRotate !== undefined) k.autoRotate = v.autoRotate === true;
  if (v.rotationInterval !== undefined) k.rotationInterval = v.rotationInterval?.trim() || null;
  if (v.autoRotate !== undefined || v.rotationInterval !== undefined) {
    if (k.autoRotate && !k.rotationInterval) throw badInput('auto_rotate needs a rotation_interval (e.g. 30d).', 'rotationInterval');
    // a new schedule starts now; switching it off forgets it
    k.nextRotationAt = k.autoRotate && k.rotationInterval ? nextRotation(k.rotationInterval) : null;
  }
  if (v.spend !== undefined && v.spend !== null) k.budget.spend = usdToNanos(v.spend);
}

async function assertAliasFree(ctx: Ctx, alias: string | null | undefined, exceptId?: string) {
  if (!alias?.trim()) return;
  const other = await ctx.em.findOne(VirtualKey, { keyAlias: alias.trim() });
  if (other && other.id !== exceptId)
    throw conflict(`Key with alias '${alias}' already exists. Unique key aliases across all keys are required.`, 'keyAlias');
}

async function flushKey(ctx: Ctx) {
  try {
    await ctx.em.flush();
  } catch (e) {
    if (e instanceof UniqueConstraintViolationException) throw conflict('A key with this alias already exists.', 'keyAlias');
    throw e;
  }
}

/** Mints a key; the secret is returned here and never again. */
export async function generateKey(outer: Ctx, input: KeyParams, opts: { playground?: boolean } = {}): Promise<{ secret: string; key: VirtualKey }> {
  if (!outer.principal) throw unauthenticated();
  // one transaction: an owner created on the way (unknown user_id) goes if the key is refused
  return outer.em.transactional(async (em) => mintKey({ ...outer, em }, input, opts));
}

async function mintKey(ctx: Ctx, input: KeyParams, opts: { playground?: boolean }): Promise<{ secret: string; key: VirtualKey }> {
  const { values, owner, team } = await resolveKeyParams(ctx, 'generate', input);
  await assertAliasFree(ctx, values.keyAlias);
  const k = new VirtualKey();
  k.id = newId();
  k.user = owner;
  k.team = team;
  k.createdBy = ctx.principal?.userId ?? null;
  k.playground = opts.playground === true;
  const secret = setSecret(k);
  applyValues(ctx, k, values);
  ctx.em.persist(k);
  audit(ctx, 'key.generate', { type: 'key', id: k.id }, null, keySnapshot(k));
  await flushKey(ctx);
  return { secret, key: k };
}

async function keyForWrite(ctx: Ctx, ref: string, op: 'key.update' | 'key.delete' | 'key.block') {
  authorize(ctx.principal, op);
  const k = await findKeyByRef(ctx, ref);
  // a caller who may not even read the key learns nothing about it
  if (!isAllowed(ctx.principal, 'key.read', keyTarget(k))) throw notFound('Key not found.', 'key');
  authorize(ctx.principal, op, keyTarget(k));
  return k;
}

async function change(ctx: Ctx, mode: KeyMode, ref: string, input: KeyParams, opts: { gracePeriod?: string | null } = {}) {
  // checked before anything is read or written: a bad grace changes nothing
  const graceMs = mode === 'regenerate' ? readGrace(ctx, 'gracePeriod', opts.gracePeriod) : null;
  const k = await keyForWrite(ctx, ref, 'key.update');
  const before = keySnapshot(k);
  const { values, owner, team } = await resolveKeyParams(ctx, mode, input, k);
  await assertAliasFree(ctx, values.keyAlias, k.id);
  k.user = owner;
  k.team = team;
  applyValues(ctx, k, values);
  const secret = mode === 'regenerate' ? setSecret(k, graceMs) : null;
  audit(ctx, mode === 'regenerate' ? 'key.regenerate' : 'key.update', { type: 'key', id: k.id }, before, {
    ...keySnapshot(k),
    ...(mode === 'regenerate' ? { gracePeriod: opts.gracePeriod ?? null } : {}),
  });
  await flushKey(ctx);
  return { secret, key: k };
}

export const updateKey = async (ctx: Ctx, ref: string, input: KeyParams) => (await change(ctx, 'update', ref, input)).key;

/**
 * New secret, same id, spend, budget and blocked state; the old secret stops working at once,
 * or at the end of gracePeriod (bounded by general_settings.key_rotation_max_grace_period).
 */
export async function regenerateKey(ctx: Ctx, ref: string, input: KeyParams, opts: { gracePeriod?: string | null } = {}) {
  const { secret, key } = await change(ctx, 'regenerate', ref, input, opts);
  return { secret: secret!, key };
}

/** One key; callers outside this module delete through deleteKeys (all or nothing). */
async function deleteKey(ctx: Ctx, ref: string) {
  const k = await keyForWrite(ctx, ref, 'key.delete');
  audit(ctx, 'key.delete', { type: 'key', id: k.id }, keySnapshot(k), null);
  ctx.em.remove(k);
  await ctx.em.flush();
  return k;
}

/** A key by its exact alias, among the keys the caller may read (others are "not there"). */
async function findKeyByAlias(ctx: Ctx, alias: string): Promise<VirtualKey> {
  const k = await ctx.em.findOne(VirtualKey, { keyAlias: alias }, { populate: ['user', 'team'] });
  if (!k || !isAllowed(ctx.principal, 'key.read', keyTarget(k))) throw badInput(`No key with alias '${alias}'.`, 'keyAliases');
  return k;
}

/**
 * Deletes keys named by reference (secret, hash or id) and by alias, all or nothing: every
 * key must exist and be deletable by the caller, or none is deleted. GraphQL's deleteKey
 * and LiteLLM's /key/delete both come here.
 */
export async function deleteKeys(ctx: Ctx, names: { refs?: string[]; aliases?: string[] }): Promise<VirtualKey[]> {
  const refs = names.refs ?? [];
  const aliases = names.aliases ?? [];
  if (!refs.length && !aliases.length) throw badInput("At least one of 'keys' or 'keyAliases' must be provided.", 'keys');
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const ids = [...refs];
    for (const alias of aliases) ids.push((await findKeyByAlias(tx, alias)).id);
    const deleted: VirtualKey[] = [];
    for (const ref of ids) deleted.push(await deleteKey(tx, ref));
    return deleted;
  });
}

export async function setKeyBlocked(ctx: Ctx, ref: string, blocked: boolean) {
  const k = await keyForWrite(ctx, ref, 'key.block');
  const before = keySnapshot(k);
  k.blocked = blocked;
  audit(ctx, blocked ? 'key.block' : 'key.unblock', { type: 'key', id: k.id }, before, keySnapshot(k));
  await ctx.em.flush();
  return k;
}

/**
 * A member left a team: their keys of that team stop at once (blocked, audited, in the caller's
 * unit of work; the caller flushes). The caller has authorized the removal itself. Returns the
 * ids of the keys blocked, so the answer can say what happened to them.
 */
export async function blockKeysOfFormerMember(ctx: Ctx, teamId: string, userId: string): Promise<string[]> {
  const keys = await ctx.em.find(VirtualKey, { team: teamId, user: userId, blocked: false });
  for (const k of keys) {
    const before = keySnapshot(k);
    k.blocked = true;
    audit(ctx, 'key.block', { type: 'key', id: k.id }, before, { ...keySnapshot(k), reason: `owner ${userId} removed from team ${teamId}` });
  }
  return keys.map((k) => k.id);
}

export async function getKey(ctx: Ctx, ref: string) {
  authorize(ctx.principal, 'key.read');
  const k = await findKeyByRef(ctx, ref);
  if (!isAllowed(ctx.principal, 'key.read', keyTarget(k))) throw notFound('Key not found.', 'key');
  return k;
}

export const PLAYGROUND_KEY_DURATION = '15m';

/**
 * A personal key for the dashboard's Try it panel: the caller's own, for 15 minutes, left out
 * of key lists. Checked like generateKey (key_generation_settings.personal_key_generation,
 * required params, bounds), its calls count against the caller's personal budget like any
 * personal key's. Each person has ONE such key: a later call gives it a new secret and a new
 * 15 minutes (the previous secret stops at once) and deletes any other playground key of
 * theirs, so expired Try it keys never pile up, and usage shows one "Try it" row per person
 * whose name outlives every session.
 */
export async function generatePlaygroundKey(ctx: Ctx, input: { models?: string[] | null } = {}): Promise<{ secret: string; key: VirtualKey }> {
  authorize(ctx.principal, 'key.playground');
  const params: KeyParams = { duration: PLAYGROUND_KEY_DURATION, metadata: { purpose: 'playground' } };
  if (input.models?.length) params.models = input.models;
  const userId = ctx.principal?.userId;
  if (!userId || !(await ctx.em.count(VirtualKey, { user: userId, playground: true }))) return generateKey(ctx, params, { playground: true });
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const [k, ...older] = await em.find(VirtualKey, { user: userId, playground: true }, { orderBy: { createdAt: 'desc' } });
    const { values, owner, team } = await resolveKeyParams(tx, 'generate', params);
    const before = keySnapshot(k!);
    k!.user = owner;
    k!.team = team;
    applyValues(tx, k!, { ...values, models: values.models ?? [] });
    const secret = setSecret(k!);
    audit(tx, 'key.regenerate', { type: 'key', id: k!.id }, before, keySnapshot(k!));
    for (const o of older) {
      audit(tx, 'key.delete', { type: 'key', id: o.id }, keySnapshot(o), null);
      em.remove(o);
    }
    // the old secret's snapshot is dropped by the change events of this flush (db/change-events.ts)
    await flushKey(tx);
    return { secret, key: k! };
  });
}

/** The reach of key.read as a query filter. */
function scopeFilter(ctx: Ctx): FilterQuery<VirtualKey> | null {
  const reach = authorize(ctx.principal, 'key.read');
  if (reach.all) return null;
  const me = ctx.principal!.userId;
  const or: FilterQuery<VirtualKey>[] = [];
  if (reach.own && me) or.push({ user: me });
  if (reach.teams.length) or.push({ team: { $in: reach.teams } });
  if (reach.ownInTeams.length && me) or.push({ user: me, team: { $in: reach.ownInTeams } });
  return or.length ? { $or: or } : { id: null };
}

export async function listKeys(ctx: Ctx, filter: KeyFilter, page: PageArgs) {
  // playground keys are the dashboard's own plumbing, not keys people manage
  const and: FilterQuery<VirtualKey>[] = [{ playground: false }];
  const scope = scopeFilter(ctx);
  if (scope) and.push(scope);
  if (filter.userId) and.push({ user: filter.userId });
  if (filter.teamId) and.push({ team: filter.teamId });
  if (filter.keyAlias) and.push({ keyAlias: { $like: `%${filter.keyAlias.replace(/[%_]/g, '')}%` } });
  return paginate(ctx.em, VirtualKey, { $and: and }, page, { createdAt: 'desc', id: 'desc' }, ['user', 'team']);
}
