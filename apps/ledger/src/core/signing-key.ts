import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateNoteKey, parseSignerKey, type NoteSigner } from '@trailmark/checkpoint';
import { ConfigError, DEFAULT_ORIGIN } from '../config.js';

export const SIGNING_KEY_FILE = 'signing.key';

/**
 * The log's signer: TRAILMARK_SIGNING_KEY, else the key file in the data dir, else a new key written
 * there (mode 0600) on first start. The key's name is the log's origin: they must agree.
 */
export function loadSigningKey(dataDir: string, configured: string | undefined, origin: string | undefined): NoteSigner {
  const file = join(dataDir, SIGNING_KEY_FILE);
  let signerKey = configured;
  if (signerKey === undefined && existsSync(file)) signerKey = readFileSync(file, 'utf8').trim();
  if (signerKey === undefined) {
    signerKey = generateNoteKey(origin ?? DEFAULT_ORIGIN).signerKey;
    writeFileSync(file, `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
  }
  const signer = parseSignerKey(signerKey);
  if (origin !== undefined && signer.name !== origin) {
    throw new ConfigError(
      `TRAILMARK_ORIGIN is "${origin}" but the signing key${configured ? '' : ` in ${file}`} is named "${signer.name}": ` +
        'a log signs as its origin; use a key with that name or drop TRAILMARK_ORIGIN',
    );
  }
  return signer;
}
