// C2SP tlog-tiles geometry (https://c2sp.org/tlog-tiles).
//
// A tile at level L, index N holds the hashes of tree level 8·L with indexes
// 256·N … 256·N+255; a partial tile holds the first W of them (1 ≤ W < 256).
// What a tile serves (its C2SP body) is those W hashes, concatenated.
//
// We keep each tile together with the interior nodes its hashes determine, so
// that a proof reads nodes instead of rehashing up to 255 of them per level.
// `nodes` is 511 hash slots, tile level by tile level:
//
//   slots   0..255  tile level 0 (the C2SP body)     offset 0
//   slots 256..383  tile level 1                      offset 256
//   ...
//   slot  510       tile level 8: the root of a full tile, which is also the
//                   hash its parent tile holds at 256·N's position
//
// offset(k) = 512 − 512 >> k. Slots of nodes that are not complete yet are zero.
import type { Hash } from '@trailmark/proofs';

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 1 << TILE_HEIGHT;
export const TILE_SLOTS = 2 * TILE_WIDTH - 1;
export const HASH_BYTES = 32;
export const TILE_BYTES = TILE_SLOTS * HASH_BYTES;

export interface TileId {
  readonly level: number;
  readonly index: number;
}

export interface Tile extends TileId {
  /** How many hashes of tile level 0 are filled: 1..256. */
  readonly width: number;
  /** TILE_BYTES bytes: see the slot layout above. */
  readonly nodes: Uint8Array;
}

export function slotOffset(tileLevel: number, position: number): number {
  return (2 * TILE_WIDTH - ((2 * TILE_WIDTH) >> tileLevel) + position) * HASH_BYTES;
}

export function readSlot(tile: Tile, tileLevel: number, position: number): Hash {
  const at = slotOffset(tileLevel, position);
  return tile.nodes.slice(at, at + HASH_BYTES) as Hash;
}

/** The tile's C2SP body: its W level-0 hashes, concatenated. */
export function tileBody(tile: Tile): Uint8Array {
  return tile.nodes.slice(0, tile.width * HASH_BYTES);
}

export function tileKey(level: number, index: number): string {
  return `${level}/${index}`;
}

/** The partial tiles a tree of this size has, lowest level first (C2SP: one per level at most). */
export function partialTiles(treeSize: bigint): { level: number; index: bigint; width: number }[] {
  const tiles = [];
  for (let level = 0, count = treeSize; count > 0n; level++, count >>= BigInt(TILE_HEIGHT)) {
    const width = Number(count % BigInt(TILE_WIDTH));
    if (width > 0) tiles.push({ level, index: count / BigInt(TILE_WIDTH), width });
  }
  return tiles;
}

// Resource paths are the verifier's (one implementation for the server and the monitor).
export { encodeTileIndex, tilePath } from '@trailmark/proofs';
