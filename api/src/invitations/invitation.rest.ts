import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app/context.js';
import type { Invitation } from './invitation.entity.js';
import { getInvitation, inviteExistingUser, revokeInvitation } from './invitation.service.js';
import { iso, opt, parse, restRoute } from '../rest/common.js';
import type { RestNames } from '../rest/errors.js';

/** LiteLLM's InvitationModel field names. */
const invitationRow = (i: Invitation) => ({
  id: i.id,
  user_id: i.user.id,
  kind: i.kind,
  status: i.status,
  is_accepted: i.usedAt !== null,
  accepted_at: iso(i.usedAt),
  expires_at: iso(i.expiresAt),
  revoked_at: iso(i.revokedAt),
  created_at: iso(i.createdAt),
  created_by: i.createdBy,
  updated_at: iso(i.usedAt ?? i.revokedAt ?? i.createdAt),
  updated_by: i.createdBy,
  email_sent_at: iso(i.emailSentAt),
  email_error: i.emailError,
});

const newSchema = z.object({ user_id: z.string({ error: 'user_id is required' }).min(1), send_email: opt(z.boolean()) });
const refSchema = z.object({ invitation_id: z.string({ error: 'invitation_id is required' }).min(1) });

/** The REST field names of these routes, for the one error-name table (rest/errors.ts). */
export const invitationRestNames: RestNames = { shapes: [newSchema.shape, refSchema.shape], renames: {} };

export function registerInvitationRoutes(fastify: FastifyInstance, app: App) {
  // the response carries invite_link once; it is never shown again
  restRoute(fastify, app, 'POST', '/invitation/new', async (ctx, req) => {
    const b = parse(newSchema, req.body);
    const issued = await inviteExistingUser(ctx, b.user_id, 'invite', b.send_email === true);
    return { ...invitationRow(issued.invitation), invite_link: issued.link, email_sent: issued.emailSent };
  });

  restRoute(fastify, app, 'GET', '/invitation/info', async (ctx, req) => {
    const q = parse(refSchema, req.query);
    return invitationRow(await getInvitation(ctx, q.invitation_id));
  });

  restRoute(fastify, app, 'POST', '/invitation/delete', async (ctx, req) => {
    const b = parse(refSchema, req.body);
    return invitationRow(await revokeInvitation(ctx, b.invitation_id));
  });
}
