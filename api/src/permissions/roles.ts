export const ROLES = ['proxy_admin', 'proxy_admin_viewer', 'internal_user', 'internal_user_viewer'] as const;
export type Role = (typeof ROLES)[number];

export const TEAM_ROLES = ['admin', 'user'] as const;
export type TeamRole = (typeof TEAM_ROLES)[number];

export const isRole = (v: unknown): v is Role => typeof v === 'string' && (ROLES as readonly string[]).includes(v);
export const isTeamRole = (v: unknown): v is TeamRole =>
  typeof v === 'string' && (TEAM_ROLES as readonly string[]).includes(v);

/** Viewers never write (except their own profile and password): team powers cannot lift that. */
export const isViewerRole = (r: Role | null) => r === 'proxy_admin_viewer' || r === 'internal_user_viewer';
export const isAdminRole = (r: Role | null) => r === 'proxy_admin' || r === 'proxy_admin_viewer';

export const ROLE_DESCRIPTIONS: Record<Role, { uiLabel: string; description: string }> = {
  proxy_admin: { uiLabel: 'Admin (All Permissions)', description: 'Platform admin: everything.' },
  proxy_admin_viewer: {
    uiLabel: 'Admin (View Only)',
    description: 'Sees all keys, users, teams, spend, usage, audit log and settings; cannot write.',
  },
  internal_user: {
    uiLabel: 'Internal User (Create/Delete/View)',
    description: 'Sees, creates and deletes own keys; sees own spend and usage.',
  },
  internal_user_viewer: {
    uiLabel: 'Internal User (View Only)',
    description: 'Sees own keys and own spend and usage; cannot create or delete keys.',
  },
};
