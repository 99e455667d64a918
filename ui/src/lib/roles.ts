import type { UserRole } from '$lib/graphql/graphql';

/**
 * GraphQL names roles in UPPER_CASE (`PROXY_ADMIN`); people know LiteLLM's names
 * (`proxy_admin`: the config, REST and error messages use them), so that is what we show.
 */
export const roleName = (role: UserRole): string => role.toLowerCase();
