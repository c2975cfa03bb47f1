/**
 * Random bytes drawn from the platform CSPRNG a few kilobytes at a time: one getRandomValues call
 * costs about as much as hashing a leaf, and every event wants 16 bytes of salt and 10 for its id.
 */
const POOL_BYTES = 4096;
let pool = new Uint8Array(0);
let used = 0;

export function randomBytes(length: number): Uint8Array {
  if (used + length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(Math.max(POOL_BYTES, length)));
    used = 0;
  }
  const bytes = pool.slice(used, used + length);
  used += length;
  return bytes;
}
