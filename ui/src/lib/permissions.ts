import type { Viewer } from '$lib/viewer';

/**
 * Reads `me.permissions` (the server's role map for this caller). The UI only hides what the
 * caller may not do; the API refuses it anyway.
 */
type Grant = Viewer['permissions'][number];

export const grants = (viewer: Viewer, operation: string): Grant[] => viewer.permissions.filter((p) => p.operation === operation);

/** Whether the caller may perform `operation` over anything at all. */
export const may = (viewer: Viewer, operation: string): boolean => grants(viewer, operation).length > 0;

/** Whether the grant reaches beyond the caller's own objects (all, or some team). */
export const mayBeyondOwn = (viewer: Viewer, operation: string): boolean =>
  grants(viewer, operation).some((g) => g.scope === 'all' || (g.scope === 'team' && g.teamIds.length > 0));

export const mayAll = (viewer: Viewer, operation: string): boolean => grants(viewer, operation).some((g) => g.scope === 'all');

/** Whether `operation` may be applied to an object with this owner and team. */
export function mayOn(viewer: Viewer, operation: string, target: { userId?: string | null; teamId?: string | null }): boolean {
  return grants(viewer, operation).some((g) => {
    if (g.scope === 'all') return true;
    // `own` lists, in teamIds, the teams where the grant also reaches (team-wide or own-in-team:
    // the field does not tell which; the API decides).
    if (g.scope === 'own') return (!!target.userId && target.userId === viewer.user.id) || (!!target.teamId && g.teamIds.includes(target.teamId));
    if (g.scope === 'team') return !!target.teamId && g.teamIds.includes(target.teamId);
    return false;
  });
}

export interface NavEntry {
  href: '/keys' | '/playground' | '/usage' | '/cache' | '/teams' | '/users' | '/invitations' | '/customers' | '/audit' | '/settings' | '/scim' | '/account';
  label: string;
  icon: 'key' | 'message' | 'chart' | 'database' | 'users-round' | 'user' | 'mail' | 'contact' | 'scroll' | 'sliders' | 'id-card' | 'settings';
}

/** The left navigation, grouped like LiteLLM's, with only what the caller may use. */
export function navigation(viewer: Viewer): { group: string; entries: NavEntry[] }[] {
  const groups: { group: string; entries: (NavEntry | false)[] }[] = [
    {
      group: 'Access',
      entries: [
        may(viewer, 'key.read') && { href: '/keys', label: 'Keys', icon: 'key' },
        // like LiteLLM, viewers get no chat panel: it needs a key they may not mint
        may(viewer, 'key.playground') && { href: '/playground', label: 'Try it', icon: 'message' },
      ],
    },
    {
      group: 'Analytics',
      entries: [
        may(viewer, 'usage.read') && { href: '/usage', label: 'Usage', icon: 'chart' },
        may(viewer, 'usage.read') && { href: '/cache', label: 'Cache', icon: 'database' },
      ],
    },
    {
      group: 'People',
      entries: [
        may(viewer, 'team.read') && { href: '/teams', label: 'Teams', icon: 'users-round' },
        mayBeyondOwn(viewer, 'user.read') && { href: '/users', label: 'Users', icon: 'user' },
        may(viewer, 'invitation.read') && { href: '/invitations', label: 'Invitations', icon: 'mail' },
        may(viewer, 'customer.read') && { href: '/customers', label: 'Customers', icon: 'contact' },
      ],
    },
    {
      group: 'Settings',
      entries: [
        may(viewer, 'audit.read') && { href: '/audit', label: 'Audit', icon: 'scroll' },
        may(viewer, 'settings.read') && { href: '/settings', label: 'Settings', icon: 'sliders' },
        may(viewer, 'scim.token.read') && { href: '/scim', label: 'SCIM', icon: 'id-card' },
        { href: '/account', label: 'Account', icon: 'settings' },
      ],
    },
  ];
  return groups
    .map((g) => ({ group: g.group, entries: g.entries.filter((e): e is NavEntry => !!e) }))
    .filter((g) => g.entries.length > 0);
}
