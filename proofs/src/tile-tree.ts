import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { FormatError } from './errors.js';
import { HASH_SIZE, type Hash } from './hash.js';
import { TILE_HEIGHT, TILE_WIDTH } from './tlog-tiles.js';

/** SHA-256 of the bytes. The library's is @noble/hashes; a CLI may pass a native one (node:crypto). */
export type Sha256 = (data: Uint8Array) => Uint8Array;

export const nobleSha256Function: Sha256 = (data) => nobleSha256(data);

/** A tile completed by an append: its level, index and its 256 hashes (8,192 bytes, the C2SP body). */
export interface CompletedTile {
  readonly level: number;
  readonly index: bigint;
  readonly body: Uint8Array;
}

const NODE_PREFIX = 0x01;
const TILE_BYTES = TILE_WIDTH * HASH_SIZE;

/**
 * An RFC 6962 tree rebuilt from its leaf hashes the way C2SP tlog-tiles cuts it: per tile level, the
 * hashes of the tile being filled at the right edge. A full tile is hashed once, when it completes, into
 * one hash of the level above, so memory holds at most 256 hashes per level and each node is hashed once.
 * The edge (`edgeTiles`) is the partial tiles of the current size: a monitor keeps it to resume.
 */
export class TileTree {
  private readonly levels: { hashes: Uint8Array; count: number; index: bigint }[] = [];
  private readonly node = new Uint8Array(1 + 2 * HASH_SIZE);
  private leaves: bigint;

  private constructor(
    size: bigint,
    edge: readonly Uint8Array[],
    private readonly sha256: Sha256,
  ) {
    this.node[0] = NODE_PREFIX;
    this.leaves = size;
    const expected = partialWidths(size);
    if (edge.length !== expected.length) {
      throw new FormatError(`a tree of size ${size} has ${expected.length} partial tiles, the edge given has ${edge.length}`);
    }
    expected.forEach((width, level) => {
      const tile = edge[level]!;
      if (tile.length !== width * HASH_SIZE) {
        throw new FormatError(`partial tile at level ${level} of a tree of size ${size} holds ${width} hashes, the edge given ${tile.length / HASH_SIZE}`);
      }
      const hashes = new Uint8Array(TILE_BYTES);
      hashes.set(tile);
      this.levels.push({ hashes, count: width, index: (size >> BigInt(TILE_HEIGHT * (level + 1))) });
    });
  }

  /** An empty tree. */
  static empty(sha256: Sha256 = nobleSha256Function): TileTree {
    return new TileTree(0n, [], sha256);
  }

  /** The tree of `size` leaves whose partial tiles are `edge` (lowest level first; see edgeTiles). */
  static resume(size: bigint, edge: readonly Uint8Array[], sha256: Sha256 = nobleSha256Function): TileTree {
    return new TileTree(size, edge, sha256);
  }

  get size(): bigint {
    return this.leaves;
  }

  /** Hash i (0..count-1) of the partial tile at `level`. */
  edgeHash(level: number, i: number): Uint8Array {
    return this.levels[level]!.hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }

  /** The partial tiles of the current size, lowest level first; levels whose tile is empty give an empty array. */
  edgeTiles(): Uint8Array[] {
    const widths = partialWidths(this.leaves);
    return widths.map((width, level) => this.levels[level]!.hashes.slice(0, width * HASH_SIZE));
  }

  /** Appends one leaf hash (32 bytes); the tiles it completes are pushed onto `completed`, lowest level first. */
  appendLeafHash(hash: Uint8Array, completed: CompletedTile[] = []): CompletedTile[] {
    this.push(0, hash, completed);
    this.leaves++;
    return completed;
  }

  private push(level: number, hash: Uint8Array, completed: CompletedTile[]): void {
    let tile = this.levels[level];
    if (!tile) {
      tile = { hashes: new Uint8Array(TILE_BYTES), count: 0, index: 0n };
      this.levels[level] = tile;
    }
    tile.hashes.set(hash, tile.count * HASH_SIZE);
    tile.count++;
    if (tile.count < TILE_WIDTH) return;
    const body = tile.hashes.slice();
    completed.push({ level, index: tile.index, body });
    tile.count = 0;
    tile.index++;
    this.push(level + 1, this.perfectRoot(body, 0, TILE_WIDTH), completed);
  }

  /** RFC 6962 root of the current size. */
  root(): Hash {
    if (this.leaves === 0n) return this.sha256(new Uint8Array(0)) as Hash;
    // The perfect subtrees the size decomposes into, largest (leftmost) first: per tile level from the
    // top, one for each set bit of that level's hash count.
    const subtrees: Uint8Array[] = [];
    for (let level = this.levels.length - 1; level >= 0; level--) {
      const { hashes, count } = this.levels[level]!;
      let offset = 0;
      for (let bit = TILE_HEIGHT - 1; bit >= 0; bit--) {
        const width = 1 << bit;
        if ((count & width) === 0) continue;
        subtrees.push(this.perfectRoot(hashes, offset, width));
        offset += width;
      }
    }
    let root = subtrees[subtrees.length - 1]!;
    for (let i = subtrees.length - 2; i >= 0; i--) root = this.children(subtrees[i]!, root);
    return root as Hash;
  }

  /** The root of the perfect subtree over `width` (a power of two) hashes from hash `offset` on. */
  private perfectRoot(hashes: Uint8Array, offset: number, width: number): Uint8Array {
    if (width === 1) return hashes.slice(offset * HASH_SIZE, (offset + 1) * HASH_SIZE);
    const row = hashes.slice(offset * HASH_SIZE, (offset + width) * HASH_SIZE);
    for (let count = width; count > 1; count >>= 1) {
      for (let i = 0; i < count; i += 2) {
        row.set(this.children(row.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE), row.subarray((i + 1) * HASH_SIZE, (i + 2) * HASH_SIZE)), (i >> 1) * HASH_SIZE);
      }
    }
    return row.slice(0, HASH_SIZE);
  }

  private children(left: Uint8Array, right: Uint8Array): Uint8Array {
    this.node.set(left, 1);
    this.node.set(right, 1 + HASH_SIZE);
    return this.sha256(this.node);
  }
}

/** The widths of a tree's partial tiles, by level, up to its highest non-empty level (0 for a level without one). */
export function partialWidths(size: bigint): number[] {
  const widths: number[] = [];
  for (let count = size; count > 0n; count >>= BigInt(TILE_HEIGHT)) widths.push(Number(count % BigInt(TILE_WIDTH)));
  return widths;
}
