import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/** Nest contexts whose 'log' lines only narrate the wiring (one line per module and route): debug, not info. */
const WIRING_CONTEXTS = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer']);
const STACK = /^.+\n\s+at .+/s;

/**
 * Nest's LoggerService on the service's pino logger, so that Nest's own lines (startup, exceptions)
 * come out as the same JSON as the rest, with `context` naming the Nest component. Nest passes the
 * context as the last optional parameter, and error() a stack before it.
 */
export class NestPinoLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    const { context } = split(params);
    this.write(context !== undefined && WIRING_CONTEXTS.has(context) ? 'debug' : 'info', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.write('trace', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal', message: unknown, params: unknown[]): void {
    if (!this.logger.isLevelEnabled(level)) return;
    const { context, stack, rest } = split(params);
    const fields: Record<string, unknown> = {};
    if (context !== undefined) fields.context = context;
    if (rest.length > 0) fields.params = rest;
    if (message instanceof Error) {
      fields.err = message;
      this.logger[level](fields, message.message);
      return;
    }
    if (stack !== undefined) fields.err = { stack };
    if (typeof message === 'string') this.logger[level](fields, message);
    else this.logger[level]({ ...fields, data: message }, 'nest');
  }
}

function split(params: unknown[]): { context?: string; stack?: string; rest: unknown[] } {
  const rest = [...params];
  let context: string | undefined;
  let stack: string | undefined;
  const last = rest[rest.length - 1];
  if (typeof last === 'string' && !(rest.length === 1 && STACK.test(last))) {
    context = last;
    rest.pop();
  }
  const first = rest[0];
  if (rest.length > 0 && (first === undefined || (typeof first === 'string' && STACK.test(first)))) {
    stack = first as string | undefined;
    rest.shift();
  }
  return { context, stack, rest };
}
