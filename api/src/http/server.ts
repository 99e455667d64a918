import cluster from 'node:cluster';
import './fastify-types.js';
import fastifyApollo from '@as-integrations/fastify';
import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { GraphQLError } from 'graphql';
import { ZodError } from 'zod';
import type { App } from '../app/context.js';
import { logUnexpected } from '../common/error-log.js';
import { AppError, errorBody, forbidden } from '../common/errors.js';
import { databaseUnavailable, isConnectionError } from '../db/outage.js';
import { authorize } from '../permissions/authorize.js';
import { createApollo } from '../graphql/apollo.js';
import { isGraphqlRoute, sendGraphqlRequestError } from '../graphql/request-errors.js';
import type { GqlContext } from '../graphql/context.js';
import { registerRest } from '../rest/index.js';
import { registerSsoRoutes } from '../sso/sso.routes.js';
import { registerScimRoutes } from '../scim/scim.routes.js';
import { registerAuthRoutes } from './auth.routes.js';
import { registerDashboard } from './dashboard.js';
import { registerInfoRoutes } from '../gateway/info.routes.js';
import { registerGatewayRoutes } from '../gateway/routes.js';
import { rejectUnstorableInput } from './input-guard.js';
import { requestContext, requirePrincipal } from './request-context.js';

function invalid(message: string, status = 400, param: string | null = null) {
  return { error: { message, type: 'invalid_request_error', param, code: String(status) } };
}

/** zod issues (REST bodies) → one message naming the field. */
export function zodMessage(e: ZodError): { message: string; param: string | null } {
  const issue = e.issues[0]!;
  const param = issue.path.length ? issue.path.join('.') : null;
  return { message: param ? `${param}: ${issue.message}` : issue.message, param };
}

export async function buildServer(app: App, opts: { uiDir: string | null }): Promise<FastifyInstance> {
  // behind a load balancer, X-Forwarded-For counts only from peers in FORWARDED_ALLOW_IPS (as uvicorn names it)
  const allow = app.settings.env.FORWARDED_ALLOW_IPS?.trim();
  const trustProxy = !allow ? false : allow === '*' ? true : allow.split(',').map((s) => s.trim()).filter(Boolean);
  const fastify = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024, trustProxy, return503OnClosing: true });

  fastify.setErrorHandler((err: FastifyError | AppError | ZodError | Error, req, reply) => {
    if (err instanceof AppError) return reply.status(err.status).headers(err.headers).send(errorBody(err));
    if (err instanceof ZodError) {
      const { message, param } = zodMessage(err);
      return reply.status(400).send(invalid(message, 400, param));
    }
    const status = (err as FastifyError).statusCode;
    if (status && status >= 400 && status < 500) {
      const message =
        (err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError
          ? 'Request body is not valid JSON.'
          : err.message;
      // /graphql answers in GraphQL's shape and media type, even before Apollo sees the request
      if (isGraphqlRoute(req)) return sendGraphqlRequestError(req, reply, status, message);
      return reply.status(status).send(invalid(message, status));
    }
    // the database away is not a bug: a clear 503 for sign-in, REST and the gateway alike
    if (isConnectionError(err)) {
      app.db.down();
      const e = databaseUnavailable();
      if (isGraphqlRoute(req)) return sendGraphqlRequestError(req, reply, 503, e.message);
      return reply.status(503).header('retry-after', '5').send(errorBody(e));
    }
    logUnexpected(app.log, 'http', err);
    return reply.status(500).send({ error: { message: 'Internal server error.', type: 'internal_server_error', param: null, code: '500' } });
  });
  fastify.setNotFoundHandler((req, reply) => {
    return reply.status(404).send({ error: { message: `Route ${req.method} ${req.url.split('?')[0]} not found.`, type: 'not_found_error', param: null, code: '404' } });
  });

  // GraphQL and sign-in: the only scope with cookies (API keys work too); Apollo's CSRF prevention on
  await fastify.register(async (scope) => {
    await scope.register(fastifyCookie);
    await scope.register(fastifyFormbody);
    const apollo = await createApollo(app, scope);
    await scope.register(fastifyApollo(apollo), {
      path: '/graphql',
      context: async (request, reply): Promise<GqlContext> => {
        try {
          return { ...(await requestContext(app, request, { cookies: true })), request, reply };
        } catch (e) {
          const err = isConnectionError(e) ? databaseUnavailable() : e;
          if (err instanceof AppError)
            throw new GraphQLError(err.message, { extensions: { code: err.code, http: { status: err.status } } });
          throw e;
        }
      },
    });
    // /graphql checks its own arguments (it names GraphQL fields); the sign-in routes get the REST check
    await scope.register(async (signIn) => {
      signIn.addHook('preValidation', rejectUnstorableInput);
      registerAuthRoutes(signIn, app);
      registerSsoRoutes(signIn, app, app.sso);
    });
  });

  // the gateway: its own scope, keys only, nothing but what the hot path needs
  if (app.gateway) {
    const rt = app.gateway;
    await fastify.register(async (scope) => {
      registerGatewayRoutes(scope, app, rt);
      registerInfoRoutes(scope, app, rt);
    });
    fastify.get('/metrics', async (req, reply) => {
      // /metrics shows every key's spend: only a credential that may read all usage, unless
      // the operator opts out explicitly (require_auth_for_metrics_endpoint: false) for a scraper
      if (app.settings.config.litellm_settings.require_auth_for_metrics_endpoint !== false) {
        const ctx = requirePrincipal(await requestContext(app, req, { cookies: false }));
        if (!authorize(ctx.principal, 'usage.read').all)
          throw forbidden('Reading /metrics needs a credential that may read all usage (proxy_admin, proxy_admin_viewer or the master key).');
      }
      return reply.type(rt.metrics.registry.contentType).send(await rt.metrics.text());
    });
  }

  await fastify.register(async (rest) => {
    rest.addHook('preValidation', rejectUnstorableInput);
    registerRest(rest, app);
  });

  // SCIM 2.0 provisioning: its own scope, SCIM tokens only
  await registerScimRoutes(fastify, app);

  fastify.get('/health/liveliness', async () => 'I\'m alive!');
  fastify.get('/health/liveness', async () => 'I\'m alive!');
  fastify.get('/health/readiness', async (_req, reply) => {
    let db = 'connected';
    try {
      await app.orm.em.getConnection().execute('select 1');
      app.db.ok();
    } catch (e) {
      db = 'disconnected';
      app.db.observe(e);
    }
    // spend rows waiting in the local spill file for the database (README "Running at scale")
    const spill = app.gateway ? { spend_spill_rows: app.gateway.recorder.spillRows() } : {};
    // Redis away is degraded (limits fall back to this process), not down
    const redis = app.redis ? (app.redis.up ? 'connected' : 'disconnected') : undefined;
    const status = db !== 'connected' ? 'unhealthy' : redis === 'disconnected' ? 'degraded' : 'healthy';
    // under --num_workers: which worker answered (a load balancer's or an operator's check per process)
    const worker = cluster.isWorker ? { worker: cluster.worker!.id } : {};
    return reply.status(db === 'connected' ? 200 : 503).send({ status, db, ...spill, ...(redis ? { redis } : {}), ...worker });
  });

  // the dashboard: a static single-page app at /ui/, with its security headers
  await registerDashboard(fastify, opts.uiDir);
  fastify.get('/', (_req, reply) => reply.redirect('/ui/', 302));
  return fastify;
}
