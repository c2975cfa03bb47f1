import { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { LedgerMetrics } from './ledger-metrics.js';

/**
 * Fastify's per-request logging, reshaped: one line when the response is sent, with method, route
 * pattern, path, status and duration, on the request's child logger (which carries `reqId`, the
 * x-request-id echoed in the response). The "incoming request" line is at debug level only. 5xx
 * lines are at level error (the exception filter logs their cause with the same reqId). No query
 * strings or headers are logged: they may carry tenant data or credentials.
 */
export class RequestLogController extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ method: request.method, path: pathOf(request) }, 'request received');
  }

  override requestCompleted(error: Error | null | undefined, request: FastifyRequest, reply: FastifyReply): void {
    const line = {
      method: request.method,
      route: request.routeOptions.url ?? null,
      path: pathOf(request),
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 1000) / 1000,
    };
    if (error) request.log.error({ ...line, err: error }, 'request failed');
    else if (reply.statusCode >= 500) request.log.error(line, 'request completed');
    else request.log.info(line, 'request completed');
  }
}

function pathOf(request: FastifyRequest): string {
  return request.url.split('?', 1)[0]!;
}

/** Feeds trailmark_http_request_duration_seconds from every response, labelled by route pattern. */
export function installHttpMetrics(fastify: FastifyInstance, metrics: LedgerMetrics): void {
  fastify.addHook('onResponse', (request, reply, done) => {
    metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
}
