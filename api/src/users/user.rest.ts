import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app/context.js';
import { badInput } from '../common/errors.js';
import { listKeys } from '../keys/key.service.js';
import { isRole, ROLES, TEAM_ROLES, type Role } from '../permissions/roles.js';
import { memberBudget, visibleMembershipsOf } from '../teams/membership.service.js';
import { deleteUsers, getUser, listUsers, onboardUser, updateUserByIdOrEmail } from './user.service.js';
import { iso, json, money, nn, opt, pageArgs, pageQuery, parse, restRoute, str, strList } from '../rest/common.js';
import type { RestNames } from '../rest/errors.js';
import { keyRow, memberRow, userRow } from '../rest/shapes.js';

const role = () => opt(z.string().refine(isRole, `must be one of ${ROLES.join(', ')}`));

const userFields = {
  user_email: str(),
  user_alias: str(),
  user_role: role(),
  models: strList(),
  max_budget: money(),
  soft_budget: money(),
  budget_duration: str(),
  metadata: json(),
  password: str(),
};

const newUserSchema = z.object({
  ...userFields,
  user_id: str(),
  teams: opt(z.array(z.union([z.string(), z.object({ team_id: z.string(), role: opt(z.enum(TEAM_ROLES)), max_budget_in_team: money() })]))),
  /** LiteLLM's single-team field: joins that team as `teams` would */
  team_id: str(),
  auto_create_key: opt(z.boolean()),
  key_alias: str(),
  duration: str(),
  sso_user_id: str(),
});

/** The REST field names of these routes; the service calls user_email and user_alias email and alias. */
export const userRestNames: RestNames = {
  shapes: [newUserSchema.shape],
  renames: { email: 'user_email', alias: 'user_alias', ssoId: 'sso_user_id' },
};

const fields = (b: Partial<z.output<typeof newUserSchema>>) => ({
  email: b.user_email,
  alias: b.user_alias,
  role: (b.user_role ?? undefined) as Role | undefined,
  models: b.models,
  maxBudget: b.max_budget,
  softBudget: b.soft_budget,
  budgetDuration: b.budget_duration,
  metadata: b.metadata,
  password: b.password,
});

/** `teams` plus LiteLLM's single `team_id`; absent both → undefined (the defaults may apply). */
function teamsOf(b: z.output<typeof newUserSchema>) {
  const teams = b.teams?.map((t) => (typeof t === 'string' ? t : { teamId: t.team_id, role: nn(t.role), maxBudgetInTeam: t.max_budget_in_team }));
  if (!b.team_id) return teams;
  const listed = (teams ?? []).some((t) => (typeof t === 'string' ? t : t.teamId) === b.team_id);
  return listed ? teams : [...(teams ?? []), b.team_id];
}

export function registerUserRoutes(fastify: FastifyInstance, app: App) {
  // like LiteLLM, a key is minted for the new user unless auto_create_key is false (the service decides)
  restRoute(fastify, app, 'POST', '/user/new', async (ctx, req) => {
    const b = parse(newUserSchema, req.body);
    const { user, key, teamIds } = await onboardUser(
      ctx,
      {
        ...fields(b),
        userId: b.user_id,
        ssoId: b.sso_user_id,
        teams: teamsOf(b),
      },
      { autoCreateKey: b.auto_create_key, keyAlias: b.key_alias, duration: b.duration },
    );
    return { ...userRow(user), key: key?.secret ?? null, key_id: key?.key.id ?? null, expires: iso(key?.key.expiresAt), teams: teamIds };
  });

  restRoute(fastify, app, 'POST', '/user/update', async (ctx, req) => {
    const b = parse(z.object({ ...userFields, user_id: str(), spend: money() }), req.body);
    // with a user_id, user_email is the new email; without, it names the user
    const user = await updateUserByIdOrEmail(ctx, { userId: b.user_id, userEmail: b.user_email }, { ...fields({ ...b, user_email: b.user_id ? b.user_email : undefined }), spend: b.spend });
    return userRow(user);
  });

  restRoute(fastify, app, 'POST', '/user/delete', async (ctx, req) => {
    const b = parse(z.object({ user_ids: z.array(z.string()).min(1, 'user_ids must list at least one user') }), req.body);
    await deleteUsers(ctx, b.user_ids);
    return { deleted_users: b.user_ids };
  });

  restRoute(fastify, app, 'GET', '/user/info', async (ctx, req) => {
    const q = parse(z.object({ user_id: opt(z.string()) }), req.query);
    const id = q.user_id ?? ctx.principal!.userId;
    if (!id) throw badInput('user_id is required for a key without owner.', 'user_id');
    const user = await getUser(ctx, id);
    const keys = await listKeys(ctx, { userId: id }, { first: 100 });
    const ms = await visibleMembershipsOf(ctx, id);
    return { user_id: id, user_info: userRow(user), keys: keys.nodes.map(keyRow), teams: ms.map((m) => memberRow(m, memberBudget(ctx, m))) };
  });

  restRoute(fastify, app, 'GET', '/user/list', async (ctx, req) => {
    const q = parse(pageQuery.extend({ role: role(), user_email: opt(z.string()), team: opt(z.string()) }), req.query);
    const { size, page, args } = pageArgs(q, 25);
    const res = await listUsers(ctx, { role: (q.role ?? undefined) as Role | undefined, email: q.user_email, teamId: q.team }, args);
    return { users: res.nodes.map(userRow), total: res.totalCount, page, page_size: size, total_pages: Math.ceil(res.totalCount / size) };
  });
}
