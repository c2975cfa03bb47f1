export { MerkleTree } from './tree.js';
export { MemoryTileStore } from './memory-tile-store.js';
export { SqliteTileStore } from './sqlite-tile-store.js';
export { ConcurrentAppendError, type TileReader, type TileStore } from './tile-store.js';
export {
  TILE_HEIGHT,
  TILE_WIDTH,
  encodeTileIndex,
  partialTiles,
  tileBody,
  tileKey,
  tilePath,
  type Tile,
  type TileId,
} from './tile.js';
export {
  consistencyProofRanges,
  inclusionProofRanges,
  perfectSubtrees,
  type LeafRange,
  type NodeId,
} from './subtrees.js';
