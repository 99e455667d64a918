import type { Role, TeamRole } from '../permissions/roles.js';

export type AuthMethod = 'master_key' | 'session' | 'virtual_key' | 'system' | 'scim';

/**
 * Who is calling, resolved once per request from the master key, a session cookie or a
 * virtual key. Shield rules and services read only this.
 */
export interface Principal {
  method: AuthMethod;
  /** null only for a virtual key without owner */
  userId: string | null;
  /** null only for a virtual key without owner: such a key acts only within its own scope */
  role: Role | null;
  email: string | null;
  /** team id → the caller's role in it */
  teams: Map<string, TeamRole>;
  /** the key used, when method is virtual_key */
  keyId?: string;
  /** a team key without owner: its team (the map's `teamKey` grants reach only this team) */
  keyTeamId?: string;
  /** the session id, when method is session */
  sessionId?: string;
  /** the internal job acting, when method is system */
  job?: SystemJob;
}

/** Internal jobs that write through the services (audited with actor method `system`). */
export type SystemJob = 'sso' | 'scim';

/**
 * The principal of an internal job: no user, no role, so no role grant applies; authorize()
 * allows it exactly the operations the permission map grants to `system` (deny by default).
 */
export const systemPrincipal = (job: SystemJob): Principal => ({ method: 'system', userId: null, role: null, email: null, teams: new Map(), job });

export const DEFAULT_USER_ID = 'default_user_id';

/**
 * The principal of a SCIM request (a provisioning token): like an internal job it has no role
 * and gets only the map's `system` grants, but it is audited with actor method `scim`.
 */
export const scimPrincipal = (): Principal => ({ method: 'scim', userId: null, role: null, email: null, teams: new Map(), job: 'scim' });
