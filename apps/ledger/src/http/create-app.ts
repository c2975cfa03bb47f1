import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from 'pino';
import type { LedgerConfig } from '../config.js';
import { AppModule } from './app.module.js';
import { Credentials } from './auth/credentials.js';
import { LedgerMetrics } from './observability/ledger-metrics.js';
import { NestPinoLogger } from './observability/nest-pino-logger.js';
import { RequestLogController, installHttpMetrics } from './observability/request-logging.js';

/** Large enough for a batch of 1,000 events with their details; a leaf is limited to 65,535 bytes on its own. */
export const BODY_LIMIT_BYTES = 32 * 1024 * 1024;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/**
 * Builds the HTTP service (not yet listening): Fastify, request ids, JSON errors, the ledger started.
 * Logs: one pino logger for Fastify, Nest and the ledger; one line per request when it completes
 * (RequestLogController), carrying `reqId`, the x-request-id echoed in the response.
 */
export async function createLedgerApp(config: LedgerConfig, logger: Logger): Promise<NestFastifyApplication> {
  const credentials = Credentials.load(config);
  const metrics = new LedgerMetrics();
  const adapter = new FastifyAdapter({
    loggerInstance: logger,
    logController: new RequestLogController(),
    bodyLimit: BODY_LIMIT_BYTES,
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
  installHttpMetrics(fastify, metrics);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, credentials, (error) => logger.error({ err: error }, 'ledger background failure'), metrics),
    adapter,
    // A module that fails to start (a refusal, a locked data dir) rejects here, for the CLI to report, instead of
    // Nest ending the process itself.
    { logger: new NestPinoLogger(logger), abortOnError: false },
  );
  await app.init();
  return app;
}
