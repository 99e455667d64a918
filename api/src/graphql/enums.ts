import { registerEnumType } from 'type-graphql';
import type { AuthMethod } from '../auth/principal.js';
import { ROLE_DESCRIPTIONS, ROLES, TEAM_ROLES, type Role } from '../permissions/roles.js';
import { MEMBERSHIP_SOURCES } from '../teams/membership-source.js';

/**
 * GraphQL enum values are UPPER_CASE (the convention clients and linters expect), while REST,
 * config, the database and the audit log keep LiteLLM's lower-case strings. type-graphql maps
 * an object's keys to GraphQL names and its values to what resolvers see, so each enum here is
 * derived from the one internal list: `['proxy_admin']` → `{ PROXY_ADMIN: 'proxy_admin' }`.
 * Resolvers therefore receive and return the lower-case strings; nothing else changes.
 */
export function upperCaseEnum<const T extends readonly string[]>(values: T): { [K in T[number] as Uppercase<K>]: K } {
  return Object.fromEntries(values.map((v) => [v.toUpperCase(), v])) as never;
}

/** Descriptions keyed by GraphQL name, from descriptions keyed by internal value. */
function describe<T extends string>(descriptions: Record<T, string>): Record<string, { description: string }> {
  return Object.fromEntries(Object.entries<string>(descriptions).map(([v, description]) => [v.toUpperCase(), { description }]));
}

export const UserRoleEnum = upperCaseEnum(ROLES);
registerEnumType(UserRoleEnum, {
  name: 'UserRole',
  description: 'Global role, as LiteLLM names them (`proxy_admin` is PROXY_ADMIN here).',
  valuesConfig: describe(
    Object.fromEntries(ROLES.map((r) => [r, ROLE_DESCRIPTIONS[r].description])) as Record<Role, string>,
  ),
});

export const TeamRoleEnum = upperCaseEnum(TEAM_ROLES);
registerEnumType(TeamRoleEnum, {
  name: 'TeamRole',
  description: 'Role inside a team.',
  valuesConfig: describe({
    admin: 'Manages members and all keys of the team.',
    user: 'Member: uses the team and manages own team keys.',
  }),
});

export const MembershipSourceEnum = upperCaseEnum(MEMBERSHIP_SOURCES);
registerEnumType(MembershipSourceEnum, {
  name: 'MembershipSource',
  description: 'How a membership was made: by a person (MANUAL), by SSO group sync (SSO) or by SCIM provisioning (SCIM).',
  valuesConfig: describe({
    manual: 'Added by a person (GraphQL, REST or the dashboard).',
    sso: 'Made by SSO group sync.',
    scim: 'Made by SCIM group provisioning (Okta, Entra ID).',
  }),
});

/** How a caller of the API can authenticate (internal jobs run as `system` and never reach GraphQL). */
export const CALLER_METHODS = ['master_key', 'session', 'virtual_key'] as const satisfies readonly AuthMethod[];
export type CallerMethod = (typeof CALLER_METHODS)[number];

export const AuthMethodEnum = upperCaseEnum(CALLER_METHODS);
registerEnumType(AuthMethodEnum, {
  name: 'AuthMethod',
  description: 'How the caller authenticated.',
  valuesConfig: describe({
    master_key: 'The master key (acts as default_user_id, a proxy_admin).',
    session: 'A dashboard session cookie.',
    virtual_key: 'A virtual key (sk-...), acting as its owner.',
  }),
});
