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

export type Runway = { status: string; dailyRate: number; exhaustedAt?: string | null; beforeReset: boolean; daysLeft?: number | null };

/** "1.5 d", "6 h", "20 min": how long until a forecast instant. */
export function runwayLeft(daysLeft: number): string {
  if (daysLeft >= 2) return `${daysLeft < 10 ? daysLeft.toFixed(1).replace(/\.0$/, '') : Math.round(daysLeft)} d`;
  const hours = daysLeft * 24;
  if (hours >= 1) return `${Math.round(hours)} h`;
  return `${Math.max(1, Math.round(hours * 60))} min`;
}

/**
 * The forecast in one line, or null when there is nothing to say (no limit). `soon` marks a
 * budget that runs out within `warnDays` before its reset: the dashboard tints it.
 */
export function runwayText(r: Runway | null | undefined, warnDays = 3): { text: string; soon: boolean } | null {
  if (!r || r.status === 'NO_LIMIT') return null;
  const rate = `${usd(r.dailyRate)}/day`;
  switch (r.status) {
    case 'NO_SPEND':
      return { text: 'No spend in the last 7 days', soon: false };
    case 'EXHAUSTED':
      return { text: 'Used up', soon: true };
    case 'NOT_BEFORE_RESET':
      return { text: `At ${rate} it lasts until the reset`, soon: false };
    default:
      return { text: `At ${rate} it runs out in ${runwayLeft(r.daysLeft ?? 0)}`, soon: (r.daysLeft ?? 0) <= warnDays };
  }
}
