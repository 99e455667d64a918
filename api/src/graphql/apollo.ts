import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { fastifyApolloDrainPlugin } from '@as-integrations/fastify';
import type { FastifyInstance } from 'fastify';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import depthLimit from 'graphql-depth-limit';
import type { ComplexityEstimator } from 'graphql-query-complexity';
import { createRequire } from 'node:module';
import type { App } from '../app/context.js';
import { logUnexpected } from '../common/error-log.js';
import { AppError } from '../common/errors.js';
import { DEFAULT_PAGE } from '../common/pagination.js';
import type { GqlContext } from './context.js';
import { unstorableInputGuard } from './input-guard.js';
import { buildServedSchema } from './schema.js';

// its ESM build imports graphql's .mjs files while everything else loads graphql's CommonJS
// build ("another module or realm"): load its CommonJS build so there is one graphql.
const { getComplexity, simpleEstimator } = createRequire(import.meta.url)(
  'graphql-query-complexity',
) as typeof import('graphql-query-complexity');

/** A list field costs its page size times what each item costs. */
const pageEstimator: ComplexityEstimator = ({ field, args, childComplexity }) => {
  if (!String(field.type).includes('Connection')) return undefined;
  const first = typeof args.first === 'number' ? args.first : DEFAULT_PAGE;
  return 1 + childComplexity * Math.max(1, first);
};

function costLimit(schema: ReturnType<typeof buildServedSchema>, max: number): ApolloServerPlugin<GqlContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ request, document }) {
          let cost: number;
          try {
            cost = getComplexity({
              schema,
              query: document,
              operationName: request.operationName ?? undefined,
              variables: request.variables ?? {},
              estimators: [pageEstimator, simpleEstimator({ defaultComplexity: 1 })],
            });
          } catch (e) {
            // it coerces the variables first: a bad variable is the caller's error (400), not ours
            if (e instanceof Error && /^Variable "\$/.test(e.message))
              throw new GraphQLError(e.message, { extensions: { code: 'BAD_USER_INPUT', http: { status: 400 } } });
            throw e;
          }
          if (cost > max)
            throw new GraphQLError(
              `Query is too expensive: cost ${cost} exceeds the limit of ${max} (general_settings.graphql_max_cost). Ask for fewer fields or smaller pages.`,
              { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } },
            );
        },
      };
    },
  };
}

/** AppError → its code; GraphQL's own errors pass; anything else is hidden behind a generic message. */
export function formatError(app: App) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
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

export async function createApollo(app: App, fastify: FastifyInstance) {
  const schema = buildServedSchema();
  const gs = app.settings.config.general_settings;
  const apollo = new ApolloServer<GqlContext>({
    schema,
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    validationRules: [depthLimit(gs.graphql_max_depth ?? 10)],
    // the NUL check first: a refused input is a 400 before anything else looks at it
    plugins: [fastifyApolloDrainPlugin(fastify), unstorableInputGuard(), costLimit(schema, gs.graphql_max_cost ?? 1000)],
    // Apollo's own messages (unexpected pipeline errors) go to our log, not the console
    logger: { debug() {}, info: (m) => app.log.info(String(m)), warn: (m) => app.log.warn(String(m)), error: (m) => app.log.error(`graphql: ${String(m)}`) },
    formatError: formatError(app),
  });
  await apollo.start();
  return apollo;
}
