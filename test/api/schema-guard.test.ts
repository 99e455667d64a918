import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';

/** The breaking-change guard, run as CI runs it, inside throwaway git repositories. */
const GUARD = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../scripts/schema-guard.mjs');

const V1 = `"""Reads."""
type Query {
  """A key."""
  key(id: ID!): Key
  """Keys."""
  keys: [Key!]!
}
"""A key."""
type Key {
  """Id."""
  id: ID!
  """Alias."""
  alias: String
}
`;

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function repo(): { dir: string; commit(files: Record<string, string>, message: string): void } {
  const dir = mkdtempSync(join(tmpdir(), 'purser-guard-'));
  dirs.push(dir);
  const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  git('config', 'user.email', 'guard@example.com');
  git('config', 'user.name', 'guard test');
  mkdirSync(join(dir, 'schema'));
  return {
    dir,
    commit(files, message) {
      for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
      git('add', '-A');
      git('commit', '-q', '-m', message);
    },
  };
}

function guard(dir: string, ...args: string[]) {
  const r = spawnSync(process.execPath, [GUARD, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('schema guard', () => {
  it('fails on a breaking change that schema/CHANGELOG.md does not list, naming it', () => {
    const r = repo();
    r.commit({ 'schema/schema.graphql': V1, 'schema/CHANGELOG.md': '# Changelog\n\n## Unreleased\n' }, 'v1');
    r.commit({ 'schema/schema.graphql': V1.replace('  """Alias."""\n  alias: String\n', '') }, 'drop alias');
    const res = guard(r.dir);
    expect(res.code).toBe(1);
    expect(res.err).toContain('1 breaking change(s) not in schema/CHANGELOG.md');
    expect(res.err).toContain("Key.alias: Field 'alias' was removed from object type 'Key'");
  });

  it('fails on a new required argument and a changed type, each named', () => {
    const r = repo();
    r.commit({ 'schema/schema.graphql': V1 }, 'v1');
    r.commit({ 'schema/schema.graphql': V1.replace('keys: [Key!]!', 'keys(owner: ID!): [Key!]!').replace('alias: String', 'alias: Int') }, 'break');
    const res = guard(r.dir);
    expect(res.code).toBe(1);
    expect(res.err).toContain('Query.keys.owner');
    expect(res.err).toContain('Key.alias');
  });

  it('passes when the change is listed with what clients must do, and prints it', () => {
    const r = repo();
    r.commit({ 'schema/schema.graphql': V1, 'schema/CHANGELOG.md': '# Changelog\n\n## Unreleased\n' }, 'v1');
    const changelog = '# Changelog\n\n## Unreleased\n\n- `Key.alias` (removed): keys have no alias any more.\n  Clients must: show the id instead.\n';
    r.commit({ 'schema/schema.graphql': V1.replace('  """Alias."""\n  alias: String\n', ''), 'schema/CHANGELOG.md': changelog }, 'drop alias, written up');
    const res = guard(r.dir);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toContain('breaking, written up in schema/CHANGELOG.md:');
    expect(res.out).toContain('Key.alias');
  });

  it('does not accept a listing without what clients must do', () => {
    const r = repo();
    r.commit({ 'schema/schema.graphql': V1 }, 'v1');
    r.commit({ 'schema/schema.graphql': V1.replace('  """Alias."""\n  alias: String\n', ''), 'schema/CHANGELOG.md': '## Unreleased\n\n- `Key.alias` removed.\n' }, 'drop');
    expect(guard(r.dir).code).toBe(1);
  });

  it('passes a safe change and prints it; prints a dangerous one', () => {
    const r = repo();
    r.commit({ 'schema/schema.graphql': `${V1}"""Kinds."""\nenum Kind {\n  """A."""\n  A\n}\n` }, 'v1');
    r.commit(
      { 'schema/schema.graphql': `${V1.replace('  alias: String\n', '  alias: String\n  """Spend."""\n  spend: Float\n')}"""Kinds."""\nenum Kind {\n  """A."""\n  A\n  """B."""\n  B\n}\n` },
      'add spend and a kind',
    );
    const res = guard(r.dir);
    expect(res.code, res.err).toBe(0);
    expect(res.out).toMatch(/safe:\n(.*\n)*\s+Key\.spend: Field 'spend' was added to object type 'Key'/);
    expect(res.out).toMatch(/dangerous[^\n]*:\n\s+Kind\.B: Enum value 'B' was added to enum 'Kind'/);
  });

  it('compares with the last release tag when there is one', () => {
    const r = repo();
    r.commit({ 'schema/schema.graphql': V1 }, 'v1');
    execFileSync('git', ['tag', 'v1.0.0'], { cwd: r.dir });
    r.commit({ 'schema/schema.graphql': V1.replace('  """Alias."""\n  alias: String\n', '') }, 'drop alias');
    r.commit({ 'schema/schema.graphql': V1.replace('  """Alias."""\n  alias: String\n', '').replace('"""Keys."""', '"""All keys."""') }, 'reword');
    const res = guard(r.dir);
    expect(res.out).toContain('against release tag v1.0.0');
    expect(res.code).toBe(1);
    expect(res.err).toContain('Key.alias');
  });

  it('says so and passes without a previous commit or without git', () => {
    const r = repo();
    r.commit({ 'schema/schema.graphql': V1 }, 'v1');
    const first = guard(r.dir);
    expect(first.code).toBe(0);
    expect(first.out).toContain('no previous commit (HEAD~1)');
    const plain = mkdtempSync(join(tmpdir(), 'purser-guard-nogit-'));
    dirs.push(plain);
    const none = guard(plain);
    expect(none.code).toBe(0);
    expect(none.out).toContain('not a git checkout');
  });
});
