import type { Tile, TileId } from './tile.js';

/** What proofs need of storage: tiles by id, in one batch. Missing tiles come back undefined. */
export interface TileReader {
  readTiles(ids: readonly TileId[]): (Tile | undefined)[];
}

/** A TileReader that also holds the tree size, and takes the tiles an append changed together with the new size. */
export interface TileStore extends TileReader {
  readTreeSize(): bigint;
  /**
   * Writes the tiles and moves the size from `fromSize` to `toSize` atomically.
   * Refuses (throws) when the stored size is not `fromSize`: someone else appended.
   */
  writeTiles(fromSize: bigint, toSize: bigint, tiles: readonly Tile[]): void;
}

export class ConcurrentAppendError extends Error {
  constructor(expected: bigint, found: bigint) {
    super(`tile store holds a tree of size ${found}, the appender expected ${expected}: another writer appended`);
  }
}
