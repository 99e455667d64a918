import fastifyHelmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every .html file of the build (adapter-static writes index.html, maybe prerendered pages). */
function htmlFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.html'))
    .map((e) => join(e.parentPath, e.name));
}

/**
 * CSP hashes of the inline scripts in the built pages: SvelteKit inlines its small bootstrap
 * script, and hashing it keeps `script-src` free of 'unsafe-inline'. Computed at start, so a
 * rebuilt dashboard needs no config change.
 */
export function inlineScriptHashes(dir: string): string[] {
  const hashes = new Set<string>();
  for (const file of htmlFiles(dir))
    for (const m of readFileSync(file, 'utf8').matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi))
      hashes.add(`'sha256-${createHash('sha256').update(m[1]!, 'utf8').digest('base64')}'`);
  return [...hashes];
}

/**
 * The dashboard: a static single-page app at /ui/ (unknown paths get index.html: client-side
 * routes), with security headers on everything it serves. Other HTML (Apollo's landing page
 * on /graphql) keeps its own needs.
 */
export async function registerDashboard(fastify: FastifyInstance, uiDir: string | null) {
  if (!uiDir || !existsSync(join(uiDir, 'index.html'))) {
    fastify.get('/ui/*', (_req, reply) =>
      reply.status(503).type('text/plain').send('The dashboard is not built. Run `npm run build` (npm start does it).'),
    );
    return;
  }
  fastify.get('/ui', (_req, reply) => reply.redirect('/ui/', 302));
  const scripts = inlineScriptHashes(uiDir);
  await fastify.register(
    async (ui) => {
      await ui.register(fastifyHelmet, {
        contentSecurityPolicy: {
          useDefaults: false,
          directives: {
            'default-src': ["'self'"],
            'script-src': ["'self'", ...scripts],
            // Svelte and the build set style attributes; styles cannot run code
            'style-src': ["'self'", "'unsafe-inline'"],
            'img-src': ["'self'", 'data:'],
            'font-src': ["'self'", 'data:'],
            'connect-src': ["'self'"],
            'object-src': ["'none'"],
            'base-uri': ["'self'"],
            'form-action': ["'self'"],
            'frame-ancestors': ["'none'"],
          },
        },
        frameguard: { action: 'deny' },
        referrerPolicy: { policy: 'same-origin' },
        // the dashboard loads nothing cross-origin; COEP would only risk breaking it
        crossOriginEmbedderPolicy: false,
        // PROXY_BASE_URL may be plain http on a LAN: HSTS is the TLS terminator's call
        strictTransportSecurity: false,
      });
      await ui.register(fastifyStatic, { root: uiDir, prefix: '/', index: ['index.html'], wildcard: true });
      ui.setNotFoundHandler((req, reply) => {
        if (req.method === 'GET' || req.method === 'HEAD') return reply.type('text/html').sendFile('index.html');
        return reply.status(404).send({ error: { message: `Route ${req.method} ${req.url.split('?')[0]} not found.`, type: 'not_found_error', param: null, code: '404' } });
      });
    },
    { prefix: '/ui' },
  );
}
