import type { FilterQuery } from '@mikro-orm/core';
import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { applyBudgetInput, checkBudgetInput, type BudgetInput } from '../budgets/budget.service.js';
import { badInput, conflict, notFound } from '../common/errors.js';
import { newId } from '../common/ids.js';
import { paginate, type PageArgs } from '../common/pagination.js';
import { checkId, checkLimit, checkMetadata, checkModels, checkString } from '../common/validate.js';
import { VirtualKey } from '../keys/key.entity.js';
import { authorize, isAllowed } from '../permissions/authorize.js';
import { isTeamRole, TEAM_ROLES, type TeamRole } from '../permissions/roles.js';
import { configuredModels } from '../models/model.service.js';
import { coveredBy } from '../models/model-names.js';
import { User } from '../users/user.entity.js';
import { findOrProvisionUser } from '../users/user.service.js';
import { TeamMembership } from './membership.entity.js';
import { addMembership, endMembership, membershipSnapshot } from './membership.service.js';
import { Team } from './team.entity.js';

export interface TeamParams extends BudgetInput {
  teamAlias?: string | null;
  models?: string[] | null;
  tpmLimit?: number | null;
  rpmLimit?: number | null;
  blocked?: boolean | null;
  metadata?: Record<string, unknown> | null;
  memberPermissions?: string[] | null;
  /** LiteLLM model_aliases: alias → a model the team may use */
  modelAliases?: Record<string, unknown> | null;
}

export interface MemberRef {
  userId?: string | null;
  email?: string | null;
}

export interface CreateTeamParams extends TeamParams {
  teamId?: string | null;
  members?: Array<MemberRef & { role?: TeamRole | null }> | null;
}

export interface MemberParams extends MemberRef {
  teamId: string;
  role?: TeamRole | null;
  maxBudgetInTeam?: number | null;
  budgetDuration?: string | null;
}

export const teamSnapshot = (t: Team) => ({
  id: t.id,
  alias: t.alias,
  models: t.models,
  maxBudget: t.maxBudget,
  softBudget: t.softBudget,
  budgetDuration: t.budgetDuration,
  tpmLimit: t.tpmLimit,
  rpmLimit: t.rpmLimit,
  blocked: t.blocked,
  metadata: t.metadata,
  memberPermissions: t.memberPermissions,
  modelAliases: t.modelAliases,
});

function checkTeamFields(p: TeamParams) {
  checkString('teamAlias', p.teamAlias);
  checkModels('models', p.models);
  checkLimit('tpmLimit', p.tpmLimit);
  checkLimit('rpmLimit', p.rpmLimit);
  checkMetadata('metadata', p.metadata);
  checkModels('memberPermissions', p.memberPermissions);
  checkMetadata('modelAliases', p.modelAliases);
  checkBudgetInput(p);
}

/**
 * model_aliases: names to names, each target a configured model (exactly or through a wildcard
 * entry) that the team's models allow; checked against the models the team ends up with.
 */
function checkModelAliases(ctx: Ctx, aliases: Record<string, unknown>, teamModels: string[]): Record<string, string> {
  const entries = Object.entries(aliases);
  if (entries.length > 1000) throw badInput('modelAliases has too many entries (at most 1000).', 'modelAliases');
  const served = configuredModels(ctx);
  const allowed = teamModels.filter((m) => m !== 'all-team-models');
  for (const [alias, target] of entries) {
    checkModels('modelAliases', [alias]);
    if (typeof target !== 'string') throw badInput(`modelAliases.${alias} must be a model name.`, 'modelAliases');
    checkModels('modelAliases', [target]);
    if (/[\u0000-\u001f\u007f]/.test(alias + target)) throw badInput("A modelAliases entry contains control characters.", "modelAliases");
    if (!coveredBy(served, target)) throw badInput(`modelAliases.${alias}: model ${target} is not configured.`, 'modelAliases');
    if (allowed.length && !coveredBy(allowed, target))
      throw badInput(`modelAliases.${alias}: the team may not use model ${target} (team models: ${allowed.join(', ')}).`, 'modelAliases');
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

function applyTeamFields(ctx: Ctx, team: Team, p: TeamParams) {
  if (p.teamAlias !== undefined) team.alias = p.teamAlias;
  if (p.models !== undefined) team.models = p.models ?? [];
  if (p.tpmLimit !== undefined) team.tpmLimit = p.tpmLimit;
  if (p.rpmLimit !== undefined) team.rpmLimit = p.rpmLimit;
  if (p.blocked !== undefined && p.blocked !== null) team.blocked = p.blocked;
  if (p.metadata !== undefined) team.metadata = p.metadata ?? {};
  if (p.memberPermissions !== undefined) team.memberPermissions = p.memberPermissions ?? [];
  // aliases are checked against the models the team ends up with, also when only models change
  if (p.modelAliases !== undefined) team.modelAliases = checkModelAliases(ctx, p.modelAliases ?? {}, team.models);
  else if (p.models !== undefined) checkModelAliases(ctx, team.modelAliases, team.models);
  applyBudgetInput(team.budget, p, ctx.app.settings.timezone);
}

/**
 * `default_team_params` fill what the request leaves unset. Teams made through the API do
 * not take its `models` (as newer LiteLLM does); teams made from SSO groups take all of it.
 */
export function teamDefaults<T extends TeamParams>(ctx: Ctx, p: T, from: 'api' | 'sso'): T {
  const d = ctx.app.settings.config.litellm_settings.default_team_params;
  if (!d) return p;
  const out = { ...p };
  if (from === 'sso' && !out.models?.length && d.models) out.models = [...d.models];
  if (out.maxBudget === undefined && d.max_budget !== undefined) out.maxBudget = d.max_budget;
  if (out.softBudget === undefined && d.soft_budget !== undefined) out.softBudget = d.soft_budget;
  if (out.budgetDuration === undefined && d.budget_duration !== undefined) out.budgetDuration = d.budget_duration;
  if (out.tpmLimit === undefined && d.tpm_limit !== undefined) out.tpmLimit = d.tpm_limit;
  if (out.rpmLimit === undefined && d.rpm_limit !== undefined) out.rpmLimit = d.rpm_limit;
  if (out.memberPermissions === undefined && d.team_member_permissions) out.memberPermissions = d.team_member_permissions;
  return out;
}

export async function findTeam(ctx: Ctx, id: string): Promise<Team> {
  const team = await ctx.em.findOne(Team, { id });
  if (!team) throw notFound(`Team ${id} not found.`, 'teamId');
  return team;
}

/** `provision`: adding a member creates an unknown user_id when the caller may create users (as LiteLLM does). */
async function resolveMember(ctx: Ctx, ref: MemberRef, field = 'member', provision = false): Promise<User> {
  if (ref.userId) {
    if (provision) return findOrProvisionUser(ctx, ref.userId, `${field}.userId`);
    const u = await ctx.em.findOne(User, { id: ref.userId });
    if (!u) throw notFound(`User ${ref.userId} not found.`, `${field}.userId`);
    return u;
  }
  if (ref.email) {
    // exact email of an existing user: adding a member never creates an account
    const u = await ctx.em.findOne(User, { emailKey: ref.email.trim().toLowerCase() });
    if (!u) throw notFound(`No user with email ${ref.email}.`, `${field}.email`);
    return u;
  }
  throw badInput(`${field}: give userId or email.`, field);
}

export async function createTeam(outer: Ctx, params: CreateTeamParams, from: 'api' | 'sso' = 'api') {
  authorize(outer.principal, 'team.create');
  // one transaction: members created on the way go if the team is refused
  return outer.em.transactional((em) => insertTeam({ ...outer, em }, params, from));
}

async function insertTeam(ctx: Ctx, params: CreateTeamParams, from: 'api' | 'sso') {
  checkId('teamId', params.teamId);
  checkTeamFields(params);
  const p = teamDefaults(ctx, params, from);
  const id = p.teamId?.trim() || newId();
  if (await ctx.em.findOne(Team, { id })) throw conflict(`Team with id ${id} already exists.`, 'teamId');
  const members: Array<{ user: User; role: TeamRole }> = [];
  for (const [i, m] of (p.members ?? []).entries()) {
    if (m.role != null && !isTeamRole(m.role)) throw badInput(`members[${i}].role must be ${TEAM_ROLES.join(' or ')}.`, 'members');
    const user = await resolveMember(ctx, m, `members[${i}]`, true);
    if (members.some((x) => x.user.id === user.id)) throw badInput(`members[${i}]: ${user.id} is listed twice.`, 'members');
    members.push({ user, role: m.role ?? 'user' });
  }
  const team = new Team();
  team.id = id;
  team.createdBy = ctx.principal?.userId ?? null;
  applyTeamFields(ctx, team, p);
  ctx.em.persist(team);
  audit(ctx, 'team.create', { type: 'team', id }, null, teamSnapshot(team));
  for (const m of members) addMembership(ctx, m.user, team, m.role, 'manual');
  await ctx.em.flush();
  return team;
}

export async function updateTeam(ctx: Ctx, teamId: string, p: TeamParams) {
  authorize(ctx.principal, 'team.update');
  checkTeamFields(p);
  const team = await findTeam(ctx, teamId);
  const before = teamSnapshot(team);
  applyTeamFields(ctx, team, p);
  audit(ctx, 'team.update', { type: 'team', id: team.id }, before, teamSnapshot(team));
  await ctx.em.flush();
  return team;
}

/** Deletes a team with its keys and memberships, audited; spend rows stay. */
export async function deleteTeam(ctx: Ctx, teamId: string) {
  authorize(ctx.principal, 'team.delete');
  const team = await findTeam(ctx, teamId);
  const keys = await ctx.em.find(VirtualKey, { team: team.id });
  const ms = await ctx.em.find(TeamMembership, { team: team.id }, { populate: ['user'] });
  for (const k of keys) audit(ctx, 'key.delete', { type: 'key', id: k.id }, { keyName: k.keyName, keyAlias: k.keyAlias }, null);
  for (const m of ms) audit(ctx, 'team.member.remove', { type: 'team', id: team.id }, membershipSnapshot(m), null);
  audit(ctx, 'team.delete', { type: 'team', id: team.id }, teamSnapshot(team), null);
  ctx.em.remove([...keys, ...ms, team]);
  await ctx.em.flush();
  return { team, keyIds: keys.map((k) => k.id) };
}

/** LiteLLM's /team/delete: every team or none (one transaction). */
export async function deleteTeams(ctx: Ctx, teamIds: string[]) {
  return ctx.em.transactional(async (em) => {
    const out = [];
    for (const id of teamIds) out.push(await deleteTeam({ ...ctx, em }, id));
    return out;
  });
}

export async function getTeam(ctx: Ctx, id: string): Promise<Team> {
  authorize(ctx.principal, 'team.read');
  const team = await findTeam(ctx, id);
  authorize(ctx.principal, 'team.read', { kind: 'team', teamId: id });
  return team;
}

export async function visibleTeam(ctx: Ctx, id: string | null): Promise<Team | null> {
  if (!id || !isAllowed(ctx.principal, 'team.read', { kind: 'team', teamId: id })) return null;
  return ctx.em.findOne(Team, { id });
}

export async function listTeams(ctx: Ctx, filter: { userId?: string | null }, page: PageArgs) {
  const reach = authorize(ctx.principal, 'team.read');
  const where: FilterQuery<Team>[] = [];
  if (!reach.all) where.push({ id: { $in: [...(ctx.principal?.teams.keys() ?? []), ...reach.teams] } });
  if (filter.userId) {
    const ms = await ctx.em.find(TeamMembership, { user: filter.userId }, { fields: ['team'] });
    where.push({ id: { $in: ms.map((m) => m.team.id) } });
  }
  return paginate(ctx.em, Team, where.length ? { $and: where } : {}, page, { createdAt: 'asc', id: 'asc' });
}

/** Members the caller may see: a member is shown only if `users` would show that user. */
export async function listMembers(ctx: Ctx, teamId: string): Promise<TeamMembership[]> {
  await getTeam(ctx, teamId);
  const ms = await ctx.em.find(TeamMembership, { team: teamId }, { populate: ['user'], orderBy: { createdAt: 'asc' } });
  const out: TeamMembership[] = [];
  for (const m of ms) {
    const teamIds = (await ctx.em.find(TeamMembership, { user: m.user.id }, { fields: ['team'] })).map((x) => x.team.id);
    if (isAllowed(ctx.principal, 'user.read', { kind: 'user', userId: m.user.id, teamIds })) out.push(m);
  }
  return out;
}

async function findMembership(ctx: Ctx, teamId: string, ref: MemberRef) {
  const user = await resolveMember(ctx, ref, 'member');
  const m = await ctx.em.findOne(TeamMembership, { team: teamId, user: user.id }, { populate: ['user', 'team'] });
  if (!m) throw notFound(`User ${user.id} is not a member of team ${teamId}.`, 'userId');
  return m;
}

function checkMemberParams(p: MemberParams) {
  if (p.role != null && !isTeamRole(p.role)) throw badInput(`role must be ${TEAM_ROLES.join(' or ')}.`, 'role');
  checkBudgetInput({ maxBudget: p.maxBudgetInTeam, budgetDuration: p.budgetDuration });
}

export async function addMember(ctx: Ctx, p: MemberParams) {
  authorize(ctx.principal, 'team.members.manage');
  checkMemberParams(p);
  const team = await findTeam(ctx, p.teamId);
  authorize(ctx.principal, 'team.members.manage', { kind: 'team', teamId: team.id });
  const user = await resolveMember(ctx, p, 'member', true);
  if (await ctx.em.findOne(TeamMembership, { team: team.id, user: user.id }))
    throw conflict(`User ${user.id} is already a member of team ${team.id}.`, 'userId');
  const m = addMembership(ctx, user, team, p.role ?? 'user', 'manual', {
    maxBudget: p.maxBudgetInTeam,
    budgetDuration: p.budgetDuration,
  });
  await ctx.em.flush();
  return m;
}

/** LiteLLM's /team/member_add with a list: every member is added or none (one transaction). */
export async function addMembers(ctx: Ctx, list: MemberParams[]) {
  return ctx.em.transactional(async (em) => {
    const added: TeamMembership[] = [];
    for (const p of list) added.push(await addMember({ ...ctx, em }, p));
    return added;
  });
}

export async function updateMember(ctx: Ctx, p: MemberParams) {
  authorize(ctx.principal, 'team.members.manage');
  checkMemberParams(p);
  const team = await findTeam(ctx, p.teamId);
  authorize(ctx.principal, 'team.members.manage', { kind: 'team', teamId: team.id });
  const m = await findMembership(ctx, team.id, p);
  const before = membershipSnapshot(m);
  if (p.role != null) m.role = p.role;
  applyBudgetInput(m.budget, { maxBudget: p.maxBudgetInTeam, budgetDuration: p.budgetDuration }, ctx.app.settings.timezone);
  audit(ctx, 'team.member.update', { type: 'team', id: team.id }, before, membershipSnapshot(m));
  await ctx.em.flush();
  return m;
}

export async function removeMember(ctx: Ctx, p: MemberParams) {
  authorize(ctx.principal, 'team.members.manage');
  const team = await findTeam(ctx, p.teamId);
  authorize(ctx.principal, 'team.members.manage', { kind: 'team', teamId: team.id });
  const m = await findMembership(ctx, team.id, p);
  const blockedKeyIds = await endMembership(ctx, m);
  await ctx.em.flush();
  return { membership: m, blockedKeyIds };
}
