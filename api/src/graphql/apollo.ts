import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import type { App } from '../app/context.js';
import { logUnexpected } from '../common/error-log.js';
import { AppError } from '../common/errors.js';
import { databaseUnavailable, isConnectionError } from '../db/outage.js';
import type { GqlContext } from './context.js';
import { costLimit } from './cost.js';
import { depthLimitRule } from './depth.js';
import { unstorableInputGuard } from './input-guard.js';
import { buildServedSchema } from './schema.js';

/** Tokens in one GraphQL document at most (a large dashboard query has about 2,000). */
export const MAX_TOKENS = 10_000;

/** AppError → its code; GraphQL's own errors pass; anything else is hidden behind a generic message. */
export function formatError(app: App) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const raw = error instanceof GraphQLError ? (error.originalError ?? error) : error;
    // the database away is not a bug: its own code and message (the response becomes a 503: dbDownStatus)
    if (isConnectionError(raw)) app.db.down();
    const original = isConnectionError(raw) ? databaseUnavailable() : raw;
    if (original instanceof AppError)
      return {
        message: original.message,
        path: formatted.path,
        locations: formatted.locations,
        extensions: { code: original.code, ...(original.param ? { param: original.param } : {}) },
      };
    const code = formatted.extensions?.code;
    if (original instanceof GraphQLError || (code && code !== 'INTERNAL_SERVER_ERROR'))
      return { message: formatted.message, path: formatted.path, locations: formatted.locations, extensions: { code } };
    logUnexpected(app.log, 'graphql', original);
    return { message: 'Internal server error.', path: formatted.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } };
  };
}

/** A response whose errors include "the database is unreachable" is a 503, so clients and balancers retry. */
function dbDownStatus(): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response, errors }) {
          if (errors?.some((e) => isConnectionError(e.originalError ?? e) || (e.originalError instanceof AppError && e.originalError.code === 'SERVICE_UNAVAILABLE')))
            response.http.status = 503;
        },
      };
    },
  };
}

export async function createApollo(app: App, fastify: FastifyInstance) {
  const schema = buildServedSchema();
  const gs = app.settings.config.general_settings;
  const apollo = new ApolloServer<GqlContext>({
    schema,
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimitRule(gs.graphql_max_depth ?? 10)],
    // bounds the work of parsing and validating one document (nesting is capped by depthLimitRule)
    parseOptions: { maxTokens: MAX_TOKENS },
    // the NUL check first: a refused input is a 400 before anything else looks at it
    plugins: [fastifyApolloDrainPlugin(fastify), unstorableInputGuard(), costLimit(schema, gs.graphql_max_cost ?? 1000), dbDownStatus()],
    // Apollo's own messages (unexpected pipeline errors) go to our log, not the console
    logger: { debug() {}, info: (m) => app.log.info(String(m)), warn: (m) => app.log.warn(String(m)), error: (m) => app.log.error(`graphql: ${String(m)}`) },
    formatError: formatError(app),
  });
  await apollo.start();
  return apollo;
}
