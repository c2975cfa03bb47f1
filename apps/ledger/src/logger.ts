import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

/**
 * Structured JSON logs on stdout, one object a line, at `level` (TRAILMARK_LOG_LEVEL, checked by loadConfig).
 * Fastify, Nest (through NestPinoLogger) and the ledger all write here; request lines carry `reqId`.
 */
export function createLogger(level: LogLevel = 'info'): Logger {
  return pino({
    level,
    base: { service: 'trailmark-ledger' },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization'], censor: '[redacted]' },
  });
}
