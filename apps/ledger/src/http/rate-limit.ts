import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RateLimitSettings } from '../config.js';
import { ApiError } from './api-error.js';
import { replyWithError } from './api-exception.filter.js';
import type { Principal } from './auth/credentials.js';

/**
 * A limit per token (the principal EarlyAuthentication found, so it must be installed after it): a client over it
 * is answered 429 with Retry-After before its body is read. Requests without a token (health, the OpenAPI
 * document, public tiles) are not counted: a load balancer's probes must not be throttled into "down".
 */
export async function limitRatePerToken(fastify: FastifyInstance, settings: RateLimitSettings | undefined): Promise<void> {
  if (settings === undefined || settings.max === 0) return;
  await fastify.register(rateLimit, {
    global: false,
    max: settings.max,
    timeWindow: settings.windowMs,
    keyGenerator: (request) => principalOf(request)!.name,
    errorResponseBuilder: (_request, context) =>
      new ApiError(429, 'rate_limited', `more than ${context.max} requests in ${settings.windowMs} ms from this token; retry after ${context.after}`, {
        limit: context.max,
        windowMs: settings.windowMs,
      }),
  });
  const limit = fastify.rateLimit();
  fastify.addHook('onRequest', async (request: FastifyRequest, reply: FastifyReply) => {
    if (principalOf(request) === undefined) return;
    try {
      await limit.call(fastify, request, reply);
    } catch (error) {
      replyWithError(error, request, reply);
      return reply;
    }
  });
}

function principalOf(request: FastifyRequest): Principal | undefined {
  return (request as { principal?: Principal }).principal;
}
