import type { FastifyInstance, FastifyRequest } from 'fastify';
import { formatPath } from '@trailmark/domain';
import { ApiError } from './api-error.js';

type Done = (error: Error | null, body?: unknown) => void;

// Only a digit run of 16 or more, or an exponent, can spell a number beyond 2^53 - 1; a body without
// either (nearly every body) is not walked at all.
const MAYBE_UNSAFE_NUMBER = /\d{16}|\d[eE][+-]?\d/;

/**
 * The JSON body parser of every route: Fastify's own (prototype poisoning refused), after a strict
 * UTF-8 decoding, and followed by a refusal of numbers JSON.parse would round.
 *
 * - Invalid UTF-8 is a 400: a lenient decoder would store U+FFFD in place of what the client sent.
 * - A number beyond ±(2^53 − 1) is a 400 naming its field: JSON.parse rounds it silently (every
 *   double of that magnitude stands for many decimal integers), so the ledger would record another
 *   value than the one sent. Such values travel as strings.
 */
export function jsonBodyParser(fastify: FastifyInstance): (request: FastifyRequest, body: Buffer, done: Done) => void {
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  const utf8 = new TextDecoder('utf-8', { fatal: true });
  return (request, body, done) => {
    let text: string;
    try {
      text = utf8.decode(body);
    } catch {
      done(new ApiError(400, 'invalid_utf8', 'the body is not valid UTF-8; send JSON encoded as UTF-8', { field: '' }));
      return;
    }
    parseJson(request, text, (error, value) => {
      if (error) return done(error);
      const unsafe = MAYBE_UNSAFE_NUMBER.test(text) ? firstUnsafeNumber(value) : undefined;
      if (unsafe !== undefined) {
        const field = formatPath('', unsafe);
        done(
          new ApiError(
            400,
            'invalid_event',
            `${field === '' ? 'the body' : field} is a number beyond ±(2^53 − 1), which JSON numbers here cannot hold exactly; send it as a string`,
            { field },
          ),
        );
        return;
      }
      done(null, value);
    });
  };
}

/** The path of the first number (document order) beyond Number.MAX_SAFE_INTEGER in magnitude. Iterative: bodies may nest deeply. */
function firstUnsafeNumber(root: unknown): (string | number)[] | undefined {
  const stack: { value: unknown; path: (string | number)[] }[] = [{ value: root, path: [] }];
  while (stack.length > 0) {
    const { value, path } = stack.pop()!;
    if (typeof value === 'number') {
      if (Math.abs(value) > Number.MAX_SAFE_INTEGER) return path;
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) stack.push({ value: value[i], path: [...path, i] });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) stack.push({ value: entries[i]![1], path: [...path, entries[i]![0]] });
    }
  }
  return undefined;
}
