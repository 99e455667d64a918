import type { FastifyError, FastifyInstance } from 'fastify';
import type { App } from '../app/context.js';
import { logUnexpected } from '../common/error-log.js';
import { AppError, errorType } from '../common/errors.js';
import { DB_UNREACHABLE, isConnectionError } from '../db/outage.js';
import { chatDialect, embeddingsDialect } from './dialects/chat.js';
import { anthropicError } from './dialects/envelopes.js';
import { messagesDialect } from './dialects/messages.js';
import { responsesDialect } from './dialects/responses.js';
import type { GatewayRuntime } from '../app/runtime.js';

/**
 * The gateway routes: their own plugin scope with no session, cookie or GraphQL hooks. Keys
 * only (Authorization: Bearer, x-api-key, api-key, x-litellm-api-key). OpenAI's routes answer
 * errors in OpenAI's envelope (the server's handler); Anthropic's in Anthropic's.
 */
export function registerGatewayRoutes(fastify: FastifyInstance, app: App, rt: GatewayRuntime) {
  const gw = rt.gateway;
  for (const prefix of ['/v1', '']) {
    fastify.post(`${prefix}/chat/completions`, (req, reply) => gw.handle(req, reply, chatDialect));
    fastify.post(`${prefix}/embeddings`, (req, reply) => gw.handle(req, reply, embeddingsDialect));
    fastify.post(`${prefix}/responses`, (req, reply) => gw.handle(req, reply, responsesDialect));
    fastify.get(`${prefix}/responses/:id`, (req, reply) => gw.storedResponse(req, reply, 'GET'));
    fastify.delete(`${prefix}/responses/:id`, (req, reply) => gw.storedResponse(req, reply, 'DELETE'));
    fastify.get(`${prefix}/models`, async (req) => {
      const snap = await gw.authenticate(req);
      const ids = gw.modelsFor(snap);
      // Anthropic's clients send their version header and expect Anthropic's list shape
      if (req.headers['anthropic-version'] !== undefined)
        return { data: ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '1970-01-01T00:00:00Z' })), has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null };
      return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 0, owned_by: 'purser' })) };
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
  fastify.register(async (anthropic) => {
    // every refusal here, from a bad key to a body too large, in Anthropic's envelope
    anthropic.setErrorHandler((err: FastifyError | AppError | Error, _req, reply) => {
      if (err instanceof AppError) return reply.status(err.status).headers(err.headers).send(anthropicError(err.status, errorType(err), err.message));
      const status = (err as FastifyError).statusCode;
      if (status && status >= 400 && status < 500) {
        const invalidJson = (err as FastifyError).code === 'FST_ERR_CTP_INVALID_JSON_BODY' || err instanceof SyntaxError;
        return reply.status(status).send(anthropicError(status, '', invalidJson ? 'Request body is not valid JSON.' : err.message));
      }
      if (isConnectionError(err)) {
        app.db.down();
        return reply.status(503).send(anthropicError(503, 'overloaded_error', DB_UNREACHABLE));
      }
      logUnexpected(app.log, 'gateway', err);
      return reply.status(500).send(anthropicError(500, 'api_error', 'Internal server error.'));
    });
    anthropic.post('/v1/messages', (req, reply) => gw.handle(req, reply, messagesDialect));
    anthropic.post('/v1/messages/count_tokens', (req, reply) => gw.countTokens(req, reply));
  });
}
