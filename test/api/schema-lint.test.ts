/**
 * Contract: the committed SDL passes graphql-schema-linter with its default rules (every
 * built-in rule; any rule turned off is named with its reason in .graphql-schema-linterrc).
 * The linter runs as its CLI, from the repo root, exactly as a person or CI would run it.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = createRequire(import.meta.url).resolve('graphql-schema-linter/lib/cli.js');

interface LintError {
  message: string;
  rule: string;
  location: { line: number; column: number; file: string };
}

/** Runs the linter (config from the repo root); `sdl` is linted from stdin instead of schemaPaths. */
function lint(sdl?: string): { status: number | null; errors: LintError[] } {
  const args = [CLI, '--format', 'json', ...(sdl === undefined ? [] : ['--stdin'])];
  const res = spawnSync(process.execPath, args, { cwd: ROOT, input: sdl ?? '', encoding: 'utf8' });
  expect(res.stderr, 'the linter reports configuration problems on stderr').toBe('');
  return { status: res.status, errors: (JSON.parse(res.stdout) as { errors: LintError[] }).errors };
}

describe('schema lint: graphql-schema-linter on schema/schema.graphql', () => {
  it('reports no errors with the default rules', () => {
    const { status, errors } = lint();
    // one readable line per problem instead of a JSON dump
    expect(errors.map((e) => `${e.location.line}:${e.location.column} ${e.rule}: ${e.message}`)).toEqual([]);
    expect(status).toBe(0);
  });

  it('lints the committed schema (the config points at it)', () => {
    expect(readFileSync(resolve(ROOT, '.graphql-schema-linterrc'), 'utf8')).toMatch(/^\s*- schema\/schema\.graphql$/m);
  });

  it('is not vacuous: the same linter and config refuse lower-case enum values and descriptions', () => {
    const bad = '"""Q."""\ntype Query {\n  """lower case."""\n  role: Role\n}\n"""R."""\nenum Role {\n  """A."""\n  proxy_admin\n}\n';
    const { status, errors } = lint(bad);
    expect(status).toBe(1);
    expect(errors.map((e) => e.rule)).toEqual(expect.arrayContaining(['enum-values-all-caps', 'descriptions-are-capitalized']));
  });
});
