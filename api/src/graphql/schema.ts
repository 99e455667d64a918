import 'reflect-metadata';
import { GraphQLObjectType, GraphQLSchema, lexicographicSortSchema, printSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchemaSync } from 'type-graphql';
import { AccessRequestResolver } from '../access-requests/access-request.resolver.js';
import { AuditEntryResolver } from '../audit/audit.resolver.js';
import { AuthResolver } from '../auth/auth.resolver.js';
import { UiConfigResolver } from '../auth/ui-config.js';
import { KeyLimitsResolver } from '../budgets/limits.resolver.js';
import { CustomerRunwayResolver, KeyRunwayResolver, MemberRunwayResolver, TeamRunwayResolver, UserRunwayResolver } from '../budgets/runway.resolver.js';
import { CustomerResolver, NamedBudgetResolver } from '../customers/customer.resolver.js';
import { ScimTokenFieldsResolver, ScimTokenResolver } from '../scim/scim.resolver.js';
import { InvitationResolver } from '../invitations/invitation.resolver.js';
import { KeyResolver } from '../keys/key.resolver.js';
import { buildShield } from '../permissions/shield.js';
import { SettingsResolver } from '../settings/settings.resolver.js';
import { UsageResolver } from '../spend/usage.resolver.js';
import { TeamMemberResolver, TeamResolver } from '../teams/team.resolver.js';
import { UserResolver } from '../users/user.resolver.js';

export const RESOLVERS = [AuthResolver, UiConfigResolver, UserResolver, TeamResolver, TeamMemberResolver, KeyResolver, KeyLimitsResolver, KeyRunwayResolver, UserRunwayResolver, TeamRunwayResolver, MemberRunwayResolver, CustomerRunwayResolver, SettingsResolver, AuditEntryResolver, InvitationResolver, UsageResolver, CustomerResolver, NamedBudgetResolver, ScimTokenResolver, ScimTokenFieldsResolver, AccessRequestResolver] as const;

export const QUERY_DESCRIPTION =
  'Reads. Each field is checked against the permission map and answers only what the caller may see (own, team or all).';
export const MUTATION_DESCRIPTION =
  'Writes. Each mutation takes one argument, `input`, of its own input type named after it (`deleteKey(input: DeleteKeyInput!)`), so each can change alone; `logout` takes none.';

/**
 * type-graphql has no option for the root types' descriptions: copy Query and Mutation with a
 * description (graphql-js `toConfig`, same fields and resolvers) and rebuild the schema around
 * them. Done here, before the SDL is printed and the shield applied, so served and committed
 * schemas stay identical.
 */
function describeRootTypes(schema: GraphQLSchema): GraphQLSchema {
  const config = schema.toConfig();
  const roots = new Set([config.query, config.mutation]);
  return new GraphQLSchema({
    ...config,
    query: config.query && new GraphQLObjectType({ ...config.query.toConfig(), description: QUERY_DESCRIPTION }),
    mutation: config.mutation && new GraphQLObjectType({ ...config.mutation.toConfig(), description: MUTATION_DESCRIPTION }),
    types: config.types.filter((t) => !roots.has(t as GraphQLObjectType)),
  });
}

let cached: GraphQLSchema | null = null;

/** The schema as type-graphql builds it from the code, with root descriptions (no shield). */
export function buildBaseSchema(): GraphQLSchema {
  cached ??= describeRootTypes(buildSchemaSync({ resolvers: RESOLVERS as never, emitSchemaFile: false }));
  return cached;
}

/** The served schema: base schema + shield rules generated from the permission map. */
export function buildServedSchema(): GraphQLSchema {
  const base = buildBaseSchema();
  return applyMiddleware(base, buildShield(base));
}

/** The SDL committed in schema/schema.graphql. */
export function printSdl(): string {
  return printSchema(lexicographicSortSchema(buildBaseSchema())) + '\n';
}
