import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App, Ctx } from '../app/context.js';
import { scimPrincipal } from '../auth/principal.js';
import { listResponse, resourceTypes, schemas, serviceProviderConfig } from './scim-discovery.js';
import { ScimError, scimErrorBody, scimNotFound } from './scim-errors.js';
import { applyPatch, eqFilter, paging, patchOperations } from './scim-query.js';
import { scimTokenOf } from './scim-token.service.js';
import { createScimGroup, deleteScimGroup, getScimGroup, listScimGroups, readGroupBody, replaceScimGroup } from './scim-groups.js';
import { createScimUser, deleteScimUser, getScimUser, listScimUsers, readUserBody, replaceScimUser } from './scim-users.js';

const SCIM_JSON = 'application/scim+json; charset=utf-8';

declare module 'fastify' {
  interface FastifyRequest {
    scimCtx?: Ctx;
  }
}

/** The bearer token of a SCIM request: `Authorization: Bearer scim_...` only. */
function bearer(req: FastifyRequest): string | null {
  const v = req.headers.authorization;
  if (typeof v !== 'string') return null;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(v.trim());
  return m ? m[1]! : null;
}

const ctxOf = (req: FastifyRequest): Ctx => req.scimCtx!;
const send = (reply: FastifyReply, status: number, body: unknown) => reply.status(status).type(SCIM_JSON).send(body);

/**
 * /scim/v2 (RFC 7644): its own scope. Only a SCIM token authenticates here (no master key,
 * virtual key or session), bodies may be application/scim+json, and every error is SCIM's.
 */
export async function registerScimRoutes(fastify: FastifyInstance, app: App) {
  await fastify.register(
    async (scope) => {
      // our own JSON parser for both media types: a malformed body is SCIM's invalidSyntax
      scope.removeContentTypeParser('application/json');
      scope.addContentTypeParser(['application/scim+json', 'application/json'], { parseAs: 'string' }, (_req, body, done) => {
        const text = body as string;
        if (!text.trim()) return done(null, undefined);
        try {
          done(null, JSON.parse(text));
        } catch {
          done(new ScimError(400, 'The request body is not valid JSON.', 'invalidSyntax'), undefined);
        }
      });
      scope.setErrorHandler((err, _req, reply) => {
        if (err instanceof ScimError) return send(reply, err.status, scimErrorBody(err.status, err.message, err.scimType));
        const status = (err as { statusCode?: number }).statusCode;
        if (status && status >= 400 && status < 500) return send(reply, status, scimErrorBody(status, (err as Error).message));
        app.log.error(`scim: ${err instanceof Error ? err.message : String(err)}`);
        return send(reply, 500, scimErrorBody(500, 'Internal server error.'));
      });
      scope.setNotFoundHandler((req, reply) => send(reply, 404, scimErrorBody(404, `Route ${req.method} ${req.url.split('?')[0]} not found.`)));
      scope.addHook('onRequest', async (req, reply) => {
        const ctx: Ctx = { app, em: app.orm.em.fork(), principal: null };
        const secret = bearer(req);
        const token = secret ? await scimTokenOf(ctx, secret) : null;
        if (!token) {
          reply.header('www-authenticate', 'Bearer realm="scim"');
          throw new ScimError(401, 'Authentication required: send a valid SCIM token as "Authorization: Bearer <token>".');
        }
        ctx.principal = scimPrincipal();
        req.scimCtx = ctx;
      });

      const base = () => `${app.settings.baseUrl.replace(/\/$/, '')}/scim/v2`;
      scope.get('/ServiceProviderConfig', async (_req, reply) => send(reply, 200, serviceProviderConfig(base())));
      scope.get('/ResourceTypes', async (_req, reply) => send(reply, 200, listResponse(resourceTypes(base()))));
      scope.get<{ Params: { id: string } }>('/ResourceTypes/:id', async (req, reply) => {
        const r = resourceTypes(base()).find((t) => t.id === req.params.id);
        if (!r) throw scimNotFound(`Resource type ${req.params.id} not found.`);
        return send(reply, 200, r);
      });
      scope.get('/Schemas', async (_req, reply) => send(reply, 200, listResponse(schemas(base()))));
      scope.get<{ Params: { id: string } }>('/Schemas/:id', async (req, reply) => {
        const s = schemas(base()).find((x) => x.id === req.params.id);
        if (!s) throw scimNotFound(`Schema ${req.params.id} not found.`);
        return send(reply, 200, s);
      });

      scope.get<{ Querystring: Record<string, unknown> }>('/Users', async (req, reply) => {
        const filter = eqFilter(req.query.filter, ['userName', 'externalId', 'id'] as const);
        const { startIndex, count } = paging(req.query);
        const { total, resources } = await listScimUsers(ctxOf(req), filter, startIndex, count);
        return send(reply, 200, listResponse(resources, total, startIndex));
      });
      scope.get<{ Params: { id: string } }>('/Users/:id', async (req, reply) => send(reply, 200, await getScimUser(ctxOf(req), req.params.id)));
      scope.post('/Users', async (req, reply) => {
        const user = await createScimUser(ctxOf(req), readUserBody(req.body));
        return send(reply.header('location', user.meta.location), 201, user);
      });
      scope.put<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
        const input = readUserBody(req.body);
        return send(reply, 200, await replaceScimUser(ctxOf(req), req.params.id, input));
      });
      scope.patch<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
        const ops = patchOperations(req.body);
        const ctx = ctxOf(req);
        const current = await getScimUser(ctx, req.params.id);
        const patched = applyPatch(current, ops);
        return send(reply, 200, await replaceScimUser(ctx, req.params.id, readUserBody(patched)));
      });
      scope.delete<{ Params: { id: string } }>('/Users/:id', async (req, reply) => {
        await deleteScimUser(ctxOf(req), req.params.id);
        return reply.status(204).send();
      });

      scope.get<{ Querystring: Record<string, unknown> }>('/Groups', async (req, reply) => {
        const filter = eqFilter(req.query.filter, ['displayName', 'externalId', 'id'] as const);
        const { startIndex, count } = paging(req.query);
        const { total, resources } = await listScimGroups(ctxOf(req), filter, startIndex, count);
        return send(reply, 200, listResponse(resources, total, startIndex));
      });
      scope.get<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => send(reply, 200, await getScimGroup(ctxOf(req), req.params.id)));
      scope.post('/Groups', async (req, reply) => {
        const group = await createScimGroup(ctxOf(req), readGroupBody(req.body));
        return send(reply.header('location', group.meta.location), 201, group);
      });
      scope.put<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
        const input = readGroupBody(req.body);
        return send(reply, 200, await replaceScimGroup(ctxOf(req), req.params.id, input));
      });
      scope.patch<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
        const ops = patchOperations(req.body);
        const ctx = ctxOf(req);
        const current = await getScimGroup(ctx, req.params.id);
        // members as bare `{ value }`: Entra removes with `"value": [{ "value": id }]`, matched by equality
        const patched = applyPatch({ ...current, members: current.members.map((m) => ({ value: m.value })) }, ops);
        const input = readGroupBody(patched);
        // Okta and Entra answer a member PATCH with 204 or 200; we send the group (200)
        return send(reply, 200, await replaceScimGroup(ctx, req.params.id, { ...input, members: input.members ?? [] }));
      });
      scope.delete<{ Params: { id: string } }>('/Groups/:id', async (req, reply) => {
        await deleteScimGroup(ctxOf(req), req.params.id);
        return reply.status(204).send();
      });
    },
    { prefix: '/scim/v2' },
  );
}
