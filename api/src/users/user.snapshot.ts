import type { User } from './user.entity.js';

/** What the audit log keeps of a user: never the password hash. */
export const userSnapshot = (u: User): Record<string, unknown> => ({
  id: u.id,
  email: u.email,
  alias: u.alias,
  role: u.role,
  ssoId: u.ssoId,
  models: u.models,
  maxBudget: u.maxBudget,
  softBudget: u.softBudget,
  budgetDuration: u.budgetDuration,
  metadata: u.metadata,
  hasPassword: u.hasPassword,
});
