import type { FastifyInstance } from 'fastify';
import type { App } from '../app/context.js';
import { registerInvitationRoutes } from './invitations.rest.js';
import { registerKeyRoutes } from './keys.rest.js';
import { registerSpendRoutes } from './spend.rest.js';
import { registerTeamRoutes } from './teams.rest.js';
import { registerUserRoutes } from './users.rest.js';

/** The LiteLLM-compatible REST subset: thin adapters over the same services as GraphQL. */
export function registerRest(fastify: FastifyInstance, app: App) {
  registerKeyRoutes(fastify, app);
  registerUserRoutes(fastify, app);
  registerTeamRoutes(fastify, app);
  registerInvitationRoutes(fastify, app);
  registerSpendRoutes(fastify, app);
}
