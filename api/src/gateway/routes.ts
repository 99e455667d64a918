import type { FastifyInstance } from 'fastify';
import type { App } from '../app/context.js';
import { AppError } from '../common/errors.js';
import type { GatewayRuntime } from './runtime.js';

/**
 * The OpenAI-compatible routes: their own plugin scope with no session, cookie or GraphQL
 * hooks. Keys only (Authorization: Bearer, x-api-key, api-key, x-litellm-api-key).
 */
export function registerGatewayRoutes(fastify: FastifyInstance, app: App, rt: GatewayRuntime) {
  const gw = rt.gateway;
  for (const prefix of ['/v1', '']) {
    fastify.post(`${prefix}/chat/completions`, (req, reply) => gw.handle(req, reply, 'chat/completions'));
    fastify.post(`${prefix}/embeddings`, (req, reply) => gw.handle(req, reply, 'embeddings'));
    fastify.get(`${prefix}/models`, async (req) => {
      const snap = await gw.authenticate(req);
      return { object: 'list', data: gw.modelsFor(snap).map((id) => ({ id, object: 'model', created: 0, owned_by: 'purser' })) };
    });
    // model ids may contain slashes (`openai/gpt-4o`)
    fastify.get(`${prefix}/models/*`, async (req) => {
      const snap = await gw.authenticate(req);
      const id = decodeURIComponent((req.params as { '*': string })['*']);
      if (!gw.modelsFor(snap).includes(id))
        throw new AppError('NOT_FOUND', `The model '${id}' does not exist or this key may not use it.`, 'model', 'model_not_found');
      return { id, object: 'model', created: 0, owned_by: 'purser' };
    });
  }
  void app;
}
