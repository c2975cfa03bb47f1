import { IDENTITY_STREAM_PREFIX } from '@trailmark/domain';
import type { LedgerIndex } from '@trailmark/sequencer';
import type { EventStore } from '@trailmark/event-store';
import { TILE_HEIGHT, TILE_WIDTH, type TileReader } from '@trailmark/merkle';
import { encodeEntryBundle } from '@trailmark/proofs';

const HASH_BYTES = 32;

/**
 * The tree size a C2SP resource needs: tile L/N of width W holds hashes of subtrees of 256^L leaves,
 * 256·N … 256·N+W−1, so it exists once the tree has (256·N + W)·256^L leaves. An entry bundle is a level-0 tile.
 */
export function sizeNeeded(level: number, index: bigint, width: number): bigint {
  return (index * BigInt(TILE_WIDTH) + BigInt(width)) << BigInt(TILE_HEIGHT * level);
}

/**
 * The body of hash tile `level`/`index` cut to `width` hashes, if a tree of `size` leaves has it. A stored
 * tile only ever widens and its hashes never change, so a tile wider than asked serves every narrower
 * partial tile of the same index: those of every checkpoint issued at a smaller size.
 */
export function hashTileBody(tiles: TileReader, level: number, index: bigint, width: number, size: bigint): Uint8Array | undefined {
  if (sizeNeeded(level, index, width) > size) return undefined;
  const tile = tiles.readTiles([{ level, index: Number(index) }])[0];
  if (!tile || tile.width < width) throw new Error(`the tile store has no tile ${level}/${index} of width ${width}, which a tree of size ${size} has`);
  return tile.nodes.slice(0, width * HASH_BYTES);
}

/**
 * The leaves `first` … `first + count − 1`, as the store holds them: the ledger index says where the
 * first one is, one read of the store's order returns them all, and the last one's id is checked
 * against the index so a bundle can never hold a gap.
 */
export async function readLeaves(index: LedgerIndex, store: EventStore, first: bigint, count: number): Promise<Uint8Array[]> {
  const leaf = index.leafAt(first);
  const last = index.leafAt(first + BigInt(count) - 1n);
  if (!leaf || !last) throw new Error(`the ledger index has no leaf ${leaf ? first + BigInt(count) - 1n : first}`);
  const events = await store.readAll({ from: leaf.position, maxCount: count, streamPrefix: IDENTITY_STREAM_PREFIX });
  if (events.length !== count || events[0]!.id !== leaf.eventId || events[count - 1]!.id !== last.eventId) {
    throw new Error(`the store's order from leaf ${first} does not match the ledger index for ${count} leaves`);
  }
  return events.map((event) => event.data);
}

/** Entry bundle `index` cut to `width` entries, if a tree of `size` leaves has it. */
export async function entryBundle(
  index: LedgerIndex,
  store: EventStore,
  bundle: bigint,
  width: number,
  size: bigint,
): Promise<Uint8Array | undefined> {
  if (sizeNeeded(0, bundle, width) > size) return undefined;
  return encodeEntryBundle(await readLeaves(index, store, bundle * BigInt(TILE_WIDTH), width));
}
