import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNoteKey, parseSignerKey, type NoteSigner } from '@trailmark/checkpoint';
import { ConfigError, DEFAULT_ORIGIN } from '../config.js';

export const SIGNING_KEY_FILE = 'signing.key';

/** The log's signer, where it came from, and (for a key made just now) how to keep it. */
export interface SigningKey {
  readonly signer: NoteSigner;
  /** For messages: "TRAILMARK_SIGNING_KEY", the key file, or "a new key". */
  readonly source: string;
  /**
   * Set when no key was found and this one was made: writes it to the data dir (mode 0600). The ledger calls it
   * only once it found that the data holds no checkpoint, which a new key could not have signed.
   */
  readonly save?: () => void;
}

/**
 * The log's signer: TRAILMARK_SIGNING_KEY, else the key file in the data dir, else a new key (see `save`).
 * The key's name is the log's origin: they must agree.
 */
export function loadSigningKey(dataDir: string, configured: string | undefined, origin: string | undefined): SigningKey {
  const file = join(dataDir, SIGNING_KEY_FILE);
  let key: SigningKey;
  if (configured !== undefined) {
    key = { signer: parseSignerKey(configured), source: 'TRAILMARK_SIGNING_KEY' };
  } else if (existsSync(file)) {
    key = { signer: parseSignerKey(readFileSync(file, 'utf8').trim()), source: file };
  } else {
    const signerKey = generateNoteKey(origin ?? DEFAULT_ORIGIN).signerKey;
    key = {
      signer: parseSignerKey(signerKey),
      source: `a new key (${file} did not exist)`,
      save: () => writeFileSync(file, `${signerKey}\n`, { mode: 0o600, flag: 'wx' }),
    };
  }
  if (origin !== undefined && key.signer.name !== origin) {
    throw new ConfigError(
      `TRAILMARK_ORIGIN is "${origin}" but the signing key${configured ? '' : ` in ${file}`} is named "${key.signer.name}": ` +
        'a log signs as its origin; use a key with that name or drop TRAILMARK_ORIGIN',
    );
  }
  return key;
}
