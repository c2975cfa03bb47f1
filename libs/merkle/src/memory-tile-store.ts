import { tileKey, type Tile, type TileId } from './tile.js';
import { ConcurrentAppendError, type TileStore } from './tile-store.js';

export class MemoryTileStore implements TileStore {
  private readonly tiles = new Map<string, Tile>();
  private size = 0n;

  readTreeSize(): bigint {
    return this.size;
  }

  readTiles(ids: readonly TileId[]): (Tile | undefined)[] {
    return ids.map((id) => this.tiles.get(tileKey(id.level, id.index)));
  }

  writeTiles(fromSize: bigint, toSize: bigint, tiles: readonly Tile[]): void {
    if (this.size !== fromSize) throw new ConcurrentAppendError(fromSize, this.size);
    for (const tile of tiles) this.tiles.set(tileKey(tile.level, tile.index), tile);
    this.size = toSize;
  }
}
