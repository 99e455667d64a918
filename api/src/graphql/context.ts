import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Ctx } from '../app/context.js';

export interface GqlContext extends Ctx {
  request: FastifyRequest;
  reply: FastifyReply;
}
