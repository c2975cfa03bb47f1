import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** Where `npm run build` puts the console (apps/console/dist), from this file's place in apps/ledger/dist/http. */
export const CONSOLE_DIST = fileURLToPath(new URL('../../../console/dist/', import.meta.url));

/**
 * Serves the web console at /console/ (README: Console): Vite names its assets by content hash, so they are
 * cached for a year as immutable; index.html and the element's entry file keep their names and are revalidated
 * on every load, so a new release is picked up at once. A ledger built without the console serves no /console.
 * These routes are files, not API: they stay out of Nest and so out of the OpenAPI document.
 */
export async function serveConsole(app: NestFastifyApplication, root = CONSOLE_DIST): Promise<void> {
  if (!existsSync(root)) return;
  // Relative asset URLs need the trailing slash.
  app.getHttpAdapter().getInstance().get('/console', (_request, reply) => reply.redirect('/console/', 301));
  await app.register(fastifyStatic, {
    root,
    prefix: '/console/',
    index: ['index.html'],
    cacheControl: false,
    setHeaders: (response, path) => {
      const hashed = /[\\/]assets[\\/]/.test(path);
      response.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
      response.setHeader('x-content-type-options', 'nosniff');
      if (path.endsWith('.html')) {
        // The console talks only to this origin's API; nothing may frame it (the embeddable element is the way in).
        response.setHeader('content-security-policy', "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'");
      }
    },
  });
}
