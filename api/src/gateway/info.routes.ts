import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app/context.js';
import { badInput } from '../common/errors.js';
import { modelGroupInfo, modelInfo, visibleModel } from '../models/model-info.js';
import type { GatewayRuntime } from '../app/runtime.js';

const idQuery = z.object({ litellm_model_id: z.string().min(1).max(256).optional() }).passthrough();
const groupQuery = z.object({ model_group: z.string().min(1).max(256).optional() }).passthrough();

function parseQuery<T extends z.ZodType>(schema: T, q: unknown): z.output<T> {
  const r = schema.safeParse(q ?? {});
  if (!r.success) throw badInput(`Invalid query: ${r.error.issues[0]?.message ?? 'bad value'}.`, String(r.error.issues[0]?.path[0] ?? ''));
  return r.data;
}

/**
 * LiteLLM's info routes that read the model list and its health, authenticated by a key as the
 * gateway is (master key or virtual key): `/model/info`, `/v1/model/info`, `/model_group/info`
 * (scoped to the models the key may use, no secrets) and `/health`.
 */
export function registerInfoRoutes(fastify: FastifyInstance, app: App, rt: GatewayRuntime) {
  const config = app.settings.config;
  for (const path of ['/model/info', '/v1/model/info'])
    fastify.get(path, async (req) => {
      const snap = await rt.gateway.authenticate(req);
      const q = parseQuery(idQuery, req.query);
      return { data: modelInfo(config, rt.router.all(), snap.allowedModels, q.litellm_model_id) };
    });
  fastify.get('/model_group/info', async (req) => {
    const snap = await rt.gateway.authenticate(req);
    const q = parseQuery(groupQuery, req.query);
    return { data: modelGroupInfo(config, rt.router.all(), snap.allowedModels, q.model_group) };
  });

  // every deployment checked with a real minimal call; from the last background run when configured
  fastify.get('/health', async (req) => {
    const snap = await rt.gateway.authenticate(req);
    // a key sees the health of the models it may use (the master key: all)
    const r = await rt.health.report();
    const seen = (e: { model_name: string }) => visibleModel(snap.allowedModels, e.model_name);
    const healthy = r.healthy_endpoints.filter(seen);
    const unhealthy = r.unhealthy_endpoints.filter(seen);
    return { ...r, healthy_endpoints: healthy, unhealthy_endpoints: unhealthy, healthy_count: healthy.length, unhealthy_count: unhealthy.length };
  });
}
