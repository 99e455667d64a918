/**
 * The generated GraphQL types (ui/src/lib/graphql/, cli/src/gql/) are committed, like the
 * SDL: regenerate them from the committed schema and documents into a scratch folder with
 * the same codegen.yml, and every file must equal the committed one (run `npm run codegen`).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';

const REPO = resolve(fileURLToPath(new URL('.', import.meta.url)), '../..');
const scratch = mkdtempSync(join(tmpdir(), 'purser-codegen-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('generated GraphQL types', () => {
  it('equal what codegen.yml generates from the committed schema and documents', async () => {
    const config = parse(readFileSync(join(REPO, 'codegen.yml'), 'utf8')) as { generates: Record<string, unknown> };
    const targets = Object.keys(config.generates);
    expect(targets.sort()).toEqual(['cli/src/gql/', 'ui/src/lib/graphql/']);
    // same config, outputs moved to the scratch folder (documents are read from the repo)
    const moved = Object.fromEntries(targets.map((t, i) => [join(scratch, String(i)) + '/', config.generates[t]]));
    const file = join(scratch, 'codegen.yml');
    writeFileSync(file, stringify({ ...config, generates: moved }));
    await promisify(execFile)(process.execPath, [join(REPO, 'node_modules/@graphql-codegen/cli/cjs/bin.js'), '--config', file], { cwd: REPO });

    const drift: string[] = [];
    targets.forEach((t, i) => {
      const fresh = join(scratch, String(i));
      const names = readdirSync(fresh).sort();
      expect(readdirSync(join(REPO, t)).sort(), t).toEqual(names);
      for (const n of names) if (readFileSync(join(fresh, n), 'utf8') !== readFileSync(join(REPO, t, n), 'utf8')) drift.push(`${t}${n}`);
    });
    expect(drift, 'generated types drifted: run `npm run codegen` and commit').toEqual([]);
  }, 60_000);
});
