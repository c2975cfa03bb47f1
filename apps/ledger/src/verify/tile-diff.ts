import { HASH_SIZE } from '@trailmark/proofs';
import { TILE_HEIGHT, TILE_WIDTH, type Tile } from '@trailmark/merkle';

/** A node of the tree, by its level (0: leaves) and index at that level, and the leaves [lo, hi) below it. */
export interface DifferingNode {
  readonly level: number;
  readonly index: bigint;
  readonly lo: bigint;
  readonly hi: bigint;
}

/**
 * Where two versions of one tile (same level and index) first disagree, among the nodes complete in
 * both: the differing node that ends first (see `closerToFirstLeaf`).
 * Slot layout: libs/merkle/src/tile.ts (tile level k starts at slot 512 - 512 >> k).
 */
export function firstDifferingNode(stored: Tile, rebuilt: Tile): DifferingNode | undefined {
  const width = Math.min(stored.width, rebuilt.width);
  let best: DifferingNode | undefined;
  for (let k = 0; k <= TILE_HEIGHT; k++) {
    const complete = width >> k;
    const offset = (2 * TILE_WIDTH - ((2 * TILE_WIDTH) >> k)) * HASH_SIZE;
    for (let position = 0; position < complete; position++) {
      const at = offset + position * HASH_SIZE;
      if (!sameBytes(stored.nodes, rebuilt.nodes, at, HASH_SIZE)) {
        const level = stored.level * TILE_HEIGHT + k;
        const index = BigInt(stored.index) * BigInt(TILE_WIDTH >> k) + BigInt(position);
        const node = { level, index, lo: index << BigInt(level), hi: (index + 1n) << BigInt(level) };
        if (best === undefined || closerToFirstLeaf(node, best)) best = node;
        break;
      }
    }
  }
  return best;
}

/**
 * A changed leaf changes every node above it. The differing node that ends first sits on the path of
 * the first changed leaf, and is the lowest one there that the tiles still tell apart: level 0 when
 * the leaf hash differs, higher when someone rewrote the leaf hash but not the nodes above it.
 */
export function closerToFirstLeaf(a: DifferingNode, b: DifferingNode): boolean {
  return a.hi < b.hi || (a.hi === b.hi && a.lo > b.lo);
}

function sameBytes(a: Uint8Array, b: Uint8Array, at: number, length: number): boolean {
  for (let i = at; i < at + length; i++) if (a[i] !== b[i]) return false;
  return true;
}
