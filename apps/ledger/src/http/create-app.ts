import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { LedgerConfig } from '../config.js';
import { AppModule } from './app.module.js';
import { serveConsole } from './console-assets.js';
import { Credentials } from './auth/credentials.js';
import { EarlyAuthentication } from './auth/early-authentication.js';
import { EVENT_BODY_LIMIT_BYTES, limitBodies } from './body-limits.js';
import { jsonBodyParser } from './json-body.js';
import { limitRatePerToken } from './rate-limit.js';
import { RouteExplorer } from './openapi/route-explorer.js';
import { refuseNulInQuery } from './query-nul.js';
import { LedgerMetrics } from './observability/ledger-metrics.js';
import { NestPinoLogger } from './observability/nest-pino-logger.js';
import { RequestLogController, installHttpMetrics } from './observability/request-logging.js';

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Builds the HTTP service (not yet listening): Fastify, request ids, JSON errors, the ledger started.
 * Logs: one pino logger for Fastify, Nest and the ledger; one line per request when it completes
 * (RequestLogController), carrying `reqId`, the x-request-id echoed in the response.
 * Before any body is read: the bearer token is checked (EarlyAuthentication) and query parameters with a NUL
 * refused; bodies are bounded per route (body-limits.ts) and slow clients cut off by the configured timeouts.
 */
export async function createLedgerApp(config: LedgerConfig, logger: Logger): Promise<NestFastifyApplication> {
  const credentials = Credentials.load(config);
  const metrics = new LedgerMetrics();
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new RequestLogController(),
    bodyLimit: EVENT_BODY_LIMIT_BYTES,
    requestTimeout: config.http.requestTimeoutMs,
    keepAliveTimeout: config.http.keepAliveTimeoutMs,
    // Node checks the request and headers timeouts every connectionsCheckingInterval (30 s by default).
    http: {
      requestTimeout: config.http.requestTimeoutMs,
      headersTimeout: config.http.headersTimeoutMs,
      connectionsCheckingInterval: Math.min(1000, config.http.headersTimeoutMs),
    },
    requestIdHeader: false,
    genReqId: (request: IncomingMessage) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
  });
  const fastify = adapter.getInstance();
  // Callback hooks rather than async ones: no promise per request.
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  const earlyAuthentication = new EarlyAuthentication(credentials);
  earlyAuthentication.install(fastify);
  await limitRatePerToken(fastify, config.rateLimit);
  refuseNulInQuery(fastify);
  limitBodies(fastify);
  installHttpMetrics(fastify, metrics);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, credentials, (error) => logger.error({ err: error }, 'ledger background failure'), metrics),
    adapter,
    // A module that fails to start (a refusal, a locked data dir) rejects here, for the CLI to report, instead of
    // Nest ending the process itself.
    { logger: new NestPinoLogger(logger), abortOnError: false },
  );
  app.useBodyParser('application/json', { bodyLimit: EVENT_BODY_LIMIT_BYTES }, jsonBodyParser(fastify));
  await serveConsole(app);
  await app.init();
  earlyAuthentication.learn(app.get(RouteExplorer, { strict: false }).routes());
  return app;
}
