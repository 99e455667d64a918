import { graphql } from '$lib/graphql';
import { count, usd } from '$lib/format';

/** The caller's own keys with what stops each first: behind the sidebar's budget meter. */
export const MyKeyLimitsQuery = graphql(`
  query MyKeyLimits($userId: ID!) {
    keys(first: 5, filter: { userId: $userId }) {
      totalCount
      edges {
        node {
          id
          keyAlias
          keyName
          limits {
            callable
            refusal
            caps {
              kind
              scope
              label
              limit
              used
              remaining
              resetsAt
              refuses
            }
          }
        }
      }
    }
  }
`);

export type Cap = { kind: string; scope: string; label: string; limit: number; used: number; remaining: number; resetsAt?: string | null; refuses: boolean };

// neutral words: an admin reads other people's keys too
const SCOPES: Record<string, string> = { KEY: 'Key', USER: 'Personal', TEAM: 'Team', MEMBER: 'Team member' };
const KINDS: Record<string, string> = { BUDGET: 'budget', RPM: 'requests per minute', TPM: 'tokens per minute', PARALLEL: 'parallel calls' };

/** "Team budget", "Key requests per minute", "Personal budget", "Team member budget". */
export const capTitle = (c: Pick<Cap, 'kind' | 'scope'>): string => `${SCOPES[c.scope] ?? c.scope} ${KINDS[c.kind] ?? c.kind.toLowerCase()}`;

/** A cap's figure in its unit: money for budgets, counts otherwise. */
export const capValue = (c: Pick<Cap, 'kind'>, v: number): string => (c.kind === 'BUDGET' ? usd(v) : count(v));

/** Share of the cap in use, 0..1 (what a meter shows). */
export const capRatio = (c: Pick<Cap, 'limit' | 'remaining'>): number => (c.limit <= 0 ? 1 : Math.min(1, Math.max(0, 1 - c.remaining / c.limit)));

/** Short "in 3 h" / "in 12 d" / "in 40 s" for a coming instant; "now" once it passed. */
export function relativeTime(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const s = Math.round((new Date(iso).getTime() - now) / 1000);
  if (s <= 0) return 'now';
  if (s < 90) return `in ${s} s`;
  if (s < 90 * 60) return `in ${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} d`;
}

/** The cap that stops a call first (the server orders them so); null without caps. */
export const firstToStop = <C extends Cap>(caps: C[]): C | null => caps[0] ?? null;
