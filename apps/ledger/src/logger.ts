import pino, { type Logger } from 'pino';

/**
 * Structured JSON logs on stdout, one object a line; TRAILMARK_LOG_LEVEL (info) sets the level.
 * Fastify, Nest (through NestPinoLogger) and the ledger all write here; request lines carry `reqId`.
 */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  return pino({
    level: env.TRAILMARK_LOG_LEVEL ?? 'info',
    base: { service: 'trailmark-ledger' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
  });
}
