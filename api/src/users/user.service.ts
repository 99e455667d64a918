import type { FilterQuery } from '@mikro-orm/core';
import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { checkPasswordPolicy, hashPassword } from '../auth/password.js';
import { DEFAULT_USER_ID } from '../auth/principal.js';
import { endSessionsOf } from '../auth/session.service.js';
import { applyBudgetInput, checkBudgetInput, correctUserSpend, type BudgetInput } from '../budgets/budget.service.js';
import { usdToNanos } from '../common/money.js';
import { badInput, conflict, notFound } from '../common/errors.js';
import { newId } from '../common/ids.js';
import { paginate, type PageArgs } from '../common/pagination.js';
import { checkEmail, checkId, checkMetadata, checkModels, checkString } from '../common/validate.js';
import { VirtualKey } from '../keys/key.entity.js';
import { generateKey } from '../keys/key.service.js';
import { authorize, isAllowed, reachOf, type Target } from '../permissions/authorize.js';
import { isRole, isTeamRole, ROLES, TEAM_ROLES, type Role, type TeamRole } from '../permissions/roles.js';
import { ScimUser } from '../scim/scim-user.entity.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { addMembership } from '../teams/membership.service.js';
import { Team } from '../teams/team.entity.js';
import { User } from './user.entity.js';
import { userSnapshot } from './user.snapshot.js';

export interface TeamAssignment {
  teamId: string;
  role?: TeamRole;
  maxBudgetInTeam?: number | null;
}

export interface CreateUserParams extends BudgetInput {
  userId?: string | null;
  email?: string | null;
  alias?: string | null;
  role?: Role | null;
  models?: string[] | null;
  metadata?: Record<string, unknown> | null;
  password?: string | null;
  teams?: Array<string | TeamAssignment> | null;
  ssoId?: string | null;
}

export interface UpdateUserParams extends BudgetInput {
  userId: string;
  email?: string | null;
  alias?: string | null;
  role?: Role | null;
  models?: string[] | null;
  metadata?: Record<string, unknown> | null;
  password?: string | null;
  /** USD; admins may correct spend */
  spend?: number | null;
}

export interface UserFilter {
  role?: Role | null;
  email?: string | null;
  teamId?: string | null;
}

export const emailKey = (email: string | null | undefined) => (email ? email.trim().toLowerCase() : null);

/**
 * The one rule for every way a user is created (ROLES.md "SSO defaults"): role = given ??
 * default_internal_user_params.user_role ?? internal_user_viewer; other unset fields from
 * default_internal_user_params (not for proxy_admin, as in LiteLLM); an internal_user's
 * unset budget fields from max_internal_user_budget / internal_user_budget_duration.
 */
export function resolveNewUser(ctx: Ctx, p: CreateUserParams): CreateUserParams & { role: Role } {
  const ls = ctx.app.settings.config.litellm_settings;
  const defaults = ls.default_internal_user_params;
  const role: Role = p.role ?? (defaults?.user_role as Role | undefined) ?? 'internal_user_viewer';
  const out: CreateUserParams & { role: Role } = { ...p, role };
  if (defaults && role !== 'proxy_admin') {
    if (!out.models?.length && defaults.models) out.models = [...defaults.models];
    if (out.maxBudget === undefined && defaults.max_budget !== undefined) out.maxBudget = defaults.max_budget;
    if (out.budgetDuration === undefined && defaults.budget_duration !== undefined)
      out.budgetDuration = defaults.budget_duration;
    if (out.teams === undefined && defaults.teams)
      out.teams = defaults.teams.map((t) =>
        typeof t === 'string'
          ? t
          : { teamId: t.team_id, role: t.user_role as TeamRole | undefined, maxBudgetInTeam: t.max_budget_in_team },
      );
  }
  if (role === 'internal_user') {
    if (out.maxBudget === undefined && ls.max_internal_user_budget !== undefined)
      out.maxBudget = ls.max_internal_user_budget;
    if (out.budgetDuration === undefined && ls.internal_user_budget_duration !== undefined)
      out.budgetDuration = ls.internal_user_budget_duration;
  }
  return out;
}

function checkUserFields(p: Partial<CreateUserParams>) {
  checkId('userId', p.userId);
  checkEmail('email', p.email);
  checkString('alias', p.alias);
  checkModels('models', p.models);
  checkMetadata('metadata', p.metadata);
  checkBudgetInput(p);
  if (p.role !== undefined && p.role !== null && !isRole(p.role))
    throw badInput(`userRole must be one of ${ROLES.join(', ')}.`, 'userRole');
  if (p.password !== undefined && p.password !== null) checkPasswordPolicy('password', p.password);
}

async function assertEmailFree(ctx: Ctx, email: string | null | undefined, exceptId?: string) {
  const key = emailKey(email);
  if (!key) return;
  const other = await ctx.em.findOne(User, { emailKey: key });
  if (other && other.id !== exceptId) throw conflict(`User with email ${email} already exists.`, 'email');
}

/** Creates a user by the one creation rule; joins the given (or default) teams. */
export async function createUser(ctx: Ctx, params: CreateUserParams) {
  authorize(ctx.principal, 'user.create');
  checkUserFields(params);
  const p = resolveNewUser(ctx, params);
  const id = p.userId?.trim() || newId();
  if (await ctx.em.findOne(User, { id })) throw conflict(`User with id ${id} already exists.`, 'userId');
  await assertEmailFree(ctx, p.email);
  if (p.ssoId && (await ctx.em.findOne(User, { ssoId: p.ssoId })))
    throw conflict(`A user with this SSO id already exists.`, 'ssoId');

  const teams: TeamAssignment[] = (p.teams ?? []).map((t) => (typeof t === 'string' ? { teamId: t } : t));
  const teamRows: Team[] = [];
  for (const [i, t] of teams.entries()) {
    if (t.role !== undefined && !isTeamRole(t.role)) throw badInput(`teams[${i}].role must be ${TEAM_ROLES.join(' or ')}.`, `teams`);
    const team = await ctx.em.findOne(Team, { id: t.teamId });
    if (!team) throw badInput(`teams[${i}]: team "${t.teamId}" does not exist.`, 'teams');
    teamRows.push(team);
  }

  const user = new User();
  user.id = id;
  user.email = p.email?.trim() || null;
  user.emailKey = emailKey(p.email);
  user.alias = p.alias ?? null;
  user.role = p.role;
  user.models = p.models ?? [];
  user.metadata = p.metadata ?? {};
  user.ssoId = p.ssoId ?? null;
  applyBudgetInput(user.budget, p, ctx.app.settings.timezone);
  if (p.password) user.passwordHash = await hashPassword(p.password);
  ctx.em.persist(user);
  audit(ctx, 'user.create', { type: 'user', id }, null, userSnapshot(user));
  for (const [i, team] of teamRows.entries()) {
    const t = teams[i]!;
    addMembership(ctx, user, team, t.role ?? 'user', 'manual', { maxBudget: t.maxBudgetInTeam ?? undefined });
  }
  await ctx.em.flush();
  return user;
}

export interface OnboardOptions {
  /** LiteLLM's auto_create_key: a first personal key is minted unless this is false */
  autoCreateKey?: boolean | null;
  /** the first key's alias and lifetime (its models are the user's) */
  keyAlias?: string | null;
  duration?: string | null;
}

/**
 * Creates a user and, unless autoCreateKey is false (LiteLLM's default for /user/new), mints
 * their first personal key, in one transaction: a key the rules refuse (bounds, settings)
 * leaves no user behind. GraphQL's createUser comes here with autoCreateKey false.
 */
export async function onboardUser(ctx: Ctx, params: CreateUserParams, opts: OnboardOptions = {}) {
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    const user = await createUser(tx, params);
    const key =
      opts.autoCreateKey === false
        ? null
        : await generateKey(tx, { userId: user.id, keyAlias: opts.keyAlias, duration: opts.duration, models: params.models ?? undefined });
    const ms = await em.find(TeamMembership, { user: user.id }, { populate: ['team'], orderBy: { createdAt: 'asc' } });
    return { user, key, teamIds: ms.map((m) => m.team.id) };
  });
}

/**
 * The user named by id, created when it does not exist yet and the caller may create users:
 * LiteLLM creates such users on /key/generate, /team/new, /team/member_add and /user/update.
 * The row follows the one creation rule (createUser: role and defaults, audited). Anyone else
 * gets the not-found error and nothing changes. Callers run this inside their transaction so
 * a later refusal leaves no user behind.
 */
export async function findOrProvisionUser(ctx: Ctx, id: string, field = 'userId', fields: CreateUserParams = {}): Promise<User> {
  const user = await ctx.em.findOne(User, { id });
  if (user) return user;
  if (!isAllowed(ctx.principal, 'user.create')) throw notFound(`User ${id} not found.`, field);
  return createUser(ctx, { ...fields, userId: id });
}

export async function findUser(ctx: Ctx, id: string): Promise<User> {
  const user = await ctx.em.findOne(User, { id });
  if (!user) throw notFound(`User ${id} not found.`, 'userId');
  return user;
}

async function teamIdsOf(ctx: Ctx, userId: string): Promise<string[]> {
  const ms = await ctx.em.find(TeamMembership, { user: userId }, { fields: ['team'] });
  return ms.map((m) => (m.team as unknown as { id: string }).id);
}

/**
 * The `user.read` target of a user. Its team ids can only widen a grant (team admins reach their
 * members), so they are read only when the answer depends on them: not for the caller's own
 * record or an admin, which saves a query per row on lists of own keys with their owner.
 */
async function userTarget(ctx: Ctx, id: string): Promise<Target> {
  const bare: Target = { kind: 'user', userId: id, teamIds: [] };
  const p = ctx.principal;
  if (!p || isAllowed(p, 'user.read', bare) || !reachOf(p, 'user.read').teams.length) return bare;
  return { ...bare, teamIds: await teamIdsOf(ctx, id) };
}

/** Reads one user if the caller may see them (own, admins, team admins for their members). */
export async function getUser(ctx: Ctx, id: string): Promise<User> {
  authorize(ctx.principal, 'user.read');
  const user = await findUser(ctx, id);
  authorize(ctx.principal, 'user.read', await userTarget(ctx, id));
  return user;
}

/** Same as getUser but null instead of an error: for relation fields. */
export async function visibleUser(ctx: Ctx, id: string): Promise<User | null> {
  if (!isAllowed(ctx.principal, 'user.read')) return null;
  const user = await ctx.em.findOne(User, { id });
  if (!user) return null;
  return isAllowed(ctx.principal, 'user.read', await userTarget(ctx, id)) ? user : null;
}

export async function listUsers(ctx: Ctx, filter: UserFilter, page: PageArgs) {
  const reach = authorize(ctx.principal, 'user.read');
  const where: FilterQuery<User>[] = [];
  if (!reach.all) {
    const ids = new Set<string>();
    if (reach.own && ctx.principal?.userId) ids.add(ctx.principal.userId);
    if (reach.teams.length) {
      const ms = await ctx.em.find(TeamMembership, { team: { $in: reach.teams } }, { fields: ['user'] });
      for (const m of ms) ids.add((m.user as unknown as { id: string }).id);
    }
    where.push({ id: { $in: [...ids] } });
  }
  if (filter.role) where.push({ role: filter.role });
  if (filter.email) where.push({ emailKey: { $like: `%${emailKey(filter.email)!.replace(/[%_]/g, '')}%` } });
  if (filter.teamId) {
    const ms = await ctx.em.find(TeamMembership, { team: filter.teamId }, { fields: ['user'] });
    where.push({ id: { $in: ms.map((m) => (m.user as unknown as { id: string }).id) } });
  }
  return paginate(ctx.em, User, where.length ? { $and: where } : {}, page, { createdAt: 'asc', id: 'asc' });
}

export async function updateUser(ctx: Ctx, p: UpdateUserParams) {
  authorize(ctx.principal, 'user.update');
  checkUserFields(p);
  const user = await findUser(ctx, p.userId);
  const before = userSnapshot(user);
  if (p.email !== undefined) {
    await assertEmailFree(ctx, p.email, user.id);
    user.email = p.email?.trim() || null;
    user.emailKey = emailKey(p.email);
  }
  if (p.alias !== undefined) user.alias = p.alias;
  if (p.models !== undefined) user.models = p.models ?? [];
  if (p.metadata !== undefined) user.metadata = p.metadata ?? {};
  const roleChanged = p.role !== undefined && p.role !== null && p.role !== user.role;
  if (roleChanged) {
    if (user.id === DEFAULT_USER_ID) throw badInput('The master-key admin (default_user_id) always stays proxy_admin.', 'userRole');
    user.role = p.role!;
  }
  applyBudgetInput(user.budget, p, ctx.app.settings.timezone);
  if (p.spend !== undefined && p.spend !== null) {
    applyBudgetInput(user.budget, {}, ctx.app.settings.timezone);
    if (!Number.isFinite(p.spend) || p.spend < 0) throw badInput('spend must be a finite number >= 0.', 'spend');
    correctUserSpend(user, usdToNanos(p.spend));
  }
  if (p.password) user.passwordHash = await hashPassword(p.password);
  audit(ctx, 'user.update', { type: 'user', id: user.id }, before, userSnapshot(user));
  // a role change takes effect at once: the user signs in again with the new role
  if (roleChanged || p.password) await endSessionsOf(ctx, user.id);
  await ctx.em.flush();
  return user;
}

/**
 * LiteLLM's /user/update names the user by id, or by email when no id is given. Authorized
 * before the lookup: a caller who may not update users learns nothing about which emails exist.
 */
export async function updateUserByIdOrEmail(ctx: Ctx, ref: { userId?: string | null; userEmail?: string | null }, p: Omit<UpdateUserParams, 'userId'>) {
  authorize(ctx.principal, 'user.update');
  let userId = ref.userId;
  if (!userId && ref.userEmail) userId = (await ctx.em.findOne(User, { emailKey: emailKey(ref.userEmail) }))?.id;
  if (!userId) throw badInput(ref.userEmail ? `No user with email ${ref.userEmail}.` : 'user_id or user_email is required.', 'user_id');
  const id = userId;
  // LiteLLM upserts a missing user_id: created by the one rule, then the rest applied as an update
  return ctx.em.transactional(async (em) => {
    const tx = { ...ctx, em };
    if (!(await em.findOne(User, { id }))) {
      checkUserFields({ ...p, userId: id });
      const { spend, ...fields } = p;
      const user = await findOrProvisionUser(tx, id, 'user_id', fields);
      return spend === undefined || spend === null ? user : updateUser(tx, { userId: id, spend });
    }
    return updateUser(tx, { ...p, userId: id });
  });
}

/** Deletes a user, their keys and memberships; their spend rows stay. */
export async function deleteUser(ctx: Ctx, userId: string) {
  authorize(ctx.principal, 'user.delete');
  const user = await findUser(ctx, userId);
  if (user.id === DEFAULT_USER_ID) throw badInput('The master-key admin (default_user_id) cannot be deleted.', 'userId');
  if (user.id === ctx.principal?.userId) throw badInput('You cannot delete yourself.', 'userId');
  const keys = await ctx.em.find(VirtualKey, { user: user.id });
  const memberships = await ctx.em.find(TeamMembership, { user: user.id }, { populate: ['team'] });
  for (const k of keys) audit(ctx, 'key.delete', { type: 'key', id: k.id }, { keyName: k.keyName, keyAlias: k.keyAlias }, null);
  for (const m of memberships)
    audit(ctx, 'team.member.remove', { type: 'team', id: m.team.id }, { userId: user.id, role: m.role }, null);
  audit(ctx, 'user.delete', { type: 'user', id: user.id }, userSnapshot(user), null);
  await endSessionsOf(ctx, user.id);
  // what SCIM knew about the user goes with them (a later POST /Users starts afresh)
  await ctx.em.nativeDelete(ScimUser, { userId: user.id });
  ctx.em.remove([...keys, ...memberships, user]);
  await ctx.em.flush();
  return { user, keyIds: keys.map((k) => k.id) };
}

/** LiteLLM's /user/delete: every user or none (one transaction). */
export async function deleteUsers(ctx: Ctx, userIds: string[]) {
  return ctx.em.transactional(async (em) => {
    const out = [];
    for (const id of userIds) out.push(await deleteUser({ ...ctx, em }, id));
    return out;
  });
}

/** The caller's own profile: alias and password only (viewers included). */
export async function updateMe(ctx: Ctx, p: { alias?: string | null }) {
  authorize(ctx.principal, 'me.update');
  checkString('alias', p.alias);
  const user = await findUser(ctx, ctx.principal!.userId!);
  const before = userSnapshot(user);
  if (p.alias !== undefined) user.alias = p.alias;
  audit(ctx, 'user.update_self', { type: 'user', id: user.id }, before, userSnapshot(user));
  await ctx.em.flush();
  return user;
}

