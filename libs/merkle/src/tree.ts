import { EMPTY_TREE_ROOT, hashChildren, hashLeaf, type Hash } from '@trailmark/proofs';
import {
  consistencyProofRanges,
  inclusionProofRanges,
  perfectSubtrees,
  type LeafRange,
  type NodeId,
} from './subtrees.js';
import {
  HASH_BYTES,
  TILE_BYTES,
  TILE_HEIGHT,
  TILE_WIDTH,
  readSlot,
  slotOffset,
  tileKey,
  type Tile,
  type TileId,
} from './tile.js';
import type { TileReader, TileStore } from './tile-store.js';

/** A tile being filled at the right edge of the tree: one per tile level. */
interface EdgeTile {
  level: number;
  index: number;
  width: number;
  nodes: Uint8Array;
}

/**
 * An append-only RFC 6962 tree whose nodes live in tiles.
 *
 * Memory holds only the right edge, one tile per level (511 hashes each);
 * everything else is read from the store. Appending hashes each node once, when
 * its right child arrives: amortised two hashes per leaf, leaf hash included.
 * An append writes each tile it touched once, with the new size, atomically.
 */
export class MerkleTree implements TileReader {
  private treeSize = 0;
  private readonly edge: EdgeTile[] = [];
  private readonly rangeHashes = new Map<string, Hash>();

  private constructor(private readonly store: TileStore) {
    this.reload();
  }

  static open(store: TileStore): MerkleTree {
    return new MerkleTree(store);
  }

  get size(): bigint {
    return BigInt(this.treeSize);
  }

  /** Appends leaves (their bytes) and returns the index of the first. */
  append(leaves: readonly Uint8Array[]): bigint {
    return this.appendLeafHashes(leaves.map(hashLeaf));
  }

  /** Appends leaves by their RFC 6962 leaf hashes and returns the index of the first. */
  appendLeafHashes(leafHashes: readonly Hash[]): bigint {
    const first = this.treeSize;
    if (leafHashes.length === 0) return BigInt(first);
    const completed: Tile[] = [];
    const touched = new Set<EdgeTile>();
    for (const leafHash of leafHashes) this.push(0, leafHash, completed, touched);
    const partial = [...touched]
      .filter((tile) => tile.width > 0)
      .map((tile) => ({ level: tile.level, index: tile.index, width: tile.width, nodes: tile.nodes.slice() }));
    const newSize = first + leafHashes.length;
    try {
      this.store.writeTiles(BigInt(first), BigInt(newSize), [...completed, ...partial]);
    } catch (error) {
      this.reload();
      throw error;
    }
    this.treeSize = newSize;
    return BigInt(first);
  }

  /** The root of the tree as it was at `size` leaves. */
  root(size: bigint = this.size): Hash {
    const n = this.checkSize(size, 'size');
    if (n === 0) return EMPTY_TREE_ROOT;
    return this.hashRanges([{ lo: 0, hi: n }])[0]!;
  }

  /** RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves. */
  proveInclusion(index: bigint, size: bigint = this.size): Hash[] {
    const n = this.checkSize(size, 'size');
    const i = toLeafCount(index, 'index');
    if (i >= n) throw new RangeError(`index ${index} is not in a tree of size ${size}`);
    return this.hashRanges(inclusionProofRanges(i, n));
  }

  /** RFC 9162 consistency proof between the trees of `oldSize` and `newSize` leaves; empty when oldSize is 0 or equals newSize. */
  proveConsistency(oldSize: bigint, newSize: bigint = this.size): Hash[] {
    const n = this.checkSize(newSize, 'newSize');
    const m = this.checkSize(oldSize, 'oldSize');
    if (m > n) throw new RangeError(`oldSize ${oldSize} is larger than newSize ${newSize}`);
    if (m === 0 || m === n) return [];
    return this.hashRanges(consistencyProofRanges(m, n));
  }

  /**
   * The hashes of ranges [lo, hi) of the tree of `size` leaves, each a node of RFC 9162's tree (as the spans
   * of a batch inclusion proof are), read in one batch of tiles.
   */
  spanHashes(spans: readonly { readonly lo: bigint; readonly hi: bigint }[], size: bigint = this.size): Hash[] {
    const n = this.checkSize(size, 'size');
    const ranges = spans.map(({ lo, hi }) => {
      const range = { lo: toLeafCount(lo, 'lo'), hi: toLeafCount(hi, 'hi') };
      if (range.lo >= range.hi || range.hi > n) throw new RangeError(`[${lo}, ${hi}) is not a range of the tree of size ${size}`);
      return range;
    });
    return this.hashRanges(ranges);
  }

  /** The hash of leaf `index`. */
  leafHash(index: bigint): Hash {
    const i = toLeafCount(index, 'index');
    if (i >= this.treeSize) throw new RangeError(`index ${index} is not in a tree of size ${this.treeSize}`);
    return this.readNodes([{ level: 0, index: i }])[0]!;
  }

  /** Tiles as of the current size: the edge from memory, the rest from the store. */
  readTiles(ids: readonly TileId[]): (Tile | undefined)[] {
    const fromEdge = ids.map((id) => {
      const tile = this.edge[id.level];
      return tile && tile.index === id.index && tile.width > 0 ? tile : undefined;
    });
    const missing = ids.filter((_, i) => fromEdge[i] === undefined);
    const stored = missing.length > 0 ? this.store.readTiles(missing) : [];
    let next = 0;
    return fromEdge.map((tile) => tile ?? stored[next++]);
  }

  /**
   * Step 2 and 3 of every proof: read the nodes of all ranges in one batch, then rehash each range.
   * A range that is not one perfect subtree ends at a tree size, and most proofs at that size need it:
   * its hash never changes, so it is kept (a bounded cache) instead of rehashed each time.
   */
  private hashRanges(ranges: readonly LeafRange[]): Hash[] {
    const cached = ranges.map((range) => this.rangeHashes.get(rangeKey(range)));
    const subtrees = ranges.map((range, i) => (cached[i] ? [] : perfectSubtrees(range)));
    const hashes = this.readNodes(subtrees.flat());
    let next = 0;
    return subtrees.map((nodes, i) => {
      if (cached[i]) return cached[i];
      const own = hashes.slice(next, (next += nodes.length));
      const hash = own.reduceRight((right, left) => hashChildren(left, right));
      if (nodes.length > 1) this.cacheRangeHash(ranges[i]!, hash);
      return hash;
    });
  }

  private cacheRangeHash(range: LeafRange, hash: Hash): void {
    if (this.rangeHashes.size >= RANGE_CACHE_ENTRIES) this.rangeHashes.clear();
    this.rangeHashes.set(rangeKey(range), hash);
  }

  private readNodes(nodes: readonly NodeId[]): Hash[] {
    const ids: TileId[] = [];
    const seen = new Map<string, number>();
    const places = nodes.map((node) => {
      const tileLevel = Math.floor(node.level / TILE_HEIGHT);
      const levelInTile = node.level % TILE_HEIGHT;
      const perTile = TILE_WIDTH >> levelInTile;
      const tileIndex = Math.floor(node.index / perTile);
      const key = tileKey(tileLevel, tileIndex);
      let slot = seen.get(key);
      if (slot === undefined) {
        slot = ids.push({ level: tileLevel, index: tileIndex }) - 1;
        seen.set(key, slot);
      }
      return { slot, levelInTile, position: node.index - tileIndex * perTile };
    });
    const tiles = this.readTiles(ids);
    return places.map(({ slot, levelInTile, position }) => {
      const tile = tiles[slot];
      if (!tile) {
        const id = ids[slot]!;
        throw new Error(`tile ${id.level}/${id.index} is missing from the tile store`);
      }
      return readSlot(tile, levelInTile, position);
    });
  }

  /** Adds one hash at tile level `level` and completes every node it closes. */
  private push(level: number, hash: Uint8Array, completed: Tile[], touched: Set<EdgeTile>): void {
    const tile = (this.edge[level] ??= { level, index: 0, width: 0, nodes: new Uint8Array(TILE_BYTES) });
    const nodes = tile.nodes;
    nodes.set(hash, slotOffset(0, tile.width));
    for (let levelInTile = 0, position = tile.width; position % 2 === 1; levelInTile++, position >>= 1) {
      const left = slotOffset(levelInTile, position - 1);
      const parent = hashChildren(
        nodes.subarray(left, left + HASH_BYTES) as Hash,
        nodes.subarray(left + HASH_BYTES, left + 2 * HASH_BYTES) as Hash,
      );
      nodes.set(parent, slotOffset(levelInTile + 1, position >> 1));
    }
    tile.width++;
    touched.add(tile);
    if (tile.width === TILE_WIDTH) {
      completed.push({ level, index: tile.index, width: TILE_WIDTH, nodes: nodes.slice() });
      this.push(level + 1, nodes.subarray(slotOffset(TILE_HEIGHT, 0), slotOffset(TILE_HEIGHT, 0) + HASH_BYTES), completed, touched);
      tile.index++;
      tile.width = 0;
      nodes.fill(0);
    }
  }

  /**
   * Forgets what memory holds and reads the size and the right edge back from the store: for when a
   * transaction around an append was rolled back.
   */
  reload(): void {
    this.treeSize = toLeafCount(this.store.readTreeSize(), 'stored tree size');
    this.edge.length = 0;
    this.rangeHashes.clear();
    const n = this.treeSize;
    for (let level = 0, count = n; count > 0; level++, count = Math.floor(count / TILE_WIDTH)) {
      const index = Math.floor(count / TILE_WIDTH);
      const width = count % TILE_WIDTH;
      const nodes = new Uint8Array(TILE_BYTES);
      if (width > 0) {
        const stored = this.store.readTiles([{ level, index }])[0];
        if (!stored || stored.width < width) {
          throw new Error(`tile store is missing tile ${level}/${index} of width ${width} for tree size ${n}`);
        }
        nodes.set(stored.nodes);
      }
      this.edge[level] = { level, index, width, nodes };
    }
  }

  private checkSize(size: bigint, name: string): number {
    const n = toLeafCount(size, name);
    if (n > this.treeSize) throw new RangeError(`${name} ${size} is larger than the tree (${this.treeSize} leaves)`);
    return n;
  }
}

const RANGE_CACHE_ENTRIES = 4096;

function rangeKey(range: LeafRange): string {
  return `${range.lo}:${range.hi}`;
}

function toLeafCount(value: bigint, name: string): number {
  if (value < 0n || value > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new RangeError(`${name} ${value} is outside 0..2^53-1`);
  }
  return Number(value);
}
