import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App, Ctx } from '../app/context.js';
import { badInput } from '../common/errors.js';
import type { KeyParams } from './key.rules.js';
import { revokeLeakedKey } from './leaked.service.js';
import { deleteKeys, generateKey, getKey, listKeys, regenerateKey, setKeyBlocked, updateKey } from './key.service.js';
import { int, json, money, opt, pageArgs, pageQuery, parse, restRoute, str, strList } from '../rest/common.js';
import type { RestNames } from '../rest/errors.js';
import { generatedKeyResponse, keyRow } from '../rest/shapes.js';

export const keyFieldsSchema = z.object({
  key_alias: str(),
  user_id: str(),
  team_id: str(),
  models: strList(),
  max_budget: money(),
  soft_budget: money(),
  budget_duration: str(),
  duration: str(),
  tpm_limit: int(),
  rpm_limit: int(),
  max_parallel_requests: int(),
  metadata: json(),
  spend: money(),
  auto_rotate: opt(z.boolean()),
  rotation_interval: str(),
  key: str(),
});
type KeyFields = z.output<typeof keyFieldsSchema>;

/** LiteLLM snake_case → the service's params; absent stays absent. */
export function keyParams(b: KeyFields): KeyParams {
  return {
    keyAlias: b.key_alias,
    userId: b.user_id,
    teamId: b.team_id,
    models: b.models,
    maxBudget: b.max_budget,
    softBudget: b.soft_budget,
    budgetDuration: b.budget_duration,
    duration: b.duration,
    tpmLimit: b.tpm_limit,
    rpmLimit: b.rpm_limit,
    maxParallelRequests: b.max_parallel_requests,
    metadata: b.metadata,
    spend: b.spend,
    autoRotate: b.auto_rotate,
    rotationInterval: b.rotation_interval,
  };
}

const refSchema = z.object({ key: z.string().min(1, 'key is required') });
const deleteSchema = z.object({ keys: opt(z.array(z.string())), key_aliases: opt(z.array(z.string())) });

/** The REST field names of these routes, for the one error-name table (rest/errors.ts). */
export const keyRestNames: RestNames = { shapes: [keyFieldsSchema.shape, deleteSchema.shape], renames: {} };

export function registerKeyRoutes(fastify: FastifyInstance, app: App) {
  // no credential: the leaked secret in the body is the proof (keys/leaked.service.ts)
  fastify.post('/key/revoke_leaked', async (req) => {
    const b = req.body;
    if (b === null || typeof b !== 'object' || Array.isArray(b)) throw badInput('Request body must be a JSON object.');
    const { key, url } = b as Record<string, unknown>;
    if (url !== undefined && typeof url !== 'string') throw badInput('url: expected a string (where the secret was seen)', 'url');
    await revokeLeakedKey({ app, em: app.orm.em.fork(), principal: null }, key, (url as string | undefined) ?? null);
    return { status: 'received' };
  });

  restRoute(fastify, app, 'POST', '/key/generate', async (ctx, req) => {
    const b = parse(keyFieldsSchema, req.body);
    if (b.key) throw badInput('Custom key values are not supported: Purser generates every secret.', 'key');
    const { secret, key } = await generateKey(ctx, keyParams(b));
    return generatedKeyResponse(key, secret, b);
  });

  restRoute(fastify, app, 'POST', '/key/update', async (ctx, req) => {
    const b = parse(keyFieldsSchema.extend({ key: z.string().min(1, 'key is required') }), req.body);
    const key = await updateKey(ctx, b.key, keyParams(b));
    return { ...keyRow(key), key: b.key };
  });

  const regenerate = async (ctx: Ctx, ref: string, body: unknown) => {
    const b = parse(keyFieldsSchema.omit({ key: true }).extend({ new_key: opt(z.string()), grace_period: str() }), body);
    if (b.new_key) throw badInput('Custom key values are not supported: Purser generates every secret.', 'new_key');
    const { secret, key } = await regenerateKey(ctx, ref, keyParams(b), { gracePeriod: b.grace_period });
    return generatedKeyResponse(key, secret, b);
  };
  restRoute(fastify, app, 'POST', '/key/regenerate', async (ctx, req) => {
    const { key } = parse(refSchema.passthrough(), req.body);
    return regenerate(ctx, key, req.body);
  });
  restRoute(fastify, app, 'POST', '/key/:key/regenerate', async (ctx, req) =>
    regenerate(ctx, (req.params as { key: string }).key, req.body),
  );

  restRoute(fastify, app, 'POST', '/key/delete', async (ctx, req) => {
    const b = parse(deleteSchema, req.body);
    await deleteKeys(ctx, { refs: b.keys ?? [], aliases: b.key_aliases ?? [] });
    return { deleted_keys: [...(b.keys ?? []), ...(b.key_aliases ?? [])] };
  });

  for (const [path, blocked] of [['/key/block', true], ['/key/unblock', false]] as const)
    restRoute(fastify, app, 'POST', path, async (ctx, req) => {
      const { key } = parse(refSchema, req.body);
      return keyRow(await setKeyBlocked(ctx, key, blocked));
    });

  restRoute(fastify, app, 'GET', '/key/info', async (ctx, req) => {
    const q = parse(z.object({ key: opt(z.string()) }), req.query);
    const ref = q.key ?? ctx.principal?.keyId;
    if (!ref) throw badInput('key is required (or call with the key itself).', 'key');
    const key = await getKey(ctx, ref);
    return { key: q.key ?? key.id, info: keyRow(key) };
  });

  restRoute(fastify, app, 'GET', '/key/list', async (ctx, req) => {
    const q = parse(
      pageQuery.extend({
        user_id: opt(z.string()),
        team_id: opt(z.string()),
        key_alias: opt(z.string()),
        return_full_object: z.enum(['true', 'false']).optional(),
      }),
      req.query,
    );
    const { size, page, args } = pageArgs(q);
    const res = await listKeys(ctx, { userId: q.user_id, teamId: q.team_id, keyAlias: q.key_alias }, args);
    return {
      keys: q.return_full_object === 'true' ? res.nodes.map(keyRow) : res.nodes.map((k) => k.token),
      total_count: res.totalCount,
      current_page: page,
      total_pages: Math.ceil(res.totalCount / size),
    };
  });
}

