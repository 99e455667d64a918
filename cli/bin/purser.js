#!/usr/bin/env node
// The `purser` command: the built CLI (`npm run build`), or in a checkout that was not built,
// its TypeScript source through the swc register the repository uses for development.
import { existsSync } from 'node:fs';

const built = new URL('../dist/main.js', import.meta.url);
if (existsSync(built)) {
  await import(built.href);
} else {
  await import('@swc-node/register/esm-register');
  await import(new URL('../src/main.ts', import.meta.url).href);
}
