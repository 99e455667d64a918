/**
 * The CLI's GraphQL documents (cli/src/documents.ts) are linted like the dashboard's: only what
 * schema/schema.graphql has, no deprecated field, every operation named.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

describe('CLI documents lint: @graphql-eslint against the committed SDL', () => {
  it('cli/src has no problems, and its documents were looked at', async () => {
    const results = await eslint.lintFiles(['cli/src']);
    expect(results.flatMap((r) => r.messages.map((m) => `${r.filePath}:${m.line} ${m.ruleId}: ${m.message}`))).toEqual([]);
    expect(results.map((r) => r.filePath.slice(ROOT.length + 1))).toContain('cli/src/documents.ts');
  });

  it('finds a wrong field in the real documents module', async () => {
    const file = resolve(ROOT, 'cli/src/documents.ts');
    const broken = readFileSync(file, 'utf8').replace('keys(first: $first, after: $after, filter: $filter) {', 'keys(first: $first, after: $after, filter: $filter, owner: "x") {');
    const rules = (await eslint.lintText(broken, { filePath: file }))[0]!.messages.map((m) => m.ruleId);
    expect(rules).toContain('@graphql-eslint/known-argument-names');
  });
});
