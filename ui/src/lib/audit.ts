import { graphql } from '$lib/graphql';
import type { AuditFilter } from '$lib/graphql/graphql';

export const PAGE_SIZE = 25;

export const AuditLogQuery = graphql(`
  query AuditLog($first: Int, $after: String, $filter: AuditFilter) {
    auditLog(first: $first, after: $after, filter: $filter) {
      totalCount
      pageInfo {
        hasNextPage
        endCursor
      }
      edges {
        node {
          id
          at
          actorId
          actorMethod
          actor {
            id
            email
            alias
          }
          action
          targetType
          targetId
          before
          after
        }
      }
    }
  }
`);

/** The URL's filter parameters and the API filter field each one sets. */
export const AUDIT_PARAMS = { actor: 'actorId', action: 'action', type: 'targetType', object: 'targetId' } as const;
export type AuditParam = keyof typeof AUDIT_PARAMS;

/** Kinds of object the API records writes to. */
export const TARGET_TYPES = ['key', 'team', 'user', 'invitation'] as const;

/** The audit filter the URL holds (null when it holds none). */
export function auditFilter(url: URL): AuditFilter | null {
  const f: AuditFilter = {};
  for (const [param, field] of Object.entries(AUDIT_PARAMS) as [AuditParam, (typeof AUDIT_PARAMS)[AuditParam]][]) {
    const v = url.searchParams.get(param)?.trim();
    if (v) f[field] = v;
  }
  return Object.keys(f).length ? f : null;
}

/** The fields a write changed: names whose value differs between before and after. */
export function changedFields(before: Record<string, unknown> | null, after: Record<string, unknown> | null): string[] {
  if (!before || !after) return [];
  const names = new Set([...Object.keys(before), ...Object.keys(after)]);
  return [...names].filter((n) => JSON.stringify(before[n]) !== JSON.stringify(after[n])).sort();
}

/** How the log names an actor: email, else display name, else the id it recorded. */
export const actorName = (e: { actorId: string | null; actor?: { email?: string | null; alias?: string | null } | null }): string =>
  e.actor?.email ?? e.actor?.alias ?? e.actorId ?? 'system';
