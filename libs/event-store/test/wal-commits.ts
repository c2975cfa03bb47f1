import { existsSync, readFileSync } from 'node:fs';

/**
 * Counts the commits recorded in a SQLite write-ahead log, to observe group commit from outside the store.
 * Layout (sqlite.org/fileformat2.html#walformat), big-endian:
 *   header (32 bytes): magic u32, version u32, page size u32, checkpoint seq u32, salt-1 u32, salt-2 u32, checksums
 *   each frame: page number u32, db size after commit u32 (0 unless this frame ends a commit), salt-1, salt-2,
 *   checksums (24 bytes), then one page.
 * Frames whose salts differ from the header's are left over from before a WAL reset and do not count.
 * Run the database with `wal_autocheckpoint = 0` so the log is never reset under the test.
 */
export function walCommits(walPath: string): number {
  if (!existsSync(walPath)) return 0;
  const wal = readFileSync(walPath);
  if (wal.length < 32) return 0;
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const salt2 = wal.readUInt32BE(20);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (wal.readUInt32BE(at + 8) !== salt1 || wal.readUInt32BE(at + 12) !== salt2) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits += 1;
  }
  return commits;
}
