import Database from 'better-sqlite3';
import { TILE_BYTES, type Tile, type TileId } from './tile.js';
import { ConcurrentAppendError, type TileStore } from './tile-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS merkle_tiles (
  level INTEGER NOT NULL,
  idx   INTEGER NOT NULL,
  width INTEGER NOT NULL CHECK (width BETWEEN 1 AND 256),
  nodes BLOB    NOT NULL CHECK (length(nodes) = ${TILE_BYTES}),
  PRIMARY KEY (level, idx)
);
CREATE TABLE IF NOT EXISTS merkle_tree (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  size INTEGER NOT NULL CHECK (size >= 0)
);
INSERT OR IGNORE INTO merkle_tree (id, size) VALUES (1, 0);
`;

interface TileRow {
  level: number;
  idx: number;
  width: number;
  nodes: Uint8Array;
}

/**
 * Tiles in SQLite, in the caller's database (the service keeps them in its own file) or in a file of their own.
 * A tile only ever widens: an upsert that would narrow one is ignored, so a stale writer cannot shrink the tree.
 */
export class SqliteTileStore implements TileStore {
  private readonly selectTile: Database.Statement<[number, number], TileRow>;
  private readonly upsertTile: Database.Statement<[number, number, number, Uint8Array]>;
  private readonly selectSize: Database.Statement<[], { size: number }>;
  private readonly updateSize: Database.Statement<[number, number]>;
  private readonly writeAll: (fromSize: bigint, toSize: bigint, tiles: readonly Tile[]) => void;

  constructor(readonly db: Database.Database) {
    db.exec(SCHEMA);
    this.selectTile = db.prepare('SELECT level, idx, width, nodes FROM merkle_tiles WHERE level = ? AND idx = ?');
    this.upsertTile = db.prepare(
      `INSERT INTO merkle_tiles (level, idx, width, nodes) VALUES (?, ?, ?, ?)
       ON CONFLICT (level, idx) DO UPDATE SET width = excluded.width, nodes = excluded.nodes
       WHERE excluded.width >= merkle_tiles.width`,
    );
    this.selectSize = db.prepare('SELECT size FROM merkle_tree WHERE id = 1');
    this.updateSize = db.prepare('UPDATE merkle_tree SET size = ? WHERE id = 1 AND size = ?');
    this.writeAll = db.transaction((fromSize: bigint, toSize: bigint, tiles: readonly Tile[]) => {
      if (this.updateSize.run(Number(toSize), Number(fromSize)).changes !== 1) {
        throw new ConcurrentAppendError(fromSize, this.readTreeSize());
      }
      for (const tile of tiles) this.upsertTile.run(tile.level, tile.index, tile.width, tile.nodes);
    });
  }

  /** Opens (or creates) a tile database file of its own: WAL, fully synchronous. */
  static open(path: string): SqliteTileStore {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    return new SqliteTileStore(db);
  }

  close(): void {
    this.db.close();
  }

  readTreeSize(): bigint {
    return BigInt(this.selectSize.get()!.size);
  }

  readTiles(ids: readonly TileId[]): (Tile | undefined)[] {
    return ids.map((id) => {
      const row = this.selectTile.get(id.level, id.index);
      return row && { level: row.level, index: row.idx, width: row.width, nodes: row.nodes };
    });
  }

  writeTiles(fromSize: bigint, toSize: bigint, tiles: readonly Tile[]): void {
    this.writeAll(fromSize, toSize, tiles);
  }
}
