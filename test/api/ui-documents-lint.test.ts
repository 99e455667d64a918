/**
 * Contract: the dashboard's GraphQL documents (graphql(`...`) in ui/src .ts and .svelte files)
 * use only what schema/schema.graphql has, no deprecated field, and name every operation.
 * ESLint with @graphql-eslint runs through its Node API with the repo's eslint.config.js.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: ROOT });

/** `file:line rule: message` per problem, for a readable failure. */
const problems = (results: ESLint.LintResult[]) =>
  results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(ROOT.length + 1)}:${m.line} ${m.ruleId ?? 'parse'}: ${m.message}`));

describe('dashboard documents lint: @graphql-eslint against the committed SDL', () => {
  it('ui/src has no problems', async () => {
    const results = await eslint.lintFiles(['ui/src']);
    expect(problems(results)).toEqual([]);
    // the documents live in these files; the run must have looked at them
    const linted = results.map((r) => r.filePath.slice(ROOT.length + 1));
    expect(linted).toEqual(expect.arrayContaining(['ui/src/lib/viewer.ts', 'ui/src/lib/users.ts', 'ui/src/lib/account.ts', 'ui/src/lib/invitation.ts', 'ui/src/routes/(app)/keys/+page.svelte']));
  });

  it('finds a wrong field inside a real dashboard module (the extraction is not vacuous)', async () => {
    const file = resolve(ROOT, 'ui/src/lib/viewer.ts');
    const broken = readFileSync(file, 'utf8').replace(/(\n\s+)userRole\n/, '$1userRoles\n');
    const rules = (await eslint.lintText(broken, { filePath: file }))[0].messages.map((m) => m.ruleId);
    expect(rules).toContain('@graphql-eslint/fields-on-correct-type');
  });

  it('refuses anonymous operations, unknown types, lower-case enum literals and deprecated fields in .ts modules', async () => {
    const code = [
      "import { graphql } from '$lib/graphql';",
      'export const A = graphql(`query { me { authMethod } }`);',
      'export const B = graphql(`mutation Invite($i: NoSuchInput!) { inviteUser(input: $i) { link } }`);',
      'export const C = graphql(`mutation Role { inviteUser(input: { email: "a@b.c", userRole: proxy_admin }) { link } }`);',
    ].join('\n');
    const rules = (await eslint.lintText(code, { filePath: resolve(ROOT, 'ui/src/lib/probe.ts') }))[0].messages.map((m) => m.ruleId);
    expect(rules).toEqual(
      expect.arrayContaining([
        '@graphql-eslint/no-anonymous-operations',
        '@graphql-eslint/known-type-names',
        '@graphql-eslint/value-literals-of-correct-type',
      ]),
    );
    // no field is deprecated today: the rule is on (an unknown rule id would fail config loading)
    const config = await eslint.calculateConfigForFile(resolve(ROOT, 'ui/src/lib/probe.ts/0_document.graphql'));
    expect(config?.rules?.['@graphql-eslint/no-deprecated']).toEqual([2]);
  });
});
