import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app/context.js';
import { badInput } from '../common/errors.js';
import { generateKey, listKeys } from '../keys/key.service.js';
import { isRole, type Role } from '../permissions/roles.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { memberBudget } from '../teams/membership.service.js';
import { isAllowed } from '../permissions/authorize.js';
import { createUser, deleteUser, getUser, listUsers, updateUserByIdOrEmail } from '../users/user.service.js';
import { iso, json, money, nn, opt, pageArgs, pageQuery, parse, restRoute, str, strList } from './common.js';
import { keyRow, memberRow, userRow } from './shapes.js';

const role = () => opt(z.string().refine(isRole, 'must be one of proxy_admin, proxy_admin_viewer, internal_user, internal_user_viewer'));

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
  teams: opt(z.array(z.union([z.string(), z.object({ team_id: z.string(), role: opt(z.enum(['admin', 'user'])), max_budget_in_team: money() })]))),
  auto_create_key: opt(z.boolean()),
  key_alias: str(),
  duration: str(),
  sso_user_id: str(),
});

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

export function registerUserRoutes(fastify: FastifyInstance, app: App) {
  // like LiteLLM, a key is minted for the new user unless auto_create_key is false
  restRoute(fastify, app, 'POST', '/user/new', async (ctx, req) => {
    const b = parse(newUserSchema, req.body);
    return ctx.em.transactional(async (em) => {
      const tx = { ...ctx, em };
      const user = await createUser(tx, {
        ...fields(b),
        userId: b.user_id,
        ssoId: b.sso_user_id,
        teams: b.teams?.map((t) => (typeof t === 'string' ? t : { teamId: t.team_id, role: nn(t.role), maxBudgetInTeam: t.max_budget_in_team })),
      });
      let key: { secret: string; expires: string | null; id: string } | null = null;
      if (b.auto_create_key !== false) {
        const g = await generateKey(tx, { userId: user.id, keyAlias: b.key_alias, duration: b.duration, models: b.models ?? undefined });
        key = { secret: g.secret, expires: iso(g.key.expiresAt), id: g.key.id };
      }
      const teams = await em.find(TeamMembership, { user: user.id }, { populate: ['team'] });
      return { ...userRow(user), key: key?.secret ?? null, key_id: key?.id ?? null, expires: key?.expires ?? null, teams: teams.map((m) => m.team.id) };
    });
  });

  restRoute(fastify, app, 'POST', '/user/update', async (ctx, req) => {
    const b = parse(z.object({ ...userFields, user_id: str(), spend: money() }), req.body);
    // with a user_id, user_email is the new email; without, it names the user
    const user = await updateUserByIdOrEmail(ctx, { userId: b.user_id, userEmail: b.user_email }, { ...fields({ ...b, user_email: b.user_id ? b.user_email : undefined }), spend: b.spend });
    return userRow(user);
  });

  restRoute(fastify, app, 'POST', '/user/delete', async (ctx, req) => {
    const b = parse(z.object({ user_ids: z.array(z.string()).min(1, 'user_ids must list at least one user') }), req.body);
    return ctx.em.transactional(async (em) => {
      for (const id of b.user_ids) await deleteUser({ ...ctx, em }, id);
      return { deleted_users: b.user_ids };
    });
  });

  restRoute(fastify, app, 'GET', '/user/info', async (ctx, req) => {
    const q = parse(z.object({ user_id: opt(z.string()) }), req.query);
    const id = q.user_id ?? ctx.principal!.userId;
    if (!id) throw badInput('user_id is required for a key without owner.', 'user_id');
    const user = await getUser(ctx, id);
    const keys = await listKeys(ctx, { userId: id }, { first: 100 });
    const ms = await ctx.em.find(TeamMembership, { user: id }, { populate: ['team', 'user'] });
    return {
      user_id: id,
      user_info: userRow(user),
      keys: keys.nodes.map(keyRow),
      teams: ms.filter((m) => isAllowed(ctx.principal, 'team.read', { kind: 'team', teamId: m.team.id })).map((m) => memberRow(m, memberBudget(ctx, m))),
    };
  });

  restRoute(fastify, app, 'GET', '/user/list', async (ctx, req) => {
    const q = parse(pageQuery.extend({ role: role(), user_email: opt(z.string()), team: opt(z.string()) }), req.query);
    const { size, page, args } = pageArgs(q, 25);
    const res = await listUsers(ctx, { role: (q.role ?? undefined) as Role | undefined, email: q.user_email, teamId: q.team }, args);
    return { users: res.nodes.map(userRow), total: res.totalCount, page, page_size: size, total_pages: Math.ceil(res.totalCount / size) };
  });
}
