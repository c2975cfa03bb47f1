import { FormatError } from './errors.js';

// Tree sizes and leaf indexes are unsigned 64-bit integers in every implementation
// this package must agree with (Go's sumdb, transparency-dev, CT), and they arrive
// from untrusted files, so they are bigint here and bounded to that range.

export const MAX_UINT64 = (1n << 64n) - 1n;

/** Throws FormatError unless 0 <= value <= 2^64-1. `what` names the value in the message. */
export function assertUint64(value: bigint, what: string): void {
  if (typeof value !== 'bigint') {
    throw new FormatError(`${what} must be a bigint, got ${typeof value}`);
  }
  if (value < 0n) throw new FormatError(`${what} is negative: ${value}`);
  if (value > MAX_UINT64) throw new FormatError(`${what} ${value} does not fit in 64 bits`);
}

/**
 * Parses ASCII decimal with no sign, no leading zeroes ("0" itself is allowed) and
 * no surrounding space, as C2SP tlog-checkpoint and tlog-proof require.
 */
export function parseUint64(text: string, what: string): bigint {
  if (!/^(0|[1-9][0-9]*)$/.test(text)) {
    throw new FormatError(`${what} ${JSON.stringify(text)} is not a decimal number without leading zeroes`);
  }
  const value = BigInt(text);
  assertUint64(value, what);
  return value;
}
