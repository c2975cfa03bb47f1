import { encodeBase64 } from './base64.js';
import type { Checkpoint } from './checkpoint.js';
import { FormatError, VerificationError } from './errors.js';
import { equalHashes, HASH_SIZE } from './hash.js';
import { nobleSha256Function, partialWidths, TileTree, type CompletedTile, type Sha256 } from './tile-tree.js';
import { entriesPath, entryBundleOffsets, TILE_HEIGHT, TILE_WIDTH, tilePath } from './tlog-tiles.js';

// A monitor of a C2SP tiled log: from the last checkpoint it verified (and the partial tiles of that
// size, which it kept), it downloads every entry bundle and hash tile the new checkpoint adds, rebuilds
// the tree from the entries, and checks every tile it downloaded against the rebuilt tree and the rebuilt
// root against the new checkpoint. The new tree is built on top of the verified one, so a matching root
// also proves that the log only grew: no consistency proof is needed.

/**
 * Fetches a resource by its path under the log's prefix ("tile/0/001", "tile/entries/001.p/7");
 * resolves undefined when the log does not have it (HTTP 404, no such file).
 */
export type TileFetcher = (path: string) => Promise<Uint8Array | undefined>;

/** What a monitor keeps between runs: the checkpoint it verified and that size's partial tiles. */
export interface MonitorState {
  readonly checkpoint: Checkpoint;
  /** The partial hash tiles of `checkpoint.size`, lowest level first (empty arrays for full levels). */
  readonly edge: readonly Uint8Array[];
}

export interface FollowProgress {
  /** Leaves verified so far in this run, and how many the run verifies in all. */
  readonly entries: bigint;
  readonly total: bigint;
}

export interface FollowOptions {
  readonly fetch: TileFetcher;
  /** The checkpoint the log serves now, already opened with the log's key. */
  readonly checkpoint: Checkpoint;
  /** The last verified state; undefined to verify the log from its first entry. */
  readonly from?: MonitorState;
  readonly sha256?: Sha256;
  /** Entry bundles fetched ahead of the one being verified (default 8). */
  readonly prefetch?: number;
  readonly onProgress?: (progress: FollowProgress) => void;
}

export interface FollowResult {
  readonly state: MonitorState;
  /** Leaves verified in this run (new since `from`). */
  readonly entries: bigint;
  readonly bundles: number;
  readonly tiles: number;
}

/** A resource the checkpoint requires is not served (or not readable): the log is not available, which proves nothing against it. */
export class MissingTileError extends Error {
  constructor(readonly path: string) {
    super(`the log does not serve ${path}, which its checkpoint requires`);
    this.name = 'MissingTileError';
  }
}

/**
 * Verifies the log from `from` up to `checkpoint`. Throws VerificationError when the log shrank, forked,
 * or serves entries or tiles that are not those of its checkpoint (the message names the size, the roots
 * and the first tile or entry that does not match); FormatError when a resource is malformed;
 * MissingTileError when one is missing.
 */
export async function followLog(options: FollowOptions): Promise<FollowResult> {
  const { checkpoint, from } = options;
  const sha256 = options.sha256 ?? nobleSha256Function;
  const start = from?.checkpoint.size ?? 0n;
  const end = checkpoint.size;
  const describe = (c: Checkpoint): string => `size ${c.size} root ${encodeBase64(c.root)}`;

  if (from) {
    if (end < start) {
      throw new VerificationError(`log shrank: the checkpoint served is of ${describe(checkpoint)}, the last verified one of ${describe(from.checkpoint)}`);
    }
    if (end === start) {
      if (equalHashes(checkpoint.root, from.checkpoint.root)) return { state: from, entries: 0n, bundles: 0, tiles: 0 };
      throw new VerificationError(
        `log forked: two roots for size ${end}: ${encodeBase64(from.checkpoint.root)} (verified before) and ${encodeBase64(checkpoint.root)} (served now)`,
      );
    }
  }
  const tree = from ? TileTree.resume(start, from.edge, sha256) : TileTree.empty(sha256);
  if (from && !equalHashes(tree.root(), from.checkpoint.root)) {
    throw new FormatError(`the kept partial tiles do not give the root of the kept checkpoint (${describe(from.checkpoint)}): the state is damaged`);
  }

  let tiles = 0;
  let bundles = 0;
  let firstMismatch: string | undefined;
  const mismatch = (path: string, position: number, what: string): void => {
    firstMismatch ??= `${path} hash ${position} is not ${what}`;
  };
  const compareTile = (path: string, served: Uint8Array, computed: Uint8Array, what: (i: number) => string): void => {
    tiles++;
    // Byte by byte, without a view per hash: this runs for every leaf.
    for (let at = 0; at < computed.length; at++) {
      if (served[at] !== computed[at]) {
        const i = Math.floor(at / HASH_SIZE);
        mismatch(path, i, what(i));
        return;
      }
    }
  };

  // Tiles above level 0 that this run completes or leaves partial: few (one per 65,536 leaves), fetched up front.
  const upper = new Map<string, Promise<Uint8Array>>();
  upperTiles(start, end).forEach(({ level, index, width }) => {
    const promise = fetchHashTile(options.fetch, level, index, width);
    promise.catch(() => {});
    upper.set(`${level}/${index}/${width}`, promise);
  });
  const checkUpper = async (level: number, index: bigint, width: number, computed: Uint8Array): Promise<void> => {
    const served = await upper.get(`${level}/${index}/${width}`)!;
    compareTile(tilePath(level, index, width), served, computed, (i) => `the hash of the ${i}th full tile ${level - 1}/${index * BigInt(TILE_WIDTH) + BigInt(i)} below it`);
  };

  const firstBundle = start / BigInt(TILE_WIDTH);
  const lastBundle = (end - 1n) / BigInt(TILE_WIDTH);
  const widthOf = (bundle: bigint): number => Number(end - bundle * BigInt(TILE_WIDTH) < BigInt(TILE_WIDTH) ? end - bundle * BigInt(TILE_WIDTH) : BigInt(TILE_WIDTH));
  const pending: Promise<[Uint8Array, Uint8Array]>[] = [];
  const prefetch = Math.max(1, options.prefetch ?? 8);
  let next = firstBundle;
  const fill = (): void => {
    while (pending.length < prefetch && next <= lastBundle) {
      const width = widthOf(next);
      const both = Promise.all([fetchEntryBundle(options.fetch, next, width), fetchHashTile(options.fetch, 0, next, width)]);
      both.catch(() => {});
      pending.push(both);
      next++;
    }
  };

  const total = end - start;
  for (let bundle = firstBundle; bundle <= lastBundle; bundle++) {
    fill();
    const [entries, servedTile] = await pending.shift()!;
    const width = widthOf(bundle);
    const path = entriesPath(bundle, width);
    const offsets = entryBundleOffsets(entries, width, path);
    const known = bundle === firstBundle ? Number(start % BigInt(TILE_WIDTH)) : 0;
    const leafHashes = new Uint8Array(width * HASH_SIZE);
    const completed: CompletedTile[] = [];
    for (let i = 0; i < width; i++) {
      // The byte before an entry is the low byte of its length, read already: it becomes the leaf prefix 0x00.
      const at = offsets[i]! + 1;
      entries[at] = 0x00;
      const leafHash = sha256(entries.subarray(at, offsets[i + 1]));
      leafHashes.set(leafHash, i * HASH_SIZE);
      if (i < known) {
        if (!equalHashes(leafHash, tree.edgeHash(0, i))) {
          throw new VerificationError(
            `log forked: entry ${bundle * BigInt(TILE_WIDTH) + BigInt(i)} is not the one verified in the checkpoint of ${describe(from!.checkpoint)}; ` +
              `the log now serves a checkpoint of ${describe(checkpoint)}`,
          );
        }
      } else {
        tree.appendLeafHash(leafHash, completed);
      }
    }
    bundles++;
    compareTile(tilePath(0, bundle, width), servedTile, leafHashes, (i) => `the hash of entry ${i} of ${path}`);
    for (const tile of completed) if (tile.level > 0) await checkUpper(tile.level, tile.index, TILE_WIDTH, tile.body);
    options.onProgress?.({ entries: tree.size - start, total });
  }
  const edge = tree.edgeTiles();
  for (const [level, width] of partialWidths(end).entries()) {
    if (level > 0 && width > 0) await checkUpper(level, end >> BigInt(TILE_HEIGHT * (level + 1)), width, edge[level]!);
  }

  const root = tree.root();
  if (!equalHashes(root, checkpoint.root)) {
    const over = from ? `the entries after the verified checkpoint of ${describe(from.checkpoint)}` : "the log's entries";
    throw new VerificationError(
      `the checkpoint of ${describe(checkpoint)} is not the tree of ${over}: they give root ${encodeBase64(root)}` +
        (from ? ' (the log forked, or serves other entries than it signed)' : '') +
        (firstMismatch ? `; and ${firstMismatch}` : ''),
    );
  }
  if (firstMismatch !== undefined) {
    throw new VerificationError(`the log serves a tile that is not the tree of its checkpoint (${describe(checkpoint)}, which its entries do give): ${firstMismatch}`);
  }
  return { state: { checkpoint, edge }, entries: total, bundles, tiles };
}

/** Hash tiles above level 0 that a run from `start` to `end` completes, and the partial ones of `end`. */
function upperTiles(start: bigint, end: bigint): { level: number; index: bigint; width: number }[] {
  const tiles: { level: number; index: bigint; width: number }[] = [];
  for (let level = 1; end >> BigInt(TILE_HEIGHT * level) > 0n; level++) {
    const span = 1n << BigInt(TILE_HEIGHT * (level + 1));
    // Full tiles whose last leaf lies after `start` and at or before `end`.
    for (let index = start / span; (index + 1n) * span <= end; index++) tiles.push({ level, index, width: TILE_WIDTH });
    const width = Number((end >> BigInt(TILE_HEIGHT * level)) % BigInt(TILE_WIDTH));
    if (width > 0) tiles.push({ level, index: end / span, width });
  }
  return tiles;
}

/**
 * A partial resource may be gone once its full version exists (C2SP lets a log delete it): then the
 * full one is fetched and cut to the width the checkpoint needs.
 */
async function fetchWithFallback(fetch: TileFetcher, path: string, fullPath: string | undefined): Promise<{ bytes: Uint8Array; full: boolean }> {
  const bytes = await fetch(path);
  if (bytes !== undefined) return { bytes, full: false };
  const full = fullPath === undefined ? undefined : await fetch(fullPath);
  if (full === undefined) throw new MissingTileError(path);
  return { bytes: full, full: true };
}

async function fetchHashTile(fetch: TileFetcher, level: number, index: bigint, width: number): Promise<Uint8Array> {
  const path = tilePath(level, index, width);
  const { bytes, full } = await fetchWithFallback(fetch, path, width < TILE_WIDTH ? tilePath(level, index) : undefined);
  const expected = (full ? TILE_WIDTH : width) * HASH_SIZE;
  if (bytes.length !== expected) throw new FormatError(`${full ? tilePath(level, index) : path} is ${bytes.length} bytes, a tile of ${expected / HASH_SIZE} hashes is ${expected}`);
  return bytes.subarray(0, width * HASH_SIZE);
}

async function fetchEntryBundle(fetch: TileFetcher, index: bigint, width: number): Promise<Uint8Array> {
  const path = entriesPath(index, width);
  const { bytes, full } = await fetchWithFallback(fetch, path, width < TILE_WIDTH ? entriesPath(index) : undefined);
  if (!full) return bytes;
  const offsets = entryBundleOffsets(bytes, TILE_WIDTH, entriesPath(index));
  return bytes.subarray(0, offsets[width]);
}
