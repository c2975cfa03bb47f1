import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { encodeBase64 } from '@trailmark/proofs';
import { LEDGER_DB_FILE, openLedgerDatabase } from '../core/ledger-core.js';
import { messageOf } from './check-event.js';
import { LedgerDbReader, MissingTablesError } from './ledger-db-reader.js';
import { LedgerVerifier, type VerifyReport } from './ledger-verifier.js';
import { LogKeyError, resolveLogKey, type LogKey } from './log-key.js';
import { walkProgress } from './progress.js';
import { ReadModelDbReader } from './read-model-db-reader.js';
import { ReadOnlyTileStore } from './read-only-tile-store.js';

export const EXIT_VERIFIED = 0;
export const EXIT_FAILED = 1;
export const EXIT_BAD_INPUT = 2;

export interface VerifyOptions {
  /** The log's verifier key, or a file holding it (`--key`). */
  readonly key?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WriteStream;
}

/**
 * `trailmark verify --data-dir DIR`: checks a stopped ledger offline (see ledger-verifier.ts) and
 * returns the exit status: 0 everything matches (summary on stdout), 1 something does not (the first
 * leaf that does not match and each failing checkpoint on stderr), 2 the data dir or key cannot be read.
 *
 * ledger.db is opened read-only and read inside one transaction, so the check sees one snapshot.
 */
export async function verifyDataDir(dataDir: string, options: VerifyOptions = {}): Promise<number> {
  const env = options.env ?? process.env;
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const fail = (status: number, message: string): number => {
    stderr.write(`trailmark: ${message}\n`);
    return status;
  };

  if (!existsSync(dataDir) || !statSync(dataDir).isDirectory()) return fail(EXIT_BAD_INPUT, `no data dir at ${dataDir}`);
  const dbFile = join(dataDir, LEDGER_DB_FILE);
  if (!existsSync(dbFile)) return fail(EXIT_BAD_INPUT, `no ${LEDGER_DB_FILE} in ${dataDir}: it is not a Trailmark data dir, or the ledger never started there`);

  let key: LogKey | undefined;
  try {
    key = resolveLogKey(dataDir, options.key, env);
  } catch (error) {
    if (error instanceof LogKeyError) return fail(EXIT_BAD_INPUT, error.message);
    throw error;
  }

  let db: Database.Database;
  try {
    db = openLedgerDatabase(dataDir, { readonly: true });
  } catch (error) {
    return fail(EXIT_BAD_INPUT, `cannot open ${dbFile}: ${messageOf(error)}`);
  }
  try {
    db.exec('BEGIN');
    let reader: LedgerDbReader;
    try {
      reader = new LedgerDbReader(db);
    } catch (error) {
      if (error instanceof MissingTablesError && !error.tables.includes('events')) {
        return fail(EXIT_FAILED, `verify FAILED for ${dataDir}: ${error.message}: tables were dropped`);
      }
      return fail(EXIT_BAD_INPUT, `${dbFile} is not a Trailmark ledger database (${messageOf(error)})`);
    }

    const checkpoints = reader.countCheckpoints();
    if (key === undefined && checkpoints > 0n) {
      return fail(
        EXIT_BAD_INPUT,
        `no log key to check the ${checkpoints} stored checkpoints with: ${dataDir} has no signing.key and ` +
          'TRAILMARK_SIGNING_KEY is unset; pass --key <verifier key>',
      );
    }
    if (key?.warning) stderr.write(`trailmark: note: ${key.warning}\n`);

    const progress = walkProgress(reader.countIdentityEvents(), stderr);
    // The embedded read model only: one in PostgreSQL is named in the environment, not in the data dir.
    const readModel = env.TRAILMARK_READ_DB_URL?.trim() ? undefined : ReadModelDbReader.open(dataDir);
    if (readModel === undefined && env.TRAILMARK_READ_DB_URL?.trim()) {
      stderr.write('trailmark: note: the read model in TRAILMARK_READ_DB_URL is not checked; only an embedded one is\n');
    }
    try {
      const report = new LedgerVerifier(reader, new ReadOnlyTileStore(db), key?.verifier, progress, readModel).run();
      return printReport(dataDir, report, stdout, stderr);
    } finally {
      readModel?.close();
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return fail(EXIT_BAD_INPUT, `cannot read ${dbFile}: ${messageOf(error)}`);
    throw error;
  } finally {
    if (db.inTransaction) db.exec('COMMIT');
    db.close();
  }
}

function printReport(dataDir: string, report: VerifyReport, stdout: NodeJS.WritableStream, stderr: NodeJS.WritableStream): number {
  if (report.unsequenced > 0n) {
    stderr.write(
      `trailmark: note: the last ${report.unsequenced} events are not in the tree yet (the ledger stopped before it ` +
        'sequenced them); the service adds them when it starts\n',
    );
  }
  const failed =
    report.firstLeafProblem !== undefined || report.badCheckpoints > 0 || report.otherProblems.length > 0 || report.readModelProblem !== undefined;
  if (!failed) {
    const latest = report.latest ? ` (latest size ${report.latest.size}, root ${encodeBase64(report.latest.root)})` : '';
    stdout.write(
      `verified ${report.events} events, tree size ${report.storedTreeSize}, ${report.checkpoints} checkpoint` +
        `${report.checkpoints === 1n ? '' : 's'}${latest}` +
        `${report.readModelRows === undefined ? '' : `, ${report.readModelRows} read-model rows`}\n`,
    );
    return EXIT_VERIFIED;
  }
  const lines = [`trailmark: verify FAILED for ${dataDir}`];
  const leaf = report.firstLeafProblem;
  if (leaf) {
    lines.push(`leaf ${leaf.leafIndex} (event ${leaf.eventId}): ${leaf.what}`);
    if (report.badLeaves > 1n) lines.push(`  (and ${report.badLeaves - 1n} more leaves do not match)`);
  }
  lines.push(...report.checkpointProblems);
  if (report.badCheckpoints > report.checkpointProblems.length) {
    lines.push(`  (${report.badCheckpoints} of ${report.checkpoints} checkpoints fail in all)`);
  }
  lines.push(...report.otherProblems);
  if (report.readModelProblem !== undefined) lines.push(report.readModelProblem);
  stderr.write(`${lines.join('\n')}\n`);
  return EXIT_FAILED;
}
