// The tiles library against RFC 9162's MTH written out naively: paths, entry bundles, the tree
// rebuilt tile by tile, and followLog over an in-memory tiled log built from MTH (not from TileTree).
import {
  decodeEntryBundle,
  encodeEntryBundle,
  encodeTileIndex,
  entriesPath,
  followLog,
  FormatError,
  MissingTileError,
  parseTilePath,
  TileTree,
  tilePath,
  VerificationError,
  type Checkpoint,
  type TileFetcher,
} from '../src/index.js';
import { hashLeaf } from '../src/hash.js';
import { leaves, mth, toHex } from './naive-tree.js';

/** The C2SP resources of a log of these entries at `size`, every hash computed with the naive MTH. */
function naiveTiles(entries: Uint8Array[], size: number): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>();
  const d = entries.slice(0, size);
  for (let level = 0, span = 1; span <= size; level++, span *= 256) {
    const count = Math.floor(size / span);
    for (let index = 0; index * 256 < count; index++) {
      const width = Math.min(256, count - index * 256);
      const body = new Uint8Array(width * 32);
      for (let i = 0; i < width; i++) {
        const lo = (index * 256 + i) * span;
        body.set(span === 1 ? hashLeaf(d[lo]!) : mth(d.slice(lo, lo + span)), i * 32);
      }
      files.set(tilePath(level, BigInt(index), width), body);
      if (level === 0) files.set(entriesPath(BigInt(index), width), encodeEntryBundle(d.slice(index * 256, index * 256 + width)));
    }
  }
  return files;
}

function fetcherOf(...sources: Map<string, Uint8Array>[]): TileFetcher & { paths: string[] } {
  const paths: string[] = [];
  const fetch = async (path: string): Promise<Uint8Array | undefined> => {
    paths.push(path);
    for (const files of sources) {
      const bytes = files.get(path);
      if (bytes) return bytes.slice();
    }
    return undefined;
  };
  return Object.assign(fetch, { paths });
}

const checkpointOf = (entries: Uint8Array[], size: number): Checkpoint => ({
  origin: 'test.example/log',
  size: BigInt(size),
  root: mth(entries.slice(0, size)),
  extensions: [],
});

const ENTRIES = leaves(70_000);

describe('tlog-tiles paths', () => {
  test('index groups, widths, and only canonical spellings parse', () => {
    expect(encodeTileIndex(1_234_067n)).toBe('x001/x234/067');
    expect(tilePath(2, 1_234_067n, 5)).toBe('tile/2/x001/x234/067.p/5');
    expect(entriesPath(1000n)).toBe('tile/entries/x001/000');
    expect(parseTilePath('tile/2/x001/x234/067.p/5')).toEqual({ kind: 'tile', level: 2, index: 1_234_067n, width: 5 });
    expect(parseTilePath('tile/entries/x001/000')).toEqual({ kind: 'entries', index: 1000n, width: 256 });
    expect(parseTilePath('checkpoint')).toEqual({ kind: 'checkpoint' });
    for (const bad of ['tile/0/1', 'tile/0/x000/001', 'tile/0/001.p/256', 'tile/0/001.p/0', 'tile/0/001.p/07', 'tile/64/000', 'tile/01/000', 'tile/0/001/002', 'tile/entries', 'tile/data/000']) {
      expect([bad, parseTilePath(bad)]).toEqual([bad, undefined]);
    }
  });

  test('entry bundles round-trip, and a bundle with too few, too many or cut entries is refused', () => {
    const entries = [new Uint8Array(0), Uint8Array.of(1, 2, 3), new Uint8Array(300).fill(9)];
    const bundle = encodeEntryBundle(entries);
    expect(Array.from(bundle.subarray(0, 5))).toEqual([0, 0, 0, 3, 1]);
    expect(decodeEntryBundle(bundle, 3, 'b').map(toHex)).toEqual(entries.map(toHex));
    expect(() => decodeEntryBundle(bundle, 4, 'b')).toThrow(FormatError);
    expect(() => decodeEntryBundle(bundle, 2, 'b')).toThrow('bytes after its 2 entries');
    expect(() => decodeEntryBundle(bundle.subarray(0, bundle.length - 1), 3, 'b')).toThrow('runs past the end');
  });
});

describe('TileTree', () => {
  test.each([1, 2, 255, 256, 257, 511, 512, 1000, 65_536, 65_537])('size %i: the root is MTH, and resuming from the edge continues the same tree', (size) => {
    const tree = TileTree.empty();
    const half = Math.floor(size / 2);
    for (let i = 0; i < half; i++) tree.appendLeafHash(hashLeaf(ENTRIES[i]!));
    const resumed = TileTree.resume(BigInt(half), tree.edgeTiles());
    for (let i = half; i < size; i++) resumed.appendLeafHash(hashLeaf(ENTRIES[i]!));
    expect(toHex(resumed.root())).toBe(toHex(mth(ENTRIES.slice(0, size))));
  });
});

describe('followLog', () => {
  const SIZE_A = 1000;
  const SIZE_B = 66_000;
  const tilesA = naiveTiles(ENTRIES, SIZE_A);
  const tilesB = naiveTiles(ENTRIES, SIZE_B);

  test('verifies a log from its first entry, then only what a newer checkpoint adds', async () => {
    const first = await followLog({ fetch: fetcherOf(tilesA), checkpoint: checkpointOf(ENTRIES, SIZE_A) });
    expect(first.entries).toBe(1000n);
    expect(first.bundles).toBe(4);
    const fetch = fetcherOf(tilesB);
    const second = await followLog({ fetch, checkpoint: checkpointOf(ENTRIES, SIZE_B), from: first.state });
    expect(second.entries).toBe(BigInt(SIZE_B - SIZE_A));
    // From bundle 3 (which held leaves 768..999) on; and the level-1 and level-2 tiles.
    expect(fetch.paths).toContain('tile/entries/003');
    expect(fetch.paths).not.toContain('tile/entries/002');
    expect(fetch.paths).toContain('tile/1/000');
    expect(fetch.paths).toContain('tile/1/001.p/1');
    expect(fetch.paths).toContain('tile/2/000.p/1');
    const again = await followLog({ fetch: fetcherOf(tilesB), checkpoint: checkpointOf(ENTRIES, SIZE_B), from: second.state });
    expect(again.entries).toBe(0n);
  });

  test('a fork: another entry in the last verified partial bundle, a different root for the same size, a smaller size', async () => {
    const first = await followLog({ fetch: fetcherOf(tilesA), checkpoint: checkpointOf(ENTRIES, SIZE_A) });
    const forked = ENTRIES.slice(0, 2000);
    forked[990] = Uint8Array.of(0xfa, 0x4e);
    await expect(followLog({ fetch: fetcherOf(naiveTiles(forked, 2000)), checkpoint: checkpointOf(forked, 2000), from: first.state })).rejects.toThrow(
      /log forked: entry 990 is not the one verified in the checkpoint of size 1000/,
    );
    const earlier = ENTRIES.slice(0, 2000);
    earlier[10] = Uint8Array.of(0xfa, 0x4e);
    await expect(followLog({ fetch: fetcherOf(naiveTiles(earlier, 2000)), checkpoint: checkpointOf(earlier, 2000), from: first.state })).rejects.toThrow(
      /checkpoint of size 2000 root .* is not the tree of the entries after the verified checkpoint of size 1000/,
    );
    await expect(followLog({ fetch: fetcherOf(tilesA), checkpoint: { ...checkpointOf(forked, SIZE_A) }, from: first.state })).rejects.toThrow(
      /log forked: two roots for size 1000/,
    );
    await expect(followLog({ fetch: fetcherOf(tilesA), checkpoint: checkpointOf(ENTRIES, 999), from: first.state })).rejects.toThrow(/log shrank/);
  });

  test('a changed tile, and an entry bundle that does not hash to its tile', async () => {
    const changedTile = new Map(tilesB);
    const tile = changedTile.get('tile/1/000')!.slice();
    tile[40]! ^= 1;
    changedTile.set('tile/1/000', tile);
    await expect(followLog({ fetch: fetcherOf(changedTile), checkpoint: checkpointOf(ENTRIES, SIZE_B) })).rejects.toThrow(
      /serves a tile that is not the tree of its checkpoint .*tile\/1\/000 hash 1 is not the hash of the 1th full tile 0\/1/,
    );
    const changedEntries = new Map(tilesA);
    const bundle = ENTRIES.slice(256, 512);
    bundle[3] = Uint8Array.of(7, 7, 7);
    changedEntries.set('tile/entries/001', encodeEntryBundle(bundle));
    const failure = followLog({ fetch: fetcherOf(changedEntries), checkpoint: checkpointOf(ENTRIES, SIZE_A) });
    await expect(failure).rejects.toThrow(VerificationError);
    await expect(failure).rejects.toThrow(/is not the tree of the log's entries: .*tile\/0\/001 hash 3 is not the hash of entry 3 of tile\/entries\/001/);
  });

  test('a missing partial resource falls back to its full version; a missing full one is reported', async () => {
    // Level 0 of a log of 1,024 (full tiles and bundles only), level 1 as of 1,000.
    const onlyFull = new Map([...naiveTiles(ENTRIES, 1024)].filter(([path]) => !path.startsWith('tile/1/')));
    onlyFull.set('tile/1/000.p/3', tilesA.get('tile/1/000.p/3')!);
    const verified = await followLog({ fetch: fetcherOf(onlyFull), checkpoint: checkpointOf(ENTRIES, SIZE_A) });
    expect(verified.entries).toBe(1000n);
    const missing = new Map(tilesA);
    missing.delete('tile/0/001');
    await expect(followLog({ fetch: fetcherOf(missing), checkpoint: checkpointOf(ENTRIES, SIZE_A) })).rejects.toThrow(MissingTileError);
  });
});
