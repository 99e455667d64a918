import { Command, InvalidArgumentError } from 'commander';
import { clientFor, leaf, optionsOf } from '../context.js';
import { Usage } from '../documents.js';
import { UsageError } from '../errors.js';
import type { CliUsageQuery, UsageGroupBy } from '../gql/graphql.js';
import { money, orDash, printCsv, printFields, printJson, printTable } from '../output.js';
import { day, duration, list, sinceRange } from '../parse.js';

const DIMENSIONS = ['day', 'model', 'key', 'user', 'team'] as const;
type Dimension = (typeof DIMENSIONS)[number];
type Row = CliUsageQuery['usage']['rows'][number];

const column: Record<Dimension, (r: Row) => string | null | undefined> = {
  day: (r) => r.day,
  model: (r) => r.model,
  key: (r) => r.keyId,
  user: (r) => r.userId,
  team: (r) => r.teamId,
};

function dimensions(value: string): Dimension[] {
  const dims = list(value);
  for (const d of dims) if (!(DIMENSIONS as readonly string[]).includes(d)) throw new InvalidArgumentError(`Must be ${DIMENSIONS.join(', ')} (or several, comma-separated).`);
  return dims as Dimension[];
}

export function registerUsage(program: Command): void {
  leaf(program, 'usage', 'Spend, requests and tokens in a date range, optionally grouped (what you may see)')
    .option('--since <duration>', 'from this long ago to today, e.g. 7d, 4w, 3mo (default 7d)', duration)
    .option('--from <date>', 'first UTC day, YYYY-MM-DD', day)
    .option('--to <date>', 'last UTC day, YYYY-MM-DD (default today)', day)
    .option('--by <dims>', `group by ${DIMENSIONS.join('|')} (comma-separated for several)`, dimensions)
    .option('--csv', 'the rows as CSV on stdout')
    .action(async (_opts, cmd: Command) => {
      const o = optionsOf(cmd);
      if (o.since && (o.from || o.to)) throw new UsageError('give either --since or --from/--to, not both.');
      if (o.csv && o.json) throw new UsageError('give either --csv or --json.');
      const range = o.from || o.to ? { from: (o.from as string) ?? (o.to as string), to: (o.to as string) ?? new Date().toISOString().slice(0, 10) } : sinceRange((o.since as string) ?? '7d');
      if (range.from > range.to) throw new UsageError(`--from ${range.from} is after --to ${range.to}.`);
      const by = (o.by as Dimension[] | undefined) ?? [];
      const { usage } = await clientFor(o).request(Usage, {
        filter: range,
        groupBy: by.map((d) => d.toUpperCase() as UsageGroupBy),
      });
      if (o.json) return printJson({ ...range, groupBy: by, ...usage });
      const head = [...by, 'requests', 'failures', 'spend', 'prompt tokens', 'completion tokens', 'cache hits'];
      type Figures = Pick<Row, 'requests' | 'failures' | 'spend' | 'promptTokens' | 'completionTokens' | 'cacheHits'>;
      const figures = (r: Figures) => [r.requests, r.failures, r.spend, r.promptTokens, r.completionTokens, r.cacheHits];
      // without --by the one CSV row is the totals
      if (o.csv) return printCsv(head, by.length ? usage.rows.map((r) => [...by.map((d) => column[d](r)), ...figures(r)]) : [figures(usage.totals)]);
      const t = usage.totals;
      if (by.length)
        printTable(
          head,
          usage.rows.map((r) => [...by.map((d) => orDash(column[d](r))), r.requests, r.failures, money(r.spend), r.promptTokens, r.completionTokens, r.cacheHits]),
        );
      printFields([
        ['range', `${range.from} … ${range.to} (UTC)`],
        ['requests', `${t.requests} (${t.failures} failed, ${t.cacheHits} from cache)`],
        ['spend', money(t.spend)],
        ['tokens', `${t.totalTokens} (${t.promptTokens} prompt, ${t.completionTokens} completion)`],
      ]);
    });
}
