import { MerkleTree, MemoryTileStore, encodeTileIndex, partialTiles, tileBody, tilePath, type Tile, type TileStore } from '@trailmark/merkle';
import { hashChildren, type Hash } from '@trailmark/proofs';
import { testLeaf } from './reference.js';

describe('C2SP tlog-tiles layout', () => {
  test('a tree of 70,000 has partial tiles of widths 112, 17 and 1 at levels 0, 1 and 2', () => {
    expect(partialTiles(70_000n)).toEqual([
      { level: 0, index: 273n, width: 112 },
      { level: 1, index: 1n, width: 17 },
      { level: 2, index: 0n, width: 1 },
    ]);
    expect(partialTiles(0n)).toEqual([]);
    expect(partialTiles(65_536n)).toEqual([{ level: 2, index: 0n, width: 1 }]);
  });

  test('tile index paths', () => {
    expect(encodeTileIndex(1_234_067n)).toBe('x001/x234/067');
    expect(encodeTileIndex(0n)).toBe('000');
    expect(encodeTileIndex(1000n)).toBe('x001/000');
    expect(tilePath(0, 1_234_067n)).toBe('tile/0/x001/x234/067');
    expect(tilePath(1, 1n, 17)).toBe('tile/1/001.p/17');
    expect(() => tilePath(0, 1n, 0)).toThrow('outside 1..256');
  });

  test('the tiles of a 70,000-leaf tree hold what C2SP says they hold', () => {
    const tree = MerkleTree.open(new MemoryTileStore());
    tree.append(Array.from({ length: 70_000 }, (_, i) => testLeaf(i)));
    const [level0, level1, level2] = tree.readTiles([
      { level: 0, index: 273 },
      { level: 1, index: 1 },
      { level: 2, index: 0 },
    ]);
    expect([level0?.width, level1?.width, level2?.width]).toEqual([112, 17, 1]);
    // Level 0 holds leaf hashes; a level-1 hash is the root of 256 leaves; the level-2 hash the root of 65,536.
    expect(tileBody(level0!).subarray(0, 32)).toEqual(tree.leafHash(273n * 256n));
    expect(tileBody(level1!).subarray(16 * 32)).toEqual(subtreeRoot(tree, 272 * 256, 256));
    expect(tileBody(level2!)).toEqual(tree.root(65_536n));
    expect(tileBody(level1!).length).toBe(17 * 32);
  });
});

describe('writes', () => {
  class CountingStore extends MemoryTileStore implements TileStore {
    readonly writes: Tile[][] = [];
    override writeTiles(fromSize: bigint, toSize: bigint, tiles: readonly Tile[]): void {
      this.writes.push([...tiles]);
      super.writeTiles(fromSize, toSize, tiles);
    }
  }

  test('a batch append writes each touched tile once, with the new size', () => {
    const store = new CountingStore();
    const tree = MerkleTree.open(store);
    tree.append(Array.from({ length: 70_000 }, (_, i) => testLeaf(i)));
    const [written] = store.writes;
    const keys = written!.map((tile) => `${tile.level}/${tile.index}`);
    expect(new Set(keys).size).toBe(keys.length);
    // 273 full + 1 partial at level 0, 1 full + 1 partial at level 1, 1 partial at level 2.
    expect(keys.length).toBe(273 + 1 + 1 + 1 + 1);
    expect(store.readTreeSize()).toBe(70_000n);
  });

  test('a single-leaf append writes only the edge tiles it changed', () => {
    const store = new CountingStore();
    const tree = MerkleTree.open(store);
    tree.append(Array.from({ length: 300 }, (_, i) => testLeaf(i)));
    tree.append([testLeaf(300)]);
    expect(store.writes[1]!.map((tile) => [tile.level, tile.index, tile.width])).toEqual([[0, 1, 45]]);
  });
});

function subtreeRoot(tree: MerkleTree, start: number, width: number): Hash {
  let level = Array.from({ length: width }, (_, i) => tree.leafHash(BigInt(start + i)));
  while (level.length > 1) level = level.filter((_, i) => i % 2 === 0).map((left, i) => hashChildren(left, level[2 * i + 1]!));
  return level[0]!;
}
