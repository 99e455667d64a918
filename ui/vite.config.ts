import tailwindcss from '@tailwindcss/vite';
import { sveltekit } from '@sveltejs/kit/vite';
import { defineConfig } from 'vite';

// Only used by `vite dev`: forward API calls to a locally running Purser server
// so the dashboard can stay same-origin (cookies, CSRF) during development.
const apiTarget = process.env.PURSER_API_URL ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [tailwindcss(), sveltekit()],
  ssr: {
    // The workspace root hoists cookie@2 (for the API's Fastify); SvelteKit needs its own
    // nested cookie@0.6. Bundling it into the build-time server output makes Vite resolve
    // it from @sveltejs/kit instead of the hoisted copy, which lacks the named exports.
    noExternal: ['cookie'],
  },
  build: {
    // SvelteKit's own writeBundle step (server analysis + adapter) dominates; don't warn about it.
    rolldownOptions: { checks: { bundlerTimings: false } },
  },
  server: {
    proxy: {
      '/graphql': apiTarget,
      '/v2': apiTarget,
      '/ui-config': apiTarget,
      '/logout': apiTarget,
      '/sso': apiTarget,
      '/fallback': apiTarget,
    },
  },
});
