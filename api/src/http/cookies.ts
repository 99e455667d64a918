import './fastify-types.js';
import type { FastifyReply } from 'fastify';
import type { App } from '../app/context.js';
import { SESSION_COOKIE } from '../auth/session.service.js';

export function setSessionCookie(app: App, reply: FastifyReply, value: string) {
  reply.setCookie(SESSION_COOKIE, value, {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: app.settings.baseUrl.startsWith('https://'),
    maxAge: Math.floor(app.settings.sessionTtlMs / 1000),
  });
}

export function clearSessionCookie(reply: FastifyReply) {
  reply.clearCookie(SESSION_COOKIE, { path: '/' });
}
