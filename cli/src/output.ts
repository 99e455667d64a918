import Table from 'cli-table3';

/** What every command writes: a human table by default, JSON with --json. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(head: string[], rows: Array<Array<string | number>>): void {
  const table = new Table({ head, style: { head: [], border: [] } });
  table.push(...rows.map((r) => r.map(String)));
  process.stdout.write(`${table.toString()}\n`);
}

/** Label: value pairs, one per line. */
export function printFields(fields: Array<[string, string | number]>): void {
  const table = new Table({ style: { head: [], border: [] } });
  table.push(...fields.map(([k, v]) => ({ [k]: String(v) })));
  process.stdout.write(`${table.toString()}\n`);
}

export function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

/** Hints go to stderr, so stdout stays the answer. */
export function note(line: string): void {
  process.stderr.write(`${line}\n`);
}

const DASH = '–';
export const money = (n: number | null | undefined) => (n == null ? DASH : `$${n < 0.01 && n > 0 ? n.toPrecision(2) : n.toFixed(2)}`);
export const orDash = (v: string | number | null | undefined) => (v == null || v === '' ? DASH : String(v));
export const when = (iso: string | null | undefined) => (iso ? iso.replace('T', ' ').slice(0, 16) : DASH);
/** GraphQL's PROXY_ADMIN → LiteLLM's proxy_admin, as the command line takes it. */
export const litellmName = (v: string) => v.toLowerCase();

/** RFC 4180 CSV; a cell that a spreadsheet would run as a formula is prefixed with '. */
export function printCsv(head: string[], rows: Array<Array<string | number | null | undefined>>): void {
  const cell = (v: string | number | null | undefined) => {
    let s = v == null ? '' : String(v);
    if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  process.stdout.write([head, ...rows].map((r) => r.map(cell).join(',')).join('\n') + '\n');
}
