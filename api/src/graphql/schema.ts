import 'reflect-metadata';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { applyMiddleware } from 'graphql-middleware';
import { buildSchemaSync } from 'type-graphql';
import { AuthResolver } from '../auth/auth.resolver.js';
import { InvitationResolver } from '../invitations/invitation.resolver.js';
import { KeyResolver } from '../keys/key.resolver.js';
import { buildShield } from '../permissions/shield.js';
import { SettingsResolver } from '../settings/settings.resolver.js';
import { UsageResolver } from '../spend/usage.resolver.js';
import { TeamMemberResolver, TeamResolver } from '../teams/team.resolver.js';
import { UserResolver } from '../users/user.resolver.js';

export const RESOLVERS = [AuthResolver, UserResolver, TeamResolver, TeamMemberResolver, KeyResolver, SettingsResolver, InvitationResolver, UsageResolver] as const;

let cached: GraphQLSchema | null = null;

/** The schema as type-graphql builds it from the code (no shield). */
export function buildBaseSchema(): GraphQLSchema {
  cached ??= buildSchemaSync({ resolvers: RESOLVERS as never, emitSchemaFile: false });
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
