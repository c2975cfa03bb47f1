import { join } from 'node:path';
import { LogKeyMismatchError, LogRolledBackError } from '@trailmark/checkpoint';
import { SIGNING_KEY_FILE, type SigningKey } from './signing-key.js';

/** The ledger will not start on this data: what it found, why it will not sign, and what the operator can do. */
export class StartRefusedError extends Error {
  constructor(message: string, cause: Error) {
    super(message, { cause });
    this.name = 'StartRefusedError';
  }
}

const NEW_LOG = 'a new log needs a new data dir, a new key (`trailmark keygen`) and a new origin (TRAILMARK_ORIGIN)';

/** `error` in the operator's terms when it is a reason not to sign (a foreign key, a rolled back log); else itself. */
export function refusalOf(error: unknown, key: SigningKey, dataDir: string): unknown {
  if (error instanceof LogKeyMismatchError) {
    const advice = key.save
      ? `No signing key was found (${join(dataDir, SIGNING_KEY_FILE)} is missing and TRAILMARK_SIGNING_KEY is unset), and a ` +
        "new key cannot sign for a log that already holds checkpoints, so none was made: put the log's signing.key " +
        'back, or set TRAILMARK_SIGNING_KEY to it'
      : `The signing key from ${key.source} is not the key this log signs with; a log keeps its key for life: ` +
        `configure the log's own key, or start a new log (${NEW_LOG})`;
    return new StartRefusedError(`refusing to start: ${error.message}. ${advice}.`, error);
  }
  if (error instanceof LogRolledBackError) {
    return new StartRefusedError(`${error.message} (${NEW_LOG}). See README, "Back up and restore".`, error);
  }
  return error;
}
