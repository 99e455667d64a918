import { graphql } from '$lib/graphql';
import { utcDay } from '$lib/format';
import type { Runway } from '$lib/limits';

/** Date range presets; the chosen one lives in the URL (`?days=28`), a custom one as `?from=&to=`. */
export const PRESETS = [7, 28, 90] as const;
export type Preset = (typeof PRESETS)[number];
/** The API's longest range: `to` at most 366 days after `from`. */
export const MAX_SPAN_DAYS = 367;

export interface UsageRange {
  /** the preset in use; null for a custom range */
  preset: Preset | null;
  /** days in the range, both ends included */
  days: number;
  from: string;
  to: string;
}

const DAY_RE = /^\d{4}-\d{2}-\d{2}$/;
const dayMs = (d: string) => Date.parse(`${d}T00:00:00Z`);

/** Why a custom range cannot be used, or null when it can. */
export function customRangeError(from: string, to: string): string | null {
  if (!DAY_RE.test(from) || Number.isNaN(dayMs(from))) return 'Choose a first day.';
  if (!DAY_RE.test(to) || Number.isNaN(dayMs(to))) return 'Choose a last day.';
  if (dayMs(from) > dayMs(to)) return 'The first day must not be after the last.';
  if ((dayMs(to) - dayMs(from)) / 86_400_000 + 1 > MAX_SPAN_DAYS) return `At most ${MAX_SPAN_DAYS} days at once.`;
  return null;
}

export function rangeOf(url: URL): UsageRange {
  const from = url.searchParams.get('from') ?? '';
  const to = url.searchParams.get('to') ?? '';
  if ((from || to) && !customRangeError(from, to)) return { preset: null, days: (dayMs(to) - dayMs(from)) / 86_400_000 + 1, from, to };
  const asked = Number(url.searchParams.get('days'));
  const days = (PRESETS as readonly number[]).includes(asked) ? (asked as Preset) : 28;
  return { preset: days, days, from: utcDay(days - 1), to: utcDay(0) };
}

export const rangeLabel = (r: UsageRange) => (r.preset ? `Last ${r.days} days` : `${r.from} to ${r.to}`);

/** Whose usage the page shows; in the URL as `?scope=me|all|team:<id>`. */
export type UsageScope = { kind: 'me' } | { kind: 'all' } | { kind: 'team'; teamId: string };

export function scopeOf(url: URL, mayReadAll: boolean): UsageScope {
  const asked = url.searchParams.get('scope') ?? '';
  if (asked === 'me') return { kind: 'me' };
  if (asked === 'all' && mayReadAll) return { kind: 'all' };
  if (asked.startsWith('team:') && asked.length > 5) return { kind: 'team', teamId: asked.slice(5) };
  return mayReadAll ? { kind: 'all' } : { kind: 'me' };
}

export const scopeParam = (s: UsageScope) => (s.kind === 'team' ? `team:${s.teamId}` : s.kind);

/** The API filter for a scope: admins' "me" is their own keys, a team is the team's keys. */
export function scopeFilter(scope: UsageScope, viewerId: string): { userId?: string; teamId?: string } {
  if (scope.kind === 'me') return { userId: viewerId };
  if (scope.kind === 'team') return { teamId: scope.teamId };
  return {};
}

/** The caller's teams, for the scope switcher (admins: every team, up to 100). */
export const UsageTeamsQuery = graphql(`
  query UsageTeams {
    teams(first: 100) {
      edges {
        node {
          id
          teamAlias
        }
      }
    }
  }
`);

/**
 * Totals, spend per day and model, top models; by key, user and team where the scope allows
 * a breakdown (the API refuses a plain team member's per-member view): one round trip.
 */
export const UsagePageQuery = graphql(`
  query UsagePage($filter: UsageFilter!, $byKey: Boolean!, $byUser: Boolean!, $byTeam: Boolean!) {
    totals: usage(filter: $filter) {
      totals {
        spend
        requests
        successes
        failures
        totalTokens
        promptTokens
        completionTokens
      }
    }
    daily: usage(filter: $filter, groupBy: [DAY, MODEL]) {
      rows {
        day
        model
        spend
        requests
      }
    }
    models: usage(filter: $filter, groupBy: [MODEL]) {
      rows {
        model
        spend
        requests
        totalTokens
        unpriced
      }
    }
    keys: usage(filter: $filter, groupBy: [KEY], top: 10) @include(if: $byKey) {
      rows {
        keyId
        keyAlias
        keyPlayground
        spend
        requests
        totalTokens
      }
    }
    users: usage(filter: $filter, groupBy: [USER], top: 10) @include(if: $byUser) {
      rows {
        userId
        userEmail
        spend
        requests
        totalTokens
      }
    }
    teams: usage(filter: $filter, groupBy: [TEAM], top: 10) @include(if: $byTeam) {
      rows {
        teamId
        teamAlias
        spend
        requests
        totalTokens
      }
    }
  }
`);

/** One ranked table on the page: its name, and rows of a name and figures. */
export interface RankedRows {
  table: string;
  rows: { name: string; spend: number; requests: number; tokens: number }[];
}

/** What by-key tables call the dashboard's own short-lived Try it keys. */
export const TRY_IT = 'Try it';

/**
 * By-key rows with every Try it key (playgroundKey's) summed into one "Try it" row, so those
 * keys never pose as keys someone made; `sum` adds two rows' figures.
 */
export function withTryItGrouped<T extends { keyId?: string | null; keyAlias?: string | null; keyPlayground: boolean }>(rows: readonly T[], sum: (a: T, b: T) => T): T[] {
  let tryIt: T | null = null;
  const out: T[] = [];
  for (const r of rows) {
    if (!r.keyPlayground) out.push(r);
    else tryIt = tryIt ? sum(tryIt, r) : { ...r, keyId: null, keyAlias: TRY_IT };
  }
  return tryIt ? [...out, tryIt] : out;
}

/** Biggest spend first, at most `top` rows. */
export const ranked = <T extends { spend: number }>(rows: readonly T[], top = 10): T[] => [...rows].sort((a, b) => b.spend - a.spend).slice(0, top);

/**
 * What is on screen as RFC 4180 CSV: one row per figure (totals, every day and model, each
 * ranked table). A cell a spreadsheet would run as a formula is prefixed with `'`.
 */
export function usageCsv(view: {
  range: UsageRange;
  scope: string;
  totals: { spend: number; requests: number; totalTokens: number };
  daily: readonly { day?: string | null; model?: string | null; spend: number; requests: number }[];
  tables: RankedRows[];
}): string {
  const cell = (v: string | number) => {
    let s = String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines: (string | number)[][] = [['table', 'scope', 'from', 'to', 'day', 'name', 'spend_usd', 'requests', 'tokens']];
  const base = [view.scope, view.range.from, view.range.to];
  lines.push(['totals', ...base, '', '', view.totals.spend, view.totals.requests, view.totals.totalTokens]);
  for (const r of view.daily) lines.push(['daily', ...base, r.day ?? '', r.model ?? '', r.spend, r.requests, '']);
  for (const t of view.tables) for (const r of t.rows) lines.push([t.table, ...base, '', r.name, r.spend, r.requests, r.tokens]);
  return lines.map((l) => l.map(cell).join(',')).join('\r\n') + '\r\n';
}

/** The cache page's key and model filters; in the URL as `?key=<id>&model=<name>`. */
export interface CacheFilters {
  keyId: string | null;
  model: string | null;
}

export function cacheFiltersOf(url: URL): CacheFilters {
  const pick = (name: string) => {
    const v = url.searchParams.get(name)?.trim() ?? '';
    // hostile input stays out of the query: bounded, no control characters
    return v && v.length <= 256 && !/[\u0000-\u001f\u007f]/.test(v) ? v : null;
  };
  return { keyId: pick('key'), model: pick('model') };
}

/**
 * The page's figures under its filters, and (`options`) the keys and models with calls in the
 * range without them (the 100 busiest keys), for the filter pickers: one round trip, both
 * scoped by role. The tables show the top 10 (the server names only those).
 */
export const CachePageQuery = graphql(`
  query CachePage($filter: UsageFilter!, $range: UsageFilter!) {
    options: cacheAnalytics(filter: $range, topKeys: 100) {
      byModel {
        model
      }
      byKey {
        keyId
        keyAlias
        keyPlayground
      }
    }
    cacheAnalytics(filter: $filter, topKeys: 10) {
      hitRatio
      cacheHits
      upstreamCalls
      savedSpend
      cachedCompletionTokens
      promptCache {
        hits
        cachedTokens
        writeTokens
        tokenRatio
        savedSpend
      }
      days {
        day
        cacheHits
        upstreamCalls
        savedSpend
        promptCache {
          hits
          cachedTokens
          savedSpend
        }
      }
      byModel {
        model
        cacheHits
        upstreamCalls
        savedSpend
        promptCache {
          hits
          cachedTokens
          savedSpend
        }
      }
      byKey {
        keyId
        keyAlias
        keyPlayground
        cacheHits
        upstreamCalls
        savedSpend
        promptCache {
          hits
          cachedTokens
          savedSpend
        }
      }
    }
  }
`);

/** Every day of the range, so the chart has no gaps on quiet days. */
export function daysBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

/** Rows of (day, model, spend) as one record per day with a column per model, for a stacked chart. */
export function pivotByDay(rows: { day?: string | null; model?: string | null; spend: number }[], days: string[], top = 5) {
  const totals = new Map<string, number>();
  for (const r of rows) totals.set(r.model ?? '', (totals.get(r.model ?? '') ?? 0) + r.spend);
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1]).map(([m]) => m);
  const series = ranked.slice(0, top);
  const other = ranked.length > top;
  const byDay = new Map(days.map((d) => [d, Object.fromEntries([...series, ...(other ? ['other'] : [])].map((s) => [s, 0])) as Record<string, number>]));
  for (const r of rows) {
    const rec = byDay.get(r.day ?? '');
    if (!rec) continue;
    const k = series.includes(r.model ?? '') ? (r.model ?? '') : 'other';
    rec[k] = (rec[k] ?? 0) + r.spend;
  }
  return { series: other ? [...series, 'other'] : series, data: days.map((d) => ({ day: d, ...byDay.get(d)! })) };
}

/** One key's calls per day and model, and its totals: the chart on the key's page. */
export const KeyUsageQuery = graphql(`
  query KeyUsage($filter: UsageFilter!) {
    totals: usage(filter: $filter) {
      totals {
        spend
        requests
        totalTokens
      }
    }
    daily: usage(filter: $filter, groupBy: [DAY, MODEL]) {
      rows {
        day
        model
        spend
        requests
      }
    }
  }
`);


/** The budgets behind the usage page's scope, with their runway: the caller's own (user, keys) or the team's. */
export const UsageBudgetsQuery = graphql(`
  query UsageBudgets($userId: ID!, $teamId: ID!, $me: Boolean!, $team: Boolean!) {
    user(id: $userId) @include(if: $me) {
      id
      maxBudget
      personalSpend
      budgetResetAt
      runway {
        status
        dailyRate
        exhaustedAt
        beforeReset
        daysLeft
      }
    }
    keys(first: 25, filter: { userId: $userId }) @include(if: $me) {
      edges {
        node {
          id
          keyAlias
          keyName
          maxBudget
          spend
          budgetResetAt
          runway {
            status
            dailyRate
            exhaustedAt
            beforeReset
            daysLeft
          }
        }
      }
    }
    team(id: $teamId) @include(if: $team) {
      id
      teamAlias
      maxBudget
      spend
      budgetResetAt
      runway {
        status
        dailyRate
        exhaustedAt
        beforeReset
        daysLeft
      }
    }
  }
`);

export type BudgetRow = { id: string; title: string; used: number; limit: number; resetsAt: string | null; runway: Runway | null };

type BudgetHolder = { maxBudget?: number | null; budgetResetAt?: string | null; runway?: Runway | null };

/** The budgets with a max, as the usage page's progress list shows them (personal first, then keys, then the team). */
export function budgetRows(d: {
  user?: (BudgetHolder & { id: string; personalSpend: number }) | null;
  keys?: { edges: Array<{ node: BudgetHolder & { id: string; keyAlias?: string | null; keyName: string; spend: number } }> } | null;
  team?: (BudgetHolder & { id: string; teamAlias?: string | null; spend: number }) | null;
}): BudgetRow[] {
  const row = (id: string, title: string, used: number, h: BudgetHolder): BudgetRow[] =>
    h.maxBudget == null ? [] : [{ id, title, used, limit: h.maxBudget, resetsAt: h.budgetResetAt ?? null, runway: h.runway ?? null }];
  return [
    ...(d.user ? row(`user:${d.user.id}`, 'Personal budget', d.user.personalSpend, d.user) : []),
    ...(d.keys?.edges ?? []).flatMap(({ node: k }) => row(`key:${k.id}`, `Key ${k.keyAlias ?? k.keyName}`, k.spend, k)),
    ...(d.team ? row(`team:${d.team.id}`, `Team ${d.team.teamAlias ?? d.team.id}`, d.team.spend, d.team) : []),
  ];
}
