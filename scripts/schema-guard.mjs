#!/usr/bin/env node
// Breaking-change guard (run by `npm test`, so by CI): compares the committed SDL with the SDL of
// the last release tag `v*`, or else of the previous commit (HEAD~1). A breaking change fails
// unless schema/CHANGELOG.md lists it with what a client must do; dangerous and safe changes are
// printed. Usage: node scripts/schema-guard.mjs [--base REF]   (run inside the repository)
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CriticalityLevel, diff } from '@graphql-inspector/core';
import { buildSchema } from 'graphql';

const SDL = 'schema/schema.graphql';
const CHANGELOG = 'schema/CHANGELOG.md';

const git = (...args) => execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
const tryGit = (...args) => {
  try {
    return git(...args);
  } catch {
    return null;
  }
};
const pass = (why) => {
  console.log(`schema guard: ${why}; nothing to compare, passing.`);
  process.exit(0);
};

const root = tryGit('rev-parse', '--show-toplevel');
if (!root) pass('not a git checkout');
process.chdir(root);

/** The release tag nearest to HEAD, else the previous commit. */
function baseRef() {
  const i = process.argv.indexOf('--base');
  if (i > 0 && process.argv[i + 1]) return { ref: process.argv[i + 1], what: process.argv[i + 1] };
  const tag = tryGit('describe', '--tags', '--abbrev=0', '--match', 'v*', 'HEAD');
  if (tag) return { ref: tag, what: `release tag ${tag}` };
  if (!tryGit('rev-parse', '--verify', '--quiet', 'HEAD~1^{commit}')) {
    // a shallow clone hides the history the guard needs: that must not pass silently
    if (tryGit('rev-parse', '--is-shallow-repository') === 'true') {
      console.error('schema guard: this is a shallow clone without the previous commit; run `git fetch --unshallow` (CI needs a full clone).');
      process.exit(1);
    }
    pass('no previous commit (HEAD~1)');
  }
  return { ref: 'HEAD~1', what: `the previous commit (${git('rev-parse', '--short', 'HEAD~1')})` };
}

/** List items of the changelog, continuation lines joined. */
function entries(changelog) {
  const items = [];
  for (const line of changelog.split('\n')) {
    if (/^\s{0,2}[-*]\s/.test(line)) items.push(line);
    else if (items.length && /^\s+\S/.test(line)) items[items.length - 1] += ` ${line.trim()}`;
    else if (!line.trim() || /^\S/.test(line)) items.push('');
  }
  return items.filter(Boolean);
}

/** A breaking change is written up when a list item names its path in backticks and says what clients must do. */
const documented = (items, path) => items.some((item) => item.includes(`\`${path}\``) && /Clients must:\s*\S/.test(item));

if (!existsSync(SDL)) pass(`${SDL} does not exist`);
const { ref, what } = baseRef();
const oldSdl = tryGit('show', `${ref}:${SDL}`);
if (oldSdl === null) pass(`${SDL} does not exist at ${what}`);

const changes = await diff(buildSchema(oldSdl), buildSchema(readFileSync(SDL, 'utf8')));
const changelog = entries(existsSync(CHANGELOG) ? readFileSync(CHANGELOG, 'utf8') : '');
const at = (level) => changes.filter((c) => c.criticality.level === level);
const line = (c) => `  ${c.path ?? '(schema)'}: ${c.message}`;

console.log(`schema guard: ${SDL} against ${what}: ${changes.length} change(s).`);
const breaking = at(CriticalityLevel.Breaking);
const undocumented = breaking.filter((c) => !documented(changelog, c.path ?? c.message));
for (const [title, list] of [
  ['breaking, written up in ' + CHANGELOG, breaking.filter((c) => !undocumented.includes(c))],
  ['dangerous (clients may behave differently)', at(CriticalityLevel.Dangerous)],
  ['safe', at(CriticalityLevel.NonBreaking)],
]) {
  if (list.length) console.log(`${title}:\n${list.map(line).join('\n')}`);
}
if (undocumented.length) {
  console.error(
    `schema guard: ${undocumented.length} breaking change(s) not in ${CHANGELOG}:\n${undocumented.map(line).join('\n')}\n` +
      `Deprecate first (@deprecated(reason: "...")); to break anyway, add under "## Unreleased" a line per change, e.g.\n` +
      `  - \`${undocumented[0].path}\`: ${undocumented[0].message} Clients must: <what to change>.`,
  );
  process.exit(1);
}
console.log('schema guard: passed.');
