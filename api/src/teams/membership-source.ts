/**
 * How a membership was made. Its own module so the entity, services and the GraphQL enum share
 * one list without an import cycle (graphql/enums.ts must not import the entity).
 */
export const MEMBERSHIP_SOURCES = ['manual', 'sso', 'scim'] as const;
export type MembershipSource = (typeof MEMBERSHIP_SOURCES)[number];
