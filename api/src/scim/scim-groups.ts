import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { DEFAULT_USER_ID } from '../auth/principal.js';
import { authorize } from '../permissions/authorize.js';
import { syncableTeamIds } from '../sso/sso.service.js';
import { TeamMembership } from '../teams/membership.entity.js';
import { addMembership, endMembership } from '../teams/membership.service.js';
import { Team } from '../teams/team.entity.js';
import { createTeam, teamSnapshot } from '../teams/team.service.js';
import { User } from '../users/user.entity.js';
import { scimBad, ScimError, scimNotFound } from './scim-errors.js';
import { ScimGroup } from './scim-user.entity.js';
import { scimCall } from './scim-users.js';

export const GROUP_SCHEMA = 'urn:ietf:params:scim:schemas:core:2.0:Group';

export interface ScimGroupInput {
  displayName: string;
  externalId: string | null;
  /** user ids; null = not given (PATCH results always give them) */
  members: string[] | null;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function line(field: string, v: unknown, max: number): string | null {
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw scimBad(`${field} must be a string.`);
  if (v.length > max) throw scimBad(`${field} is too long (at most ${max} characters).`);
  if (/[\u0000-\u001f\u007f]/.test(v)) throw scimBad(`${field} contains control characters.`);
  return v.trim() || null;
}

export function readGroupBody(body: unknown): ScimGroupInput {
  if (!isObj(body)) throw scimBad('The body must be a SCIM Group object.', 'invalidSyntax');
  const displayName = line('displayName', body.displayName, 128);
  if (!displayName) throw scimBad('displayName is required.');
  let members: string[] | null = null;
  if (body.members !== undefined && body.members !== null) {
    if (!Array.isArray(body.members) || body.members.length > 10_000) throw scimBad('members must be an array (at most 10000).');
    members = body.members.map((m, i) => {
      const v = isObj(m) ? line(`members[${i}].value`, m.value, 128) : null;
      if (!v) throw scimBad(`members[${i}] needs a value (a user id).`);
      return v;
    });
  }
  return { displayName, externalId: line('externalId', body.externalId, 128), members };
}

const location = (ctx: Ctx, id: string) => `${ctx.app.settings.baseUrl.replace(/\/$/, '')}/scim/v2/Groups/${encodeURIComponent(id)}`;

async function toScimGroup(ctx: Ctx, team: Team, g: ScimGroup) {
  const ms = await ctx.em.find(TeamMembership, { team: team.id }, { populate: ['user'], orderBy: { createdAt: 'asc', id: 'asc' } });
  return {
    schemas: [GROUP_SCHEMA],
    id: team.id,
    ...(g.externalId ? { externalId: g.externalId } : {}),
    displayName: team.alias ?? team.id,
    members: ms.map((m) => ({ value: m.user.id, display: m.user.email ?? m.user.alias ?? m.user.id })),
    meta: { resourceType: 'Group', created: team.createdAt.toISOString(), lastModified: team.updatedAt.toISOString(), location: location(ctx, team.id) },
  };
}

async function findGroup(ctx: Ctx, id: string): Promise<{ team: Team; g: ScimGroup }> {
  const g = id.length <= 128 ? await ctx.em.findOne(ScimGroup, { teamId: id }) : null;
  const team = g ? await ctx.em.findOne(Team, { id }) : null;
  if (!g || !team) throw scimNotFound(`Group ${id} not found.`);
  return { team, g };
}

export async function getScimGroup(ctx: Ctx, id: string) {
  authorize(ctx.principal, 'scim.provision');
  const { team, g } = await findGroup(ctx, id);
  return toScimGroup(ctx, team, g);
}

export type GroupFilter = { attr: 'displayName' | 'externalId' | 'id'; value: string } | null;

/** The teams SCIM manages (created or linked by POST /Groups). */
export async function listScimGroups(ctx: Ctx, filter: GroupFilter, startIndex: number, count: number) {
  authorize(ctx.principal, 'scim.provision');
  const links = await ctx.em.find(ScimGroup, filter?.attr === 'externalId' ? { externalId: filter.value } : {});
  const byId = new Map(links.map((l) => [l.teamId, l]));
  const where: Record<string, unknown> = { id: { $in: [...byId.keys()] } };
  if (filter?.attr === 'displayName') where.alias = filter.value;
  if (filter?.attr === 'id') where.id = { $in: byId.has(filter.value) ? [filter.value] : [] };
  const [teams, total] = await ctx.em.findAndCount(Team, where, { orderBy: { createdAt: 'asc', id: 'asc' }, offset: startIndex - 1, limit: count });
  const resources = [];
  for (const t of teams) resources.push(await toScimGroup(ctx, t, byId.get(t.id)!));
  return { total, resources };
}

async function usersOf(ctx: Ctx, ids: string[]): Promise<User[]> {
  const unique = [...new Set(ids)];
  const users = unique.length ? await ctx.em.find(User, { id: { $in: unique } }) : [];
  const missing = unique.filter((id) => id === DEFAULT_USER_ID || !users.some((u) => u.id === id));
  if (missing.length) throw scimBad(`No such user: ${missing.slice(0, 5).join(', ')}.`, 'invalidValue');
  return users;
}

/**
 * Members become what the IdP lists: new ones join as `user` with source `scim`; one the IdP
 * drops leaves only when SCIM made the membership, never a `manual` (or `sso`)
 * one, as SSO team sync leaves manual ones alone. The caller flushes.
 */
async function syncMembers(ctx: Ctx, team: Team, wanted: string[]) {
  const users = await usersOf(ctx, wanted);
  const ms = await ctx.em.find(TeamMembership, { team: team.id }, { populate: ['user', 'team'] });
  const current = new Set(ms.map((m) => m.user.id));
  for (const u of users) if (!current.has(u.id)) addMembership(ctx, u, team, 'user', 'scim');
  const keep = new Set(users.map((u) => u.id));
  for (const m of ms) if (!keep.has(m.user.id) && m.source === 'scim') await endMembership(ctx, m);
}

/**
 * POST /Groups: the team id is the IdP's externalId (Entra: the group's object id) or else the
 * displayName (Okta) — the same value each IdP sends in the SSO groups claim, so SSO team sync
 * and SCIM land in one team. sso_team_id_pattern filters it; a new team gets
 * default_team_params as in SSO team sync; an existing team not yet SCIM-managed is linked.
 */
export async function createScimGroup(ctx: Ctx, input: ScimGroupInput) {
  authorize(ctx.principal, 'scim.provision');
  const teamId = input.externalId ?? input.displayName;
  if (syncableTeamIds(ctx, [teamId]).skipped.length)
    throw scimBad(`Group ${teamId} does not match sso_team_id_pattern: it is not provisioned as a team.`, 'invalidValue');
  return scimCall(() =>
    ctx.em.transactional(async (em) => {
      const tx: Ctx = { ...ctx, em };
      let team = await em.findOne(Team, { id: teamId });
      const stale = await em.findOne(ScimGroup, { teamId });
      if (stale && team) throw new ScimError(409, `Group ${teamId} already exists.`, 'uniqueness');
      if (team) audit(tx, 'team.scim_link', { type: 'team', id: team.id }, null, { externalId: input.externalId });
      else team = await createTeam(tx, { teamId, teamAlias: input.displayName }, 'sso');
      // a link left by a team deleted through the admin API is reused for the new team
      const g = stale ?? new ScimGroup();
      g.teamId = team.id;
      g.externalId = input.externalId;
      em.persist(g);
      if (input.members) await syncMembers(tx, team, input.members);
      await em.flush();
      return toScimGroup(tx, team, g);
    }),
  );
}

/** PUT (and a PATCH's result): displayName becomes the team alias; members as syncMembers says. */
export async function replaceScimGroup(ctx: Ctx, id: string, input: ScimGroupInput) {
  authorize(ctx.principal, 'scim.provision');
  return scimCall(() =>
    ctx.em.transactional(async (em) => {
      const tx: Ctx = { ...ctx, em };
      const { team, g } = await findGroup(tx, id);
      if (input.displayName !== team.alias) {
        const before = teamSnapshot(team);
        team.alias = input.displayName;
        audit(tx, 'team.scim_update', { type: 'team', id: team.id }, before, teamSnapshot(team));
      }
      if (input.externalId !== null && input.externalId !== g.externalId) {
        audit(tx, 'team.scim_external_id', { type: 'team', id: team.id }, { externalId: g.externalId }, { externalId: input.externalId });
        g.externalId = input.externalId;
      }
      if (input.members) await syncMembers(tx, team, input.members);
      await em.flush();
      return toScimGroup(tx, team, g);
    }),
  );
}

/** DELETE /Groups/:id: SCIM stops managing the team and its `scim` memberships end; the team stays (its spend history too). */
export async function deleteScimGroup(ctx: Ctx, id: string) {
  authorize(ctx.principal, 'scim.provision');
  await scimCall(() =>
    ctx.em.transactional(async (em) => {
      const tx: Ctx = { ...ctx, em };
      const { team, g } = await findGroup(tx, id);
      const ms = await em.find(TeamMembership, { team: team.id, source: 'scim' }, { populate: ['user', 'team'] });
      for (const m of ms) await endMembership(tx, m);
      audit(tx, 'team.scim_unlink', { type: 'team', id: team.id }, { externalId: g.externalId }, null);
      em.remove(g);
      await em.flush();
    }),
  );
}
