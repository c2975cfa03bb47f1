import type { FastifyInstance } from 'fastify';
import { ApiError } from './api-error.js';
import { replyWithError } from './api-exception.filter.js';

/**
 * Refuses a NUL (%00) in any query parameter's name or value, on every route, with a 400 naming it.
 * No filter means a NUL, and the read models cannot take one alike: SQLite compares it, PostgreSQL
 * refuses it in text (a 500 if it got that far).
 */
export function refuseNulInQuery(fastify: FastifyInstance): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const query = request.query as Record<string, unknown> | undefined;
    for (const [name, value] of Object.entries(query ?? {})) {
      const values = Array.isArray(value) ? value : [value];
      if (name.includes('\0') || values.some((item) => typeof item === 'string' && item.includes('\0'))) {
        const parameter = name.replaceAll('\0', '\\u0000');
        replyWithError(new ApiError(400, 'bad_request', `the query parameter ${parameter} contains a NUL character`, { parameter }), request, reply);
        return;
      }
    }
    done();
  });
}
