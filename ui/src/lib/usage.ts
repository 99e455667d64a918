import { graphql } from '$lib/graphql';
import { utcDay } from '$lib/format';

/** Date range presets; the chosen one lives in the URL (`?days=28`). */
export const PRESETS = [7, 28, 90] as const;
export type Preset = (typeof PRESETS)[number];

export function rangeOf(url: URL): { days: Preset; from: string; to: string } {
  const asked = Number(url.searchParams.get('days'));
  const days = (PRESETS as readonly number[]).includes(asked) ? (asked as Preset) : 28;
  return { days, from: utcDay(days - 1), to: utcDay(0) };
}

/** Totals, spend per day and model, top models and keys: one round trip for the usage page. */
export const UsagePageQuery = graphql(`
  query UsagePage($filter: UsageFilter!) {
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
    keys: usage(filter: $filter, groupBy: [KEY]) {
      rows {
        keyId
        spend
        requests
        totalTokens
      }
    }
    keyNames: cacheAnalytics(filter: $filter) {
      byKey {
        keyId
        keyAlias
      }
    }
  }
`);

export const CachePageQuery = graphql(`
  query CachePage($filter: UsageFilter!) {
    cacheAnalytics(filter: $filter) {
      hitRatio
      cacheHits
      upstreamCalls
      savedSpend
      cachedCompletionTokens
      days {
        day
        cacheHits
        upstreamCalls
        savedSpend
      }
      byModel {
        model
        cacheHits
        upstreamCalls
        savedSpend
      }
      byKey {
        keyId
        keyAlias
        cacheHits
        upstreamCalls
        savedSpend
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
