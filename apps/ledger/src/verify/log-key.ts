import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseSignerKey, parseVerifierKey, verifierKeyFor, type NoteVerifier } from '@trailmark/checkpoint';
import { SIGNING_KEY_FILE } from '../core/signing-key.js';
import { messageOf } from './check-event.js';

/** The log key verify checks checkpoints with, and where it came from (for messages). */
export interface LogKey {
  readonly verifierKey: string;
  readonly verifier: NoteVerifier;
  readonly source: string;
  /** A note for the report, e.g. that the data dir's key is not the one given. */
  readonly warning?: string;
}

/** A key was given but cannot be read: verify cannot start (exit 2). */
export class LogKeyError extends Error {}

/**
 * `--key` (a verifier key, or a file holding one) when given: an auditor pins the key the log
 * published, which an attacker holding the data dir cannot swap. Otherwise the key the service signs
 * with, as the service finds it: TRAILMARK_SIGNING_KEY, else signing.key in the data dir. Undefined
 * when there is none of these.
 */
export function resolveLogKey(dataDir: string, keyOption: string | undefined, env: NodeJS.ProcessEnv): LogKey | undefined {
  if (keyOption !== undefined) {
    let own: LogKey | undefined;
    try {
      own = signerVerifierKey(dataDir, env);
    } catch {
      own = undefined; // the key given is the one that counts
    }
    const text = isFile(keyOption) ? readFileSync(keyOption, 'utf8').trim() : keyOption.trim();
    let verifier: NoteVerifier;
    try {
      verifier = parseVerifierKey(text);
    } catch (error) {
      throw new LogKeyError(`--key is not a verifier key "<name>+<8 hex>+<base64>" (${messageOf(error)})`);
    }
    const warning =
      own !== undefined && own.verifierKey !== text
        ? `the ${own.source} belongs to the verifier key ${own.verifierKey}, not to the --key given`
        : undefined;
    return { verifierKey: text, verifier, source: '--key', ...(warning !== undefined && { warning }) };
  }
  return signerVerifierKey(dataDir, env);
}

function signerVerifierKey(dataDir: string, env: NodeJS.ProcessEnv): LogKey | undefined {
  const configured = env.TRAILMARK_SIGNING_KEY?.trim();
  const file = join(dataDir, SIGNING_KEY_FILE);
  let signerKey: string;
  let source: string;
  if (configured) {
    signerKey = configured;
    source = 'signing key in TRAILMARK_SIGNING_KEY';
  } else if (existsSync(file)) {
    signerKey = readFileSync(file, 'utf8').trim();
    source = `signing key in ${file}`;
  } else {
    return undefined;
  }
  let verifierKey: string;
  try {
    verifierKey = verifierKeyFor(parseSignerKey(signerKey));
  } catch (error) {
    throw new LogKeyError(`the ${source} cannot be read (${messageOf(error)})`);
  }
  return { verifierKey, verifier: parseVerifierKey(verifierKey), source };
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
