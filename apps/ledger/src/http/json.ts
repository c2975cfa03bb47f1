import { encodeBase64, type Hash } from '@trailmark/proofs';
import { ApiError } from './api-error.js';

/** Sizes and indexes are bigint inside; JSON carries them as numbers (exact below 2^53). */
export function jsonNumber(value: bigint): number {
  return Number(value);
}

export function base64Hashes(hashes: readonly Hash[]): string[] {
  return hashes.map(encodeBase64);
}

/** A query parameter given at most once (Fastify makes a repeated one an array). */
export function singleValue(value: unknown, name: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  throw new ApiError(400, 'bad_request', `the query parameter ${name} is given more than once`, { parameter: name });
}

/** A non-negative decimal query parameter below 2^53, or an ApiError naming it. */
export function parseCount(raw: unknown, name: string): bigint | undefined {
  const value = singleValue(raw, name);
  if (value === undefined) return undefined;
  if (!/^(0|[1-9]\d{0,15})$/.test(value) || Number(value) > Number.MAX_SAFE_INTEGER) {
    throw new ApiError(400, 'bad_request', `${name} must be a non-negative whole number, not "${value}"`, { parameter: name });
  }
  return BigInt(value);
}
