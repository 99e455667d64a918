import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // graphql must be loaded once ("another module or realm" otherwise).
    // $lib: the dashboard's own modules, for unit tests of its logic (test/unit/ui-*.test.ts)
    alias: [
      { find: /^graphql$/, replacement: 'graphql/index.js' },
      { find: /^\$lib\//, replacement: fileURLToPath(new URL('./ui/src/lib/', import.meta.url)) },
    ],
  },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});
