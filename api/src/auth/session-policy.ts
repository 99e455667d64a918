import type { App } from '../app/context.js';
import { AppError } from '../common/errors.js';
import { isAdminRole, type Role } from '../permissions/roles.js';

/**
 * The one rule for who may hold a dashboard session. Every path that creates a session
 * (password login on GraphQL and REST, invitation and password-reset accept, SSO) asks it
 * before it changes anything, `createSession` asks it again, and every request that presents
 * a session cookie asks it too (so a session from before a config change stops working).
 * Returns the refusal, or null when the user may have a session.
 */
export function sessionRefusal(app: App, user: { role: Role }): AppError | null {
  if (app.settings.config.general_settings.ui_access_mode === 'admin_only' && !isAdminRole(user.role))
    return new AppError(
      'FORBIDDEN',
      `Sign-in is limited to admins on this proxy (ui_access_mode: admin_only); your role is ${user.role}.`,
      null,
      'permission_error',
    );
  return null;
}

export function assertMayHaveSession(app: App, user: { role: Role }): void {
  const refusal = sessionRefusal(app, user);
  if (refusal) throw refusal;
}
