import { existsSync, mkdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { TILE_HEIGHT, TILE_WIDTH } from '@trailmark/merkle';
import { encodeBase64, encodeEntryBundle, entriesPath, tilePath } from '@trailmark/proofs';
import { messageOf } from '../verify/check-event.js';
import { LedgerDbReader, MissingTablesError, type StoredCheckpointRow } from '../verify/ledger-db-reader.js';
import { walkProgress } from '../verify/progress.js';
import { ReadOnlyTileStore } from '../verify/read-only-tile-store.js';
import { hashTileBody } from './log-tiles.js';
import { LEDGER_DB_FILE, openLedgerDatabase } from './ledger-core.js';

export interface ExportTilesOptions {
  readonly stdout?: NodeJS.WritableStream;
  readonly stderr?: NodeJS.WriteStream;
}

const EVENT_PAGE = 1_000;

/**
 * `trailmark tiles export --out DIR`: writes the log of a data dir as the C2SP tlog-tiles tree of files the
 * service serves under its tiles prefix, as of the latest stored checkpoint: every hash tile and entry bundle
 * that size has (full ones, and the partial ones of that size), then the checkpoint, last, so that a copy
 * being written never serves a checkpoint whose tiles are not there yet. Full tiles and bundles already in DIR
 * are kept (they never change), so running it again into the same DIR adds only what is new. Returns the exit
 * status: 0 written, 2 the data dir cannot be read.
 *
 * ledger.db is opened read-only, in one read transaction: one snapshot, and the service may keep running.
 */
export function exportTiles(dataDir: string, outDir: string, options: ExportTilesOptions = {}): number {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const fail = (message: string): number => {
    stderr.write(`trailmark: ${message}\n`);
    return 2;
  };
  if (!existsSync(join(dataDir, LEDGER_DB_FILE))) return fail(`no ${LEDGER_DB_FILE} in ${dataDir}: it is not a Trailmark data dir, or the ledger never started there`);
  const db = openLedgerDatabase(dataDir, { readonly: true });
  try {
    db.exec('BEGIN');
    let reader: LedgerDbReader;
    try {
      reader = new LedgerDbReader(db);
    } catch (error) {
      if (error instanceof MissingTablesError) return fail(error.message);
      throw error;
    }
    let latest: StoredCheckpointRow | undefined;
    for (const row of reader.checkpoints()) latest = row;
    if (!latest) return fail(`${dataDir} holds no signed checkpoint yet: nothing to export`);
    if (existsSync(outDir) && !statSync(outDir).isDirectory()) return fail(`--out ${outDir} is not a directory`);

    const size = latest.size;
    const written = { tiles: 0, bundles: 0, kept: 0 };
    const write = (path: string, bytes: Uint8Array, full: boolean): boolean => {
      const file = join(outDir, path);
      if (full && existsSync(file)) {
        written.kept++;
        return false;
      }
      mkdirSync(dirname(file), { recursive: true });
      const temporary = `${file}.${process.pid}.tmp`;
      writeFileSync(temporary, bytes);
      renameSync(temporary, file);
      return true;
    };

    const tiles = new ReadOnlyTileStore(db);
    for (let level = 0; size >> BigInt(TILE_HEIGHT * level) > 0n; level++) {
      const hashes = size >> BigInt(TILE_HEIGHT * level);
      for (let index = 0n; index * BigInt(TILE_WIDTH) < hashes; index++) {
        const width = Number(min(hashes - index * BigInt(TILE_WIDTH), BigInt(TILE_WIDTH)));
        const full = width === TILE_WIDTH;
        const path = tilePath(level, index, width);
        if (full && existsSync(join(outDir, path))) {
          written.kept++;
          continue;
        }
        if (write(path, hashTileBody(tiles, level, index, width, size)!, full)) written.tiles++;
      }
    }

    const progress = walkProgress(size, stderr, { doing: 'exporting', done: 'exported' });
    let leaves = 0n;
    let bundle: Uint8Array[] = [];
    const flush = (): void => {
      const index = (leaves - 1n) / BigInt(TILE_WIDTH);
      if (write(entriesPath(index, bundle.length), encodeEntryBundle(bundle), bundle.length === TILE_WIDTH)) written.bundles++;
      bundle = [];
    };
    pages: for (const page of reader.identityEventPages(EVENT_PAGE)) {
      for (const event of page) {
        if (leaves === size) break pages;
        bundle.push(event.data);
        leaves++;
        if (bundle.length === TILE_WIDTH) flush();
      }
      progress.update(leaves);
    }
    if (bundle.length > 0) flush();
    progress.finish(leaves);
    if (leaves < size) return fail(`the store holds ${leaves} identity events, fewer than the checkpoint's size ${size}: run \`trailmark verify\``);

    write('checkpoint', new TextEncoder().encode(latest.note), false);
    stdout.write(
      `exported size ${size} root ${encodeBase64(latest.root)} to ${outDir}: ${written.tiles} tiles and ${written.bundles} entry bundles written, ` +
        `${written.kept} full ones already there; serve that directory as the log's tiles prefix\n`,
    );
    return 0;
  } catch (error) {
    return fail(`cannot export the tiles of ${dataDir}: ${messageOf(error)}`);
  } finally {
    db.close();
  }
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
