/**
 * The one place that knows how role enum values look and read. Values are compared
 * case-insensitively, so `proxy_admin` and `PROXY_ADMIN` (the schema's new spelling) both work.
 */
import { graphql } from '$lib/graphql';

const norm = (value: string | null | undefined) => (value ?? '').toLowerCase();

const GLOBAL_LABELS: Record<string, string> = {
  proxy_admin: 'Proxy admin',
  proxy_admin_viewer: 'Admin viewer',
  internal_user: 'Internal user',
  internal_user_viewer: 'Internal viewer',
};

const TEAM_LABELS: Record<string, string> = { admin: 'Team admin', user: 'Member' };

export const roleLabel = (role: string | null | undefined): string => GLOBAL_LABELS[norm(role)] ?? String(role ?? '—');
export const teamRoleLabel = (role: string | null | undefined): string => TEAM_LABELS[norm(role)] ?? String(role ?? '—');

export const isAdminRole = (role: string | null | undefined): boolean => norm(role) === 'proxy_admin' || norm(role) === 'proxy_admin_viewer';

/**
 * The enum values as the server spells them today, read by introspection, so role pickers
 * send whatever spelling the schema has (lower or UPPER case) without a code change.
 */
export const RoleEnumsQuery = graphql(`
  query RoleEnums {
    userRoles: __type(name: "UserRole") {
      enumValues {
        name
      }
    }
    teamRoles: __type(name: "TeamRole") {
      enumValues {
        name
      }
    }
  }
`);

/** Choices for a role picker from the introspected values, in the order given by `order`. */
export function roleOptions(values: { name: string }[] | null | undefined, order: string[], label: (v: string) => string) {
  const names = (values ?? []).map((v) => v.name);
  const rank = (n: string) => (order.indexOf(norm(n)) + 1 || 99);
  return names.sort((a, b) => rank(a) - rank(b)).map((value) => ({ value, label: label(value) }));
}

export const GLOBAL_ROLE_ORDER = ['internal_user', 'internal_user_viewer', 'proxy_admin_viewer', 'proxy_admin'];
export const TEAM_ROLE_ORDER = ['user', 'admin'];

/** The value among `values` that means `wanted`, whatever its case. */
export const pickRole = (values: { value: string }[], wanted: string): string => values.find((v) => norm(v.value) === norm(wanted))?.value ?? '';

/** LiteLLM's name of a role (`proxy_admin`), as the config, REST and error messages use it. */
export const roleName = (role: string): string => role.toLowerCase();
