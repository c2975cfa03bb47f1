import pino, { type Logger } from 'pino';

/** Structured JSON logs on stdout; TRAILMARK_LOG_LEVEL (info) sets the level. */
export function createLogger(env: NodeJS.ProcessEnv = process.env): Logger {
  return pino({ level: env.TRAILMARK_LOG_LEVEL ?? 'info', base: { service: 'trailmark-ledger' } });
}
