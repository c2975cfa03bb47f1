import { encodeBase64, type Hash } from '@trailmark/proofs';
import { ApiError } from './api-error.js';

/** Sizes and indexes are bigint inside; JSON carries them as numbers (exact below 2^53). */
export function jsonNumber(value: bigint): number {
  return Number(value);
}

export function base64Hashes(hashes: readonly Hash[]): string[] {
  return hashes.map(encodeBase64);
}

/** A non-negative decimal query parameter, or an ApiError naming it. */
export function parseCount(value: string | undefined, name: string): bigint | undefined {
  if (value === undefined) return undefined;
  if (!/^(0|[1-9]\d{0,15})$/.test(value)) {
    throw new ApiError(400, 'bad_request', `${name} must be a non-negative whole number, not "${value}"`, { parameter: name });
  }
  return BigInt(value);
}
