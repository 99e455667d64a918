import type { Ctx } from '../app/context.js';
import { audit } from '../audit/audit.service.js';
import { applyBudgetInput, type BudgetInput } from '../budgets/budget.service.js';
import { newId } from '../common/ids.js';
import { blockKeysOfFormerMember } from '../keys/key.service.js';
import { isAllowed } from '../permissions/authorize.js';
import type { TeamRole } from '../permissions/roles.js';
import type { User } from '../users/user.entity.js';
import { TeamMembership, type MembershipSource } from './membership.entity.js';
import type { Team } from './team.entity.js';

export const membershipSnapshot = (m: TeamMembership) => ({
  userId: m.user.id,
  teamId: m.team.id,
  role: m.role,
  source: m.source,
  maxBudgetInTeam: m.maxBudget,
  budgetDuration: m.budgetDuration,
});

/** Adds a membership to the unit of work (the caller flushes), audited. */
export function addMembership(
  ctx: Ctx,
  user: User,
  team: Team,
  role: TeamRole,
  source: MembershipSource,
  budget: BudgetInput = {},
): TeamMembership {
  const m = new TeamMembership();
  m.id = newId();
  m.user = user;
  m.team = team;
  m.role = role;
  m.source = source;
  applyBudgetInput(m.budget, budget, ctx.app.settings.timezone);
  ctx.em.persist(m);
  audit(ctx, 'team.member.add', { type: 'team', id: team.id }, null, membershipSnapshot(m));
  return m;
}

/**
 * Ends a membership on every path that removes one (team admin, SSO sync): removed and
 * audited, and the member's keys of that team blocked so they stop at the gateway at once
 * (no member budget would bound them any more). The caller flushes. Returns the blocked key ids.
 */
export async function endMembership(ctx: Ctx, m: TeamMembership): Promise<string[]> {
  const blocked = await blockKeysOfFormerMember(ctx, m.team.id, m.user.id);
  audit(ctx, 'team.member.remove', { type: 'team', id: m.team.id }, { ...membershipSnapshot(m), blockedKeyIds: blocked }, null);
  ctx.em.remove(m);
  return blocked;
}

/**
 * Whether the caller may see a member's spend and member budget: the member, that team's
 * admins and platform admins (`team.member.budget.read`); fellow members see the membership
 * without the figures. GraphQL field resolvers and REST rows both ask here.
 */
export function mayReadMemberBudget(ctx: Ctx, m: TeamMembership): boolean {
  return isAllowed(ctx.principal, 'team.member.budget.read', { kind: 'member', userId: m.user.id, teamId: m.team.id });
}

/** The member's budget figures (USD), or all null when the caller may not see them. */
export function memberBudget(ctx: Ctx, m: TeamMembership) {
  const shown = mayReadMemberBudget(ctx, m);
  return {
    spend: shown ? m.spend : null,
    maxBudget: shown ? m.maxBudget : null,
    softBudget: shown ? m.softBudget : null,
    budgetDuration: shown ? m.budgetDuration : null,
    budgetResetAt: shown ? m.budgetResetAt : null,
  };
}

/**
 * A user's memberships in the teams the caller may read, oldest first: `user.teams` on
 * GraphQL and the teams of REST /user/info both list these.
 */
export async function visibleMembershipsOf(ctx: Ctx, userId: string): Promise<TeamMembership[]> {
  const ms = await ctx.em.find(TeamMembership, { user: userId }, { populate: ['team', 'user'], orderBy: { createdAt: 'asc' } });
  return ms.filter((m) => isAllowed(ctx.principal, 'team.read', { kind: 'team', teamId: m.team.id }));
}
