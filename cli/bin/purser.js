#!/usr/bin/env node
// The `purser` command: the built CLI (`npm run build`), or in a checkout that was not built,
// its TypeScript source through the swc register the repository uses for development
// (registered relative to this file and the CLI's tsconfig, so it works from any directory).
import { existsSync } from 'node:fs';
import { register } from 'node:module';

const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  process.env.SWC_NODE_PROJECT ??= new URL('../tsconfig.json', import.meta.url).pathname;
  register('@swc-node/register/esm', import.meta.url);
  await import(new URL('../src/main.ts', import.meta.url).href);
}
