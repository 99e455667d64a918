import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App, Ctx } from '../app/context.js';
import { listKeys } from '../keys/key.service.js';
import { isAllowed } from '../permissions/authorize.js';
import { TEAM_ROLES } from '../permissions/roles.js';
import { memberBudget } from './membership.service.js';
import type { Team } from './team.entity.js';
import {
  addMembers,
  createTeam,
  deleteTeams,
  getTeam,
  listMembers,
  listTeams,
  removeMember,
  updateMember,
  updateTeam,
  type TeamParams,
} from './team.service.js';
import { int, json, money, nn, opt, parse, restRoute, str, strList } from '../rest/common.js';
import type { RestNames } from '../rest/errors.js';
import { keyRow, memberRow, teamRow } from '../rest/shapes.js';

const teamRole = () => opt(z.enum(TEAM_ROLES));
const memberRef = z.object({ role: teamRole(), user_id: str(), user_email: str() });

const teamFields = {
  team_alias: str(),
  models: strList(),
  max_budget: money(),
  soft_budget: money(),
  budget_duration: str(),
  tpm_limit: int(),
  rpm_limit: int(),
  blocked: opt(z.boolean()),
  metadata: json(),
  team_member_permissions: strList(),
  model_aliases: json(),
};
type TeamFields = { [K in keyof typeof teamFields]?: z.output<(typeof teamFields)[K]> };

/** The REST field names of these routes, with the two the team service names differently. */
const teamRef = { team_id: z.string({ error: 'team_id is required' }) };
const memberUpdateSchema = z.object({ ...teamRef, user_id: str(), user_email: str(), role: teamRole(), max_budget_in_team: money(), budget_duration: str() });

export const teamRestNames: RestNames = {
  shapes: [teamFields, memberUpdateSchema.shape],
  renames: { memberPermissions: 'team_member_permissions', members: 'members_with_roles', modelAliases: 'model_aliases' },
};

const params = (b: TeamFields): TeamParams => ({
  teamAlias: b.team_alias,
  models: b.models,
  maxBudget: b.max_budget,
  softBudget: b.soft_budget,
  budgetDuration: b.budget_duration,
  tpmLimit: b.tpm_limit,
  rpmLimit: b.rpm_limit,
  blocked: b.blocked,
  metadata: b.metadata,
  memberPermissions: b.team_member_permissions,
  modelAliases: b.model_aliases,
});

/** The team with the members the caller may see (as `users` would show them, ROLES.md). */
async function withMembers(ctx: Ctx, team: Team) {
  return teamRow(team, await listMembers(ctx, team.id));
}

export function registerTeamRoutes(fastify: FastifyInstance, app: App) {
  restRoute(fastify, app, 'POST', '/team/new', async (ctx, req) => {
    const b = parse(z.object({ ...teamFields, team_id: str(), members_with_roles: opt(z.array(memberRef)) }), req.body);
    const team = await createTeam(ctx, {
      ...params(b),
      teamId: b.team_id,
      members: b.members_with_roles?.map((m) => ({ userId: m.user_id, email: m.user_email, role: nn(m.role) })),
    });
    return withMembers(ctx, team);
  });

  restRoute(fastify, app, 'POST', '/team/update', async (ctx, req) => {
    const b = parse(z.object({ ...teamFields, team_id: z.string({ error: 'team_id is required' }) }), req.body);
    const team = await updateTeam(ctx, b.team_id, params(b));
    return { team_id: team.id, data: await withMembers(ctx, team) };
  });

  restRoute(fastify, app, 'POST', '/team/delete', async (ctx, req) => {
    const b = parse(z.object({ team_ids: z.array(z.string()).min(1, 'team_ids must list at least one team') }), req.body);
    await deleteTeams(ctx, b.team_ids);
    return { deleted_teams: b.team_ids };
  });

  restRoute(fastify, app, 'GET', '/team/info', async (ctx, req) => {
    const q = parse(z.object({ team_id: z.string({ error: 'team_id is required' }) }), req.query);
    const team = await getTeam(ctx, q.team_id);
    // a caller who may read the team but no keys (a team key without owner) sees no key list
    const keys = isAllowed(ctx.principal, 'key.read') ? (await listKeys(ctx, { teamId: team.id }, { first: 100 })).nodes : [];
    const members = await listMembers(ctx, team.id);
    return { team_id: team.id, team_info: teamRow(team, members), keys: keys.map(keyRow), team_memberships: members.map((m) => memberRow(m, memberBudget(ctx, m))) };
  });

  restRoute(fastify, app, 'GET', '/team/list', async (ctx, req) => {
    const q = parse(z.object({ user_id: opt(z.string()) }), req.query);
    const res = await listTeams(ctx, { userId: q.user_id }, { first: 100 });
    return Promise.all(res.nodes.map((t) => withMembers(ctx, t)));
  });

  restRoute(fastify, app, 'POST', '/team/member_add', async (ctx, req) => {
    const b = parse(
      z.object({ team_id: z.string({ error: 'team_id is required' }), member: z.union([memberRef, z.array(memberRef).min(1)]), max_budget_in_team: money() }),
      req.body,
    );
    const members = Array.isArray(b.member) ? b.member : [b.member];
    const added = await addMembers(
      ctx,
      members.map((m) => ({ teamId: b.team_id, userId: m.user_id, email: m.user_email, role: nn(m.role), maxBudgetInTeam: b.max_budget_in_team })),
    );
    const team = await getTeam(ctx, b.team_id);
    return { ...(await withMembers(ctx, team)), updated_users: added.map((m) => m.user.id), updated_team_memberships: added.map((m) => memberRow(m, memberBudget(ctx, m))) };
  });

  restRoute(fastify, app, 'POST', '/team/member_update', async (ctx, req) => {
    const b = parse(memberUpdateSchema, req.body);
    const m = await updateMember(ctx, { teamId: b.team_id, userId: b.user_id, email: b.user_email, role: nn(b.role), maxBudgetInTeam: b.max_budget_in_team, budgetDuration: b.budget_duration });
    return memberRow(m, memberBudget(ctx, m));
  });

  restRoute(fastify, app, 'POST', '/team/member_delete', async (ctx, req) => {
    const b = parse(z.object({ team_id: z.string({ error: 'team_id is required' }), user_id: str(), user_email: str() }), req.body);
    const { blockedKeyIds } = await removeMember(ctx, { teamId: b.team_id, userId: b.user_id, email: b.user_email });
    // ours, beside LiteLLM's team object: the member's keys of the team that the removal blocked
    return { ...(await withMembers(ctx, await getTeam(ctx, b.team_id))), blocked_key_ids: blockedKeyIds };
  });
}
