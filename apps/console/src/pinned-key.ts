import { parseVerifierKey } from '@trailmark/proofs';

const KEY = 'trailmark.pinnedLogKey';

/**
 * The log key the user trusts, kept in localStorage: pinned once (after comparing its key id with one obtained
 * out of band), it is what every later verification checks against, so a server that changes its key is caught.
 */
export const pinnedKey = {
  load(): string | undefined {
    return localStorage.getItem(KEY) ?? undefined;
  },
  save(key: string): void {
    parseVerifierKey(key);
    localStorage.setItem(KEY, key);
  },
  clear(): void {
    localStorage.removeItem(KEY);
  },
};

/** "name (key id 1a2b3c4d)" for a verifier key string. */
export function describeKey(key: string): string {
  const verifier = parseVerifierKey(key);
  return `${verifier.name} (key id ${verifier.keyId.toString(16).padStart(8, '0')})`;
}
