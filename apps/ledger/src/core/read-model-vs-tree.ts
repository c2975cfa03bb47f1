import { tileBody, TILE_WIDTH, type MerkleTree } from '@trailmark/merkle';
import type { ProjectedEvent, ReadModelStore } from '@trailmark/projections';
import { encodeBase64, equalHashes, hashLeaf, HASH_SIZE, type Hash } from '@trailmark/proofs';

// The read models are derived state kept in a database anyone with the files can edit, or restore from another
// time than ledger.db. They are checked against the tree, never trusted: on start (their end), and row by row in
// every export that ends with a signed checkpoint.

/**
 * Why the read model cannot be continued from where it stands, or undefined when it can: it must hold no more
 * leaves than the tree, and its last leaf must hash to the tree's leaf at that index.
 */
export async function readModelMismatch(readModel: ReadModelStore, tree: MerkleTree): Promise<string | undefined> {
  const { leafCount } = await readModel.position();
  if (leafCount > tree.size) return `it holds ${leafCount} leaves but the tree only ${tree.size}`;
  if (leafCount === 0n) return undefined;
  const last = leafCount - 1n;
  const leaf = await readModel.leaf(last);
  if (leaf === undefined) return `it counts ${leafCount} leaves but has no row for leaf ${last}`;
  const held = hashLeaf(leaf);
  const treeHash = tree.leafHash(last);
  if (equalHashes(held, treeHash)) return undefined;
  return `its copy of leaf ${last}, its last, hashes to ${encodeBase64(held)}, but the tree's leaf ${last} is ${encodeBase64(treeHash)}`;
}

/** A read-model row whose leaf is not the tree's: what it would serve is not what the log signed. */
export class ReadModelDiffersError extends Error {
  constructor(
    readonly leafIndex: bigint,
    readonly eventId: string,
  ) {
    super(
      `the read model's row for leaf ${leafIndex} (event ${eventId}) does not hash to the tree's leaf ${leafIndex}: ` +
        'the read model was changed; the export stopped before it; rebuild the read model (`trailmark projections rebuild`, ' +
        'or restart the ledger after deleting it)',
    );
    this.name = 'ReadModelDiffersError';
  }
}

/**
 * `events` as they come, each checked against `tree` first: its leaf must hash to the tree's leaf at its index,
 * else ReadModelDiffersError. Reads the tree a level-0 tile (256 leaves) at a time.
 */
export async function* checkedAgainstTree(events: AsyncIterable<ProjectedEvent>, tree: MerkleTree): AsyncGenerator<ProjectedEvent> {
  let tile: { index: bigint; body: Uint8Array } | undefined;
  const width = BigInt(TILE_WIDTH);
  for await (const event of events) {
    const index = event.leafIndex / width;
    if (tile?.index !== index) {
      const read = tree.readTiles([{ level: 0, index: Number(index) }])[0];
      tile = { index, body: read === undefined ? new Uint8Array() : tileBody(read) };
    }
    const at = Number(event.leafIndex % width) * HASH_SIZE;
    const treeHash = tile.body.subarray(at, at + HASH_SIZE) as Hash;
    if (treeHash.length !== HASH_SIZE || !equalHashes(hashLeaf(event.leaf), treeHash)) throw new ReadModelDiffersError(event.leafIndex, event.id);
    yield event;
  }
}
