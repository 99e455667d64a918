import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { DEFAULT_USER_ID } from '../auth/principal.js';
import { endSessionsOf } from '../auth/session.service.js';
import { AppError } from '../common/errors.js';
import { VirtualKey } from '../keys/key.entity.js';
import { keySnapshot } from '../keys/key.service.js';
import { authorize } from '../permissions/authorize.js';
import { User } from '../users/user.entity.js';
import { createUser, deleteUser, emailKey } from '../users/user.service.js';
import { userSnapshot } from '../users/user.snapshot.js';
import { fromAppError, scimBad, ScimError, scimNotFound } from './scim-errors.js';
import { ScimUser } from './scim-user.entity.js';

export const USER_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:User';

/** The fields of a SCIM User we read (everything else the IdP sends is ignored, as RFC 7643 allows). */
export interface ScimUserInput {
  userName: string;
  externalId: string | null;
  displayName: string | null;
  active: boolean;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const EMAIL = /^[^\s@\u0000-\u001f]+@[^\s@\u0000-\u001f]+\.[^\s@\u0000-\u001f]+$/;

function line(field: string, v: unknown, max: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw scimBad(`${field} must be a string.`);
  if (v.length > max) throw scimBad(`${field} is too long (at most ${max} characters).`);
  if (/[\u0000-\u001f\u007f]/.test(v)) throw scimBad(`${field} contains control characters.`);
  return v.trim() || null;
}

/** Entra sends booleans as "True"/"False" strings in PATCH values. */
function bool(field: string, v: unknown): boolean {
  if (v === undefined || v === null) return true;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
  throw scimBad(`${field} must be a boolean.`);
}

/** A SCIM User body → what we store; refuses what cannot be stored (400 invalidValue). */
export function readUserBody(body: unknown): ScimUserInput {
  if (!isObj(body)) throw scimBad('The body must be a SCIM User object.', 'invalidSyntax');
  const userName = line('userName', body.userName, 320);
  if (!userName) throw scimBad('userName is required.');
  // userName is the Purser email: Okta and Entra send the user's email / UPN
  if (!EMAIL.test(userName)) throw scimBad('userName must be an email address (it becomes the Purser account email).');
  const name = isObj(body.name) ? body.name : {};
  const formatted = line('name.formatted', name.formatted, 256);
  const given = line('name.givenName', name.givenName, 128);
  const family = line('name.familyName', name.familyName, 128);
  const displayName = line('displayName', body.displayName, 256) ?? formatted ?? ([given, family].filter(Boolean).join(' ') || null);
  return { userName, externalId: line('externalId', body.externalId, 256), displayName, active: bool('active', body.active) };
}

function location(ctx: Ctx, path: string) {
  return `${ctx.app.settings.baseUrl.replace(/\/$/, '')}/scim/v2/${path}`;
}

/** A Purser user as a SCIM User resource. */
export function toScimUser(ctx: Ctx, user: User, s: ScimUser | null) {
  return {
    schemas: [USER_SCHEMA],
    id: user.id,
    ...(s?.externalId ? { externalId: s.externalId } : {}),
    userName: user.email ?? user.id,
    name: { formatted: user.alias ?? '' },
    displayName: user.alias ?? '',
    active: s ? s.active : true,
    emails: user.email ? [{ value: user.email, type: 'work', primary: true }] : [],
    meta: {
      resourceType: 'User',
      created: user.createdAt.toISOString(),
      lastModified: user.updatedAt.toISOString(),
      location: location(ctx, `Users/${encodeURIComponent(user.id)}`),
    },
  };
}

/** Runs a service call, answering its typed errors in SCIM's shape. */
export async function scimCall<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AppError) throw fromAppError(e);
    throw e;
  }
}

async function findScimUser(ctx: Ctx, id: string): Promise<{ user: User; s: ScimUser | null }> {
  if (id.length > 128) throw scimNotFound(`User ${id} not found.`);
  const user = await ctx.em.findOne(User, { id });
  if (!user || user.id === DEFAULT_USER_ID) throw scimNotFound(`User ${id} not found.`);
  return { user, s: await ctx.em.findOne(ScimUser, { userId: id }) };
}

export async function getScimUser(ctx: Ctx, id: string) {
  authorize(ctx.principal, 'scim.provision');
  const { user, s } = await findScimUser(ctx, id);
  return toScimUser(ctx, user, s);
}

/** The filters Okta and Entra send: one `eq` on userName, externalId or id (RFC 7644 §3.4.2.2). */
export type UserFilter = { attr: 'userName' | 'externalId' | 'id'; value: string } | null;

export async function listScimUsers(ctx: Ctx, filter: UserFilter, startIndex: number, count: number) {
  authorize(ctx.principal, 'scim.provision');
  let where: Record<string, unknown> = { id: { $ne: DEFAULT_USER_ID } };
  if (filter?.attr === 'userName') where = { ...where, emailKey: emailKey(filter.value) };
  else if (filter?.attr === 'id') where = { $and: [where, { id: filter.value }] };
  else if (filter?.attr === 'externalId') {
    const rows = await ctx.em.find(ScimUser, { externalId: filter.value });
    where = { $and: [where, { id: { $in: rows.map((r) => r.userId) } }] };
  }
  const [users, total] = await ctx.em.findAndCount(User, where, { orderBy: { createdAt: 'asc', id: 'asc' }, offset: startIndex - 1, limit: count });
  const extras = await ctx.em.find(ScimUser, { userId: { $in: users.map((u) => u.id) } });
  const byId = new Map(extras.map((x) => [x.userId, x]));
  return { total, resources: users.map((u) => toScimUser(ctx, u, byId.get(u.id) ?? null)) };
}

/**
 * active false: blocks the user's unblocked keys (remembering which) and ends their sessions;
 * active true: unblocks exactly the keys deactivation blocked. The key cache purges itself on
 * these writes on every process (db/change-events.ts). The caller flushes.
 */
async function setActive(ctx: Ctx, user: User, s: ScimUser, active: boolean) {
  if (s.active === active) return;
  if (!active) {
    const keys = await ctx.em.find(VirtualKey, { user: user.id, blocked: false });
    for (const k of keys) {
      const before = keySnapshot(k);
      k.blocked = true;
      audit(ctx, 'key.block', { type: 'key', id: k.id }, before, { ...keySnapshot(k), reason: `owner ${user.id} deactivated over SCIM` });
    }
    s.blockedKeyIds = keys.map((k) => k.id);
    s.active = false;
    await endSessionsOf(ctx, user.id);
    audit(ctx, 'user.scim_deactivate', { type: 'user', id: user.id }, { active: true }, { active: false, blockedKeyIds: s.blockedKeyIds });
  } else {
    const keys = s.blockedKeyIds.length ? await ctx.em.find(VirtualKey, { id: { $in: s.blockedKeyIds }, user: user.id, blocked: true }) : [];
    for (const k of keys) {
      const before = keySnapshot(k);
      k.blocked = false;
      audit(ctx, 'key.unblock', { type: 'key', id: k.id }, before, { ...keySnapshot(k), reason: `owner ${user.id} reactivated over SCIM` });
    }
    audit(ctx, 'user.scim_activate', { type: 'user', id: user.id }, { active: false, blockedKeyIds: s.blockedKeyIds }, { active: true, unblockedKeyIds: keys.map((k) => k.id) });
    s.blockedKeyIds = [];
    s.active = true;
  }
}

/**
 * POST /Users. An existing account with the same email is linked by the SSO linking rules
 * (sso.service.ts): never a proxy_admin or the master-key admin, never one another SCIM
 * identity already holds; else a new user by the one creation rule (role from
 * default_internal_user_params).
 */
export async function createScimUser(ctx: Ctx, input: ScimUserInput) {
  authorize(ctx.principal, 'scim.provision');
  return scimCall(() =>
    ctx.em.transactional(async (em) => {
      const tx: Ctx = { ...ctx, em };
      let user = await em.findOne(User, { emailKey: emailKey(input.userName) });
      let s: ScimUser | null = null;
      if (user) {
        s = await em.findOne(ScimUser, { userId: user.id });
        if (s) throw new ScimError(409, `A SCIM user with userName ${input.userName} already exists.`, 'uniqueness');
        if (user.role === 'proxy_admin' || user.id === DEFAULT_USER_ID)
          throw new ScimError(409, `${input.userName} belongs to a proxy admin account, which is never linked to provisioning automatically.`, 'uniqueness');
        audit(tx, 'user.scim_link', { type: 'user', id: user.id }, null, { externalId: input.externalId });
        if (input.displayName && input.displayName !== user.alias) {
          const before = userSnapshot(user);
          user.alias = input.displayName;
          audit(tx, 'user.scim_update', { type: 'user', id: user.id }, before, userSnapshot(user));
        }
      } else {
        user = await createUser(tx, { email: input.userName, alias: input.displayName, metadata: { auth_provider: 'scim' } });
      }
      s = new ScimUser();
      s.userId = user.id;
      s.externalId = input.externalId;
      em.persist(s);
      await setActive(tx, user, s, input.active);
      await em.flush();
      return toScimUser(tx, user, s);
    }),
  );
}

/** PUT (and the result of a PATCH): the mapped fields become what the IdP sent. */
export async function replaceScimUser(ctx: Ctx, id: string, input: ScimUserInput) {
  authorize(ctx.principal, 'scim.provision');
  return scimCall(() =>
    ctx.em.transactional(async (em) => {
      const tx: Ctx = { ...ctx, em };
      const found = await findScimUser(tx, id);
      const user = found.user;
      let s = found.s;
      if (!s) {
        s = new ScimUser();
        s.userId = user.id;
        em.persist(s);
      }
      const before = userSnapshot(user);
      const key = emailKey(input.userName);
      if (key !== user.emailKey) {
        const other = await em.findOne(User, { emailKey: key });
        if (other && other.id !== user.id) throw new ScimError(409, `Another user has userName ${input.userName}.`, 'uniqueness');
        user.email = input.userName;
        user.emailKey = key;
      }
      if (input.displayName !== null) user.alias = input.displayName;
      if (JSON.stringify(before) !== JSON.stringify(userSnapshot(user)))
        audit(tx, 'user.scim_update', { type: 'user', id: user.id }, before, userSnapshot(user));
      if (input.externalId !== s.externalId) {
        audit(tx, 'user.scim_external_id', { type: 'user', id: user.id }, { externalId: s.externalId }, { externalId: input.externalId });
        s.externalId = input.externalId;
      }
      await setActive(tx, user, s, input.active);
      await em.flush();
      return toScimUser(tx, user, s);
    }),
  );
}

/** DELETE /Users/:id: the admin API's delete (keys, memberships, sessions; spend rows stay). */
export async function deleteScimUser(ctx: Ctx, id: string) {
  authorize(ctx.principal, 'scim.provision');
  await scimCall(() =>
    ctx.em.transactional(async (em) => {
      const tx: Ctx = { ...ctx, em };
      await findScimUser(tx, id);
      await deleteUser(tx, id);
    }),
  );
}
