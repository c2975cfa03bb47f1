import type { FastifyInstance } from 'fastify';
import { replyWithError } from '../api-exception.filter.js';
import { openApiPath, type DiscoveredRoute } from '../openapi/route-explorer.js';
import { authorizeBearer } from './authorize-bearer.js';
import type { Credentials, Role } from './credentials.js';

/**
 * Checks the bearer token in Fastify's onRequest hook, before the body is read or parsed: a caller
 * without a valid token (or without the route's role) is answered 401 (403) at once and its connection
 * closed, so an anonymous client can neither make the service parse a hostile body nor hold a
 * connection open by sending one slowly. The roles come from the routes' @RequiresRole, learnt once
 * Nest has registered them (`learn`); public routes pass untouched.
 */
export class EarlyAuthentication {
  private readonly rolesByRoute = new Map<string, readonly Role[]>();

  constructor(private readonly credentials: Credentials) {}

  learn(routes: readonly DiscoveredRoute[]): void {
    for (const route of routes) if (route.roles) this.rolesByRoute.set(`${route.method} ${route.path}`, route.roles);
  }

  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      const url = request.routeOptions.url;
      const method = request.method === 'HEAD' ? 'get' : request.method.toLowerCase();
      const roles = url === undefined ? undefined : this.rolesByRoute.get(`${method} ${openApiPath('', url)}`);
      if (roles === undefined) return done();
      try {
        (request as { principal?: unknown }).principal = authorizeBearer(this.credentials, request.headers.authorization, roles);
      } catch (error) {
        // The body, if any, is never read: closing the connection spares reading it to reuse the socket.
        if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined) {
          void reply.header('connection', 'close');
        }
        replyWithError(error, request, reply);
        return;
      }
      done();
    });
  }
}
