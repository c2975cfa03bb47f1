import { ConcurrentAppendError, TILE_WIDTH, tileKey, type Tile, type TileId, type TileStore } from '@trailmark/merkle';

/**
 * The in-memory tile store of the tree that `trailmark verify` rebuilds from the events: a
 * MemoryTileStore that forgets what no later check needs, so that memory stays bounded however
 * long the log is. Tiles above level 0 are 1/256 of the tree and are all kept (roots read them).
 * Full level-0 tiles are handed to `onFullTile` (to compare with the stored ones) and kept only
 * from `keepLevel0From` on: a root at the current size reads no full level-0 tile, and a
 * consistency proof from an older size m reads none below tile m / 256.
 */
export class RebuiltTileStore implements TileStore {
  private readonly tiles = new Map<string, Tile>();
  private size = 0n;
  private keepFrom = 0;

  constructor(private readonly onFullTile: (tile: Tile) => void = () => {}) {}

  /** Full level-0 tiles below this index may be forgotten (the verifier no longer needs sizes below index * 256). */
  keepLevel0From(index: number): void {
    if (index <= this.keepFrom) return;
    for (let i = this.keepFrom; i < index; i++) this.tiles.delete(tileKey(0, i));
    this.keepFrom = index;
  }

  readTreeSize(): bigint {
    return this.size;
  }

  readTiles(ids: readonly TileId[]): (Tile | undefined)[] {
    return ids.map((id) => this.tiles.get(tileKey(id.level, id.index)));
  }

  writeTiles(fromSize: bigint, toSize: bigint, tiles: readonly Tile[]): void {
    if (this.size !== fromSize) throw new ConcurrentAppendError(fromSize, this.size);
    for (const tile of tiles) {
      if (tile.width === TILE_WIDTH) this.onFullTile(tile);
      if (tile.level === 0 && tile.index < this.keepFrom && tile.width === TILE_WIDTH) continue;
      this.tiles.set(tileKey(tile.level, tile.index), tile);
    }
    this.size = toSize;
  }
}
