import type { FastifyInstance } from 'fastify';
import type { App } from '../app/context.js';
import { customerRestNames, registerCustomerRoutes } from '../customers/customer.rest.js';
import { fieldNameTable, translateRestErrors } from './errors.js';
import { invitationRestNames, registerInvitationRoutes } from '../invitations/invitation.rest.js';
import { keyRestNames, registerKeyRoutes } from '../keys/key.rest.js';
import { registerSpendRoutes } from '../spend/spend.rest.js';
import { registerTeamRoutes, teamRestNames } from '../teams/team.rest.js';
import { registerUserRoutes, userRestNames } from '../users/user.rest.js';

/** Every REST route's field names, camelCase (the services') → snake_case (LiteLLM's). */
export const REST_FIELD_NAMES = fieldNameTable([keyRestNames, userRestNames, teamRestNames, invitationRestNames, customerRestNames]);

/**
 * The LiteLLM-compatible REST subset: thin adapters over the same services as GraphQL. Call
 * inside its own fastify scope: the error translation applies to the routes of that scope.
 */
export function registerRest(fastify: FastifyInstance, app: App) {
  translateRestErrors(fastify, REST_FIELD_NAMES);
  registerKeyRoutes(fastify, app);
  registerUserRoutes(fastify, app);
  registerTeamRoutes(fastify, app);
  registerInvitationRoutes(fastify, app);
  registerSpendRoutes(fastify, app);
  registerCustomerRoutes(fastify, app);
}
