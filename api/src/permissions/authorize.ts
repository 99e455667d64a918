import { AppError, forbidden, unauthenticated } from '../common/errors.js';
import type { Principal } from '../auth/principal.js';
import { PERMISSIONS, type GlobalScope, type Operation, type OperationRule, type TeamScope } from './map.js';
import { isViewerRole } from './roles.js';

/** What an operation is applied to, described only by what the rules look at. */
export type Target =
  | { kind: 'user'; userId: string; teamIds: string[] }
  | { kind: 'team'; teamId: string }
  /** one user's membership of one team */
  | { kind: 'member'; userId: string; teamId: string }
  | { kind: 'key'; ownerId: string | null; teamId: string | null }
  /** a usage read about one user (ownerId) and/or one team */
  | { kind: 'usage'; ownerId: string | null; teamId: string | null };

/** The reach an operation gives a caller: services turn it into query filters. */
export interface Reach {
  all: boolean;
  /** the caller may act on own objects */
  own: boolean;
  /** teams whose objects the caller reaches entirely */
  teams: string[];
  /** teams where the caller reaches only own objects */
  ownInTeams: string[];
}

function teamGrantsApply(rule: OperationRule, p: Principal) {
  return !(rule.write && isViewerRole(p.role));
}

/** The reach of `op` for `p`; all false when the map grants nothing. */
export function reachOf(p: Principal, op: Operation): Reach {
  const rule: OperationRule = PERMISSIONS[op];
  const reach: Reach = { all: false, own: false, teams: [], ownInTeams: [] };
  // an internal job has no role: only the map's explicit system grants apply
  if (p.method === 'system') {
    reach.all = rule.system === 'all';
    return reach;
  }
  // a SCIM token: only the map's explicit scim grants
  if (p.method === 'scim') {
    reach.all = rule.scim === 'all';
    return reach;
  }
  // a team key without owner: only the map's explicit teamKey grants, on its own team
  if (!p.role) {
    if (p.keyTeamId && !p.userId && rule.teamKey === 'team') reach.teams.push(p.keyTeamId);
    return reach;
  }
  const scope: GlobalScope | undefined = rule.roles[p.role];
  if (scope === 'all') reach.all = true;
  if (scope === 'own') reach.own = true;
  if (rule.teamRoles && teamGrantsApply(rule, p)) {
    for (const [teamId, teamRole] of p.teams) {
      const ts: TeamScope | undefined = rule.teamRoles[teamRole];
      if (ts === 'team') reach.teams.push(teamId);
      else if (ts === 'own') reach.ownInTeams.push(teamId);
    }
  }
  return reach;
}

/** Whether the map gives `p` any grant at all for `op` (the shield rule). */
export function mayAttempt(p: Principal | null, op: Operation): boolean {
  const rule: OperationRule = PERMISSIONS[op];
  if (rule.anonymous) return true;
  if (!p) return false;
  const r = reachOf(p, op);
  return r.all || r.own || r.teams.length > 0 || r.ownInTeams.length > 0;
}

function covers(p: Principal, r: Reach, t: Target): boolean {
  if (r.all) return true;
  switch (t.kind) {
    case 'user':
      return (r.own && t.userId === p.userId) || t.teamIds.some((id) => r.teams.includes(id));
    case 'team':
      return (r.own && p.teams.has(t.teamId)) || r.teams.includes(t.teamId);
    case 'member':
      return (r.own && t.userId === p.userId) || r.teams.includes(t.teamId);
    case 'key':
    case 'usage': {
      const mine = t.ownerId !== null && t.ownerId === p.userId;
      if (t.teamId && r.teams.includes(t.teamId)) return true;
      if (mine && t.teamId && r.ownInTeams.includes(t.teamId)) return true;
      return r.own && mine;
    }
  }
}

/**
 * The one authorization check. Throws UNAUTHENTICATED without a principal and FORBIDDEN
 * when the map does not cover the target; returns the caller's reach otherwise.
 */
export function authorize(p: Principal | null, op: Operation, target?: Target): Reach {
  const rule: OperationRule = PERMISSIONS[op];
  // anonymous operations (sign-in, invitation by token) are open to anyone, signed in or not
  if (rule.anonymous) return { all: false, own: false, teams: [], ownInTeams: [] };
  if (!p) throw unauthenticated();
  const reach = reachOf(p, op);
  const any = reach.all || reach.own || reach.teams.length > 0 || reach.ownInTeams.length > 0;
  if (!any || (target && !covers(p, reach, target))) throw denied(p, op);
  return reach;
}

export function isAllowed(p: Principal | null, op: Operation, target?: Target): boolean {
  try {
    authorize(p, op, target);
    return true;
  } catch (e) {
    if (e instanceof AppError) return false;
    throw e;
  }
}

function denied(p: Principal, op: Operation) {
  if (p.method === 'system' || p.method === 'scim') return forbidden(`The ${p.job ?? 'internal'} job is not granted this in the permission map: ${PERMISSIONS[op].description.toLowerCase()}.`);
  const role = p.role ?? 'none (key without owner)';
  return forbidden(`Your role (${role}) does not allow this: ${PERMISSIONS[op].description.toLowerCase()}.`);
}
