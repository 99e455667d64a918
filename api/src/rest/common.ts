import '../http/fastify-types.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App, Ctx } from '../app/context.js';
import { badInput } from '../common/errors.js';
import { requestContext, requirePrincipal } from '../http/request-context.js';

/** Optional and nullable: LiteLLM clients send null for "not set". */
export const opt = <T extends z.ZodType>(s: T) => s.nullable().optional();
export const money = () => opt(z.number());
export const int = () => opt(z.number().int());
export const str = () => opt(z.string());
export const strList = () => opt(z.array(z.string()));
export const json = () => opt(z.record(z.string(), z.unknown()));

/** undefined stays undefined (unchanged), null stays null (cleared). */
export const nn = <T>(v: T | null | undefined): T | undefined => (v === null ? undefined : v);

type Handler = (ctx: Ctx, req: FastifyRequest, reply: FastifyReply) => Promise<unknown>;

/** A REST route: API key only (never cookies), principal required, errors via the server's handler. */
export function restRoute(fastify: FastifyInstance, app: App, method: 'GET' | 'POST', path: string, handler: Handler) {
  fastify.route({
    method,
    url: path,
    handler: async (req, reply) => {
      if (method === 'POST' && (req.body === undefined || req.body === null || typeof req.body !== 'object'))
        throw badInput('Request body must be a JSON object.');
      const ctx = requirePrincipal(await requestContext(app, req, { cookies: false }));
      return handler(ctx, req, reply);
    },
  });
}

export const parse = <T extends z.ZodType>(schema: T, data: unknown): z.output<T> => schema.parse(data ?? {});

export const pageQuery = z.object({
  page: z.coerce.number().int().min(1).default(1),
  size: z.coerce.number().int().min(1).max(100).optional(),
  page_size: z.coerce.number().int().min(1).max(100).optional(),
});

/** LiteLLM's page/size → our cursor arguments. */
export function pageArgs(q: { page: number; size?: number; page_size?: number }, defaultSize = 10) {
  const size = q.size ?? q.page_size ?? defaultSize;
  const offset = (q.page - 1) * size;
  return { size, page: q.page, args: { first: size, after: offset ? Buffer.from(`o:${offset - 1}`).toString('base64url') : null } };
}

export const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null);
