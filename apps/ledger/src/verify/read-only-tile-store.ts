import type Database from 'better-sqlite3';
import type { Tile, TileId, TileStore } from '@trailmark/merkle';

/**
 * The service's stored tiles (`merkle_tiles`, `merkle_tree`) as a TileStore over a read-only handle,
 * so that MerkleTree.open can read the stored tree without SqliteTileStore's schema writes.
 * Keeps the last tile read: walking leaves in order reads each level-0 tile once.
 */
export class ReadOnlyTileStore implements TileStore {
  private readonly selectTile: Database.Statement<[number, number], { width: number; nodes: Uint8Array }>;
  private readonly selectSize: Database.Statement<[], { size: bigint }>;
  private last: Tile | undefined;

  constructor(db: Database.Database) {
    this.selectTile = db.prepare('SELECT width, nodes FROM merkle_tiles WHERE level = ? AND idx = ?');
    this.selectSize = db.prepare<[], { size: bigint }>('SELECT size FROM merkle_tree WHERE id = 1').safeIntegers(true);
  }

  readTreeSize(): bigint {
    return this.selectSize.get()?.size ?? 0n;
  }

  readTiles(ids: readonly TileId[]): (Tile | undefined)[] {
    return ids.map((id) => this.readTile(id));
  }

  readTile(id: TileId): Tile | undefined {
    if (this.last && this.last.level === id.level && this.last.index === id.index) return this.last;
    const row = this.selectTile.get(id.level, id.index);
    const tile = row && { level: id.level, index: id.index, width: row.width, nodes: new Uint8Array(row.nodes) };
    if (tile) this.last = tile;
    return tile;
  }

  writeTiles(): void {
    throw new Error('trailmark verify reads the stored tiles and never writes them');
  }
}
