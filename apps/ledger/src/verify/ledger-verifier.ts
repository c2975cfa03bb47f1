import { MerkleTree, partialTiles, TILE_WIDTH, type Tile } from '@trailmark/merkle';
import {
  encodeBase64,
  equalHashes,
  hashLeaf,
  openCheckpoint,
  verifyConsistency,
  type Checkpoint,
  type Hash,
  type NoteVerifier,
} from '@trailmark/proofs';
import { checkStoredEvent, messageOf } from './check-event.js';
import type { IndexedLeafRow, LedgerDbReader, StoredCheckpointRow, StoredEventRow } from './ledger-db-reader.js';
import type { WalkProgress } from './progress.js';
import type { ReadModelDbReader } from './read-model-db-reader.js';
import type { ReadOnlyTileStore } from './read-only-tile-store.js';
import { RebuiltTileStore } from './rebuilt-tile-store.js';
import { closerToFirstLeaf, firstDifferingNode, type DifferingNode } from './tile-diff.js';

/** Events are read, checked and appended to the rebuilt tree this many at a time. */
export const EVENT_PAGE_SIZE = 1_000;
/** The report names this many failing checkpoints, then counts the rest. */
const CHECKPOINTS_NAMED = 5;

export interface LeafProblem {
  readonly leafIndex: bigint;
  readonly eventId: string;
  readonly what: string;
}

export interface VerifyReport {
  /** Identity events walked: the size of the tree rebuilt from them. */
  readonly events: bigint;
  /** The size of the tree in the stored tiles. */
  readonly storedTreeSize: bigint;
  readonly checkpoints: bigint;
  /** The largest checkpoint whose signature opened. */
  readonly latest: { readonly size: bigint; readonly root: Hash } | undefined;
  /** Events at the end of the store that the tree and the index do not hold yet (a crash before the sequencer ran). */
  readonly unsequenced: bigint;
  readonly firstLeafProblem: LeafProblem | undefined;
  readonly badLeaves: bigint;
  /** One line per failing checkpoint, the first few; `badCheckpoints` counts them all. */
  readonly checkpointProblems: readonly string[];
  readonly badCheckpoints: number;
  /** Problems of the derived state as a whole: tiles, sizes, the index. */
  readonly otherProblems: readonly string[];
  /** The read model's rows checked against the tree; undefined when there was no read model to check. */
  readonly readModelRows: bigint | undefined;
  /** The first read-model row that is not the tree's leaf, or a read model longer than the tree. */
  readonly readModelProblem: string | undefined;
}

/** A checkpoint whose root is not the rebuilt tree's; its message is written once every leaf and tile was seen. */
interface RootMismatch {
  readonly size: bigint;
  readonly signedRoot: Hash;
  readonly rebuiltRoot: Hash;
  /** The largest size below this one whose checkpoint matched the events (0: none did). */
  readonly matchedBelow: bigint;
}

/**
 * Walks every identity event of a stopped ledger in the store's global order, checks each on its
 * own and against the stored tree and ledger index, rebuilds the tree from the events alone, and
 * checks every stored checkpoint against the log key and the rebuilt tree. Reads only.
 */
export class LedgerVerifier {
  private readonly rebuiltTiles: RebuiltTileStore;
  private readonly rebuilt: MerkleTree;
  private stored: MerkleTree | undefined;
  private storedSize = 0n;
  private indexedCount = 0n;

  private firstLeafProblem: LeafProblem | undefined;
  private badLeaves = 0n;
  private unsequenced = 0n;
  private firstTileDiff: DifferingNode | undefined;
  private tileDiffs = 0;
  private readonly otherProblems: string[] = [];

  private readonly pendingCheckpoints: Iterator<StoredCheckpointRow>;
  private nextCheckpoint: StoredCheckpointRow | undefined;
  private checkpointCount = 0n;
  private latest: { size: bigint; root: Hash } | undefined;
  /** The previous checkpoint, and whether its root matched the events. */
  private previous: { size: bigint; root: Hash; matched: boolean } | undefined;
  private matchedBelow = 0n;
  private readonly rootMismatches: RootMismatch[] = [];
  private readonly checkpointProblems: { size: bigint; text: string }[] = [];
  private badCheckpoints = 0;
  private readModelRows = 0n;
  private readModelProblem: string | undefined;

  constructor(
    private readonly reader: LedgerDbReader,
    private readonly storedTiles: ReadOnlyTileStore,
    private readonly verifier: NoteVerifier | undefined,
    private readonly progress: WalkProgress,
    private readonly readModel?: ReadModelDbReader,
  ) {
    this.rebuiltTiles = new RebuiltTileStore((tile) => this.compareWithStoredTile(tile));
    this.rebuilt = MerkleTree.open(this.rebuiltTiles);
    this.pendingCheckpoints = reader.checkpoints();
  }

  run(): VerifyReport {
    this.openStoredTree();
    this.indexedCount = this.reader.countIndexedLeaves();
    this.advanceCheckpoint();
    for (const page of this.reader.identityEventPages(EVENT_PAGE_SIZE)) {
      const first = this.rebuilt.size;
      const index = new Map(this.reader.indexedLeaves(first, page.length).map((row) => [row.leafIndex, row]));
      const leaves = page.map((event, j) => this.checkLeaf(first + BigInt(j), event, index));
      this.checkReadModelRows(first, page, leaves);
      this.appendAndCheckCheckpoints(leaves.map((leaf) => leaf.hash));
      this.progress.update(this.rebuilt.size);
    }
    const events = this.rebuilt.size;
    this.progress.finish(events);
    this.appendAndCheckCheckpoints([]); // checkpoints of the size the store ends at (or of size 0)
    this.checkMissingLeaves(events);
    this.checkReadModelEnd(events);
    while (this.nextCheckpoint) this.checkCheckpoint(this.advanceCheckpoint()!);
    for (const { level, index } of partialTiles(events)) {
      const tile = this.rebuilt.readTiles([{ level, index: Number(index) }])[0];
      if (tile) this.compareWithStoredTile(tile);
    }
    if (this.firstTileDiff) this.otherProblems.push(this.describeTileDiff(this.firstTileDiff));
    this.rootMismatches.forEach((mismatch, i) => {
      this.addCheckpointProblem(mismatch.size, this.describeRootMismatch(mismatch, i === 0), false);
    });

    return {
      events,
      storedTreeSize: this.storedSize,
      checkpoints: this.checkpointCount,
      latest: this.latest,
      unsequenced: this.unsequenced,
      firstLeafProblem: this.firstLeafProblem,
      badLeaves: this.badLeaves,
      checkpointProblems: this.checkpointProblems
        .sort((a, b) => (a.size < b.size ? -1 : a.size > b.size ? 1 : 0))
        .slice(0, CHECKPOINTS_NAMED)
        .map((problem) => problem.text),
      badCheckpoints: this.badCheckpoints,
      otherProblems: this.otherProblems,
      readModelRows: this.readModel === undefined ? undefined : this.readModelRows,
      readModelProblem: this.readModelProblem,
    };
  }

  private openStoredTree(): void {
    this.storedSize = this.storedTiles.readTreeSize();
    try {
      this.stored = MerkleTree.open(this.storedTiles);
    } catch (error) {
      this.otherProblems.push(`the stored tree of size ${this.storedSize} cannot be read: ${messageOf(error)}`);
    }
  }

  /** Checks leaf `leafIndex`: its recomputed leaf hash, and whether it matched everything it was checked against. */
  private checkLeaf(leafIndex: bigint, event: StoredEventRow, index: ReadonlyMap<bigint, IndexedLeafRow>): { hash: Hash; ok: boolean } {
    const leafHash = hashLeaf(event.data);
    const sequenced = leafIndex < this.storedSize || leafIndex < this.indexedCount;
    if (!sequenced) this.unsequenced++;
    let what = checkStoredEvent(event);
    if (what === undefined && sequenced) what = this.checkAgainstIndex(leafIndex, event, index);
    if (what === undefined && leafIndex < this.storedSize) what = this.checkAgainstStoredTree(leafIndex, leafHash);
    if (what !== undefined) this.leafProblem(leafIndex, event.id, what);
    return { hash: leafHash, ok: what === undefined };
  }

  /**
   * The read model's rows for the leaves of a page, each against the tree: the signed tree as stored, or, past
   * its end or when it cannot be read, the tree the events give. Only the first row that differs is named.
   */
  private checkReadModelRows(first: bigint, page: readonly StoredEventRow[], leaves: readonly { hash: Hash; ok: boolean }[]): void {
    if (!this.readModel) return;
    const rows = this.readModel.rows(first, first + BigInt(page.length));
    this.readModelRows += BigInt(rows.length);
    if (this.readModelProblem !== undefined) return;
    for (const row of rows) {
      const j = Number(row.leafIndex - first);
      const held = hashLeaf(row.leaf);
      const leaf = leaves[j]!;
      if (leaf.ok && equalHashes(held, leaf.hash)) continue;
      const treeHash = this.treeLeafHash(row.leafIndex) ?? leaf.hash;
      if (equalHashes(held, treeHash)) continue;
      const eventId = page[j]!.id;
      this.readModelProblem =
        `read model ${this.readModel.file}: its row for leaf ${row.leafIndex} (event ${row.eventId}) hashes to ` +
        `${encodeBase64(held)}, but the tree's leaf ${row.leafIndex}${eventId === row.eventId ? '' : ` (event ${eventId})`} is ` +
        `${encodeBase64(treeHash)}: the read model was changed; \`trailmark projections rebuild\` makes it again from the store`;
      return;
    }
  }

  /** The stored tree's hash of leaf `leafIndex`, when the stored tree holds it and can be read. */
  private treeLeafHash(leafIndex: bigint): Hash | undefined {
    if (!this.stored || leafIndex >= this.storedSize) return undefined;
    try {
      return this.stored.leafHash(leafIndex);
    } catch {
      return undefined; // reported with the leaf
    }
  }

  /** Rows past the last leaf are another log's, or one this log no longer is. */
  private checkReadModelEnd(events: bigint): void {
    if (!this.readModel || this.readModelProblem !== undefined) return;
    const end = this.readModel.end();
    if (end <= events) return;
    this.readModelProblem =
      `read model ${this.readModel.file}: it holds rows up to leaf ${end - 1n}, but the tree has only ${events} leaves: ` +
      "it is not this log's; `trailmark projections rebuild` makes it again from the store";
  }

  private checkAgainstIndex(leafIndex: bigint, event: StoredEventRow, index: ReadonlyMap<bigint, IndexedLeafRow>): string | undefined {
    const row = index.get(leafIndex);
    if (row === undefined) return 'the ledger index has no entry for this leaf';
    if (row.eventId !== event.id) {
      // Only the first problem is spelled out; the lookup below is for that one.
      if (this.firstLeafProblem !== undefined) return `the ledger index records event ${row.eventId} here`;
      const where = this.reader.positionOf(row.eventId);
      const fate =
        where === undefined
          ? `event ${row.eventId} is no longer in the store (deleted)`
          : `event ${row.eventId} now sits at position ${where} of the store (moved)`;
      return `the ledger index and the tree have event ${row.eventId} as this leaf, but the store has event ${event.id} here: ${fate}`;
    }
    if (row.position !== event.position) {
      return `the ledger index records it at position ${row.position} of the store, but it is at position ${event.position}`;
    }
    return undefined;
  }

  private checkAgainstStoredTree(leafIndex: bigint, leafHash: Hash): string | undefined {
    if (!this.stored) return undefined; // already reported: the stored tree cannot be read
    let storedHash: Hash;
    try {
      storedHash = this.stored.leafHash(leafIndex);
    } catch (error) {
      return `the stored tree cannot give its leaf hash (${messageOf(error)})`;
    }
    if (equalHashes(storedHash, leafHash)) return undefined;
    return (
      `its leaf hash, recomputed from the stored event, is ${encodeBase64(leafHash)}, but the stored tree holds ` +
      `${encodeBase64(storedHash)}: the event's bytes changed after it was sequenced`
    );
  }

  private leafProblem(leafIndex: bigint, eventId: string, what: string): void {
    this.badLeaves++;
    if (this.firstLeafProblem === undefined || leafIndex < this.firstLeafProblem.leafIndex) {
      this.firstLeafProblem = { leafIndex, eventId, what };
    }
  }

  /** The tree and index hold more leaves than the store has identity events: the last ones were deleted. */
  private checkMissingLeaves(events: bigint): void {
    if (this.storedSize !== this.indexedCount) {
      this.otherProblems.push(
        `the stored tree has ${this.storedSize} leaves but the ledger index ${this.indexedCount}: the derived state is damaged`,
      );
    }
    const held = this.storedSize > this.indexedCount ? this.storedSize : this.indexedCount;
    if (held <= events) return;
    const missing = held - events;
    const eventId = this.reader.indexedLeaves(events, 1)[0]?.eventId ?? 'unknown';
    this.badLeaves += missing - 1n; // leafProblem counts the first
    this.leafProblem(
      events,
      eventId,
      `the tree and the ledger index hold ${held} leaves but the store has only ${events} identity events: ` +
        `this event and ${missing - 1n} after it are no longer in the store (deleted)`,
    );
  }

  /** Appends leaf hashes to the rebuilt tree, stopping at each checkpoint's size to check it. */
  private appendAndCheckCheckpoints(hashes: readonly Hash[]): void {
    let start = 0;
    for (;;) {
      while (this.nextCheckpoint && this.nextCheckpoint.size <= this.rebuilt.size) this.checkCheckpoint(this.advanceCheckpoint()!);
      if (start >= hashes.length) return;
      let end = hashes.length;
      if (this.nextCheckpoint) end = Math.min(end, start + Number(this.nextCheckpoint.size - this.rebuilt.size));
      this.rebuilt.appendLeafHashes(hashes.slice(start, end));
      start = end;
      // A consistency proof from the previous checkpoint reads no level-0 tile below its size's.
      const keepFrom = this.previous?.size ?? this.rebuilt.size;
      this.rebuiltTiles.keepLevel0From(Number(keepFrom / BigInt(TILE_WIDTH)));
    }
  }

  private advanceCheckpoint(): StoredCheckpointRow | undefined {
    const current = this.nextCheckpoint;
    const next = this.pendingCheckpoints.next();
    this.nextCheckpoint = next.done ? undefined : next.value;
    return current;
  }

  /** Checks a checkpoint whose size the rebuilt tree has reached, or cannot reach (the store ended before). */
  private checkCheckpoint(row: StoredCheckpointRow): void {
    this.checkpointCount++;
    const previous = this.previous;
    this.previous = { size: row.size, root: row.root as Hash, matched: false };
    if (!this.verifier) {
      this.addCheckpointProblem(row.size, `checkpoint of size ${row.size}: there is no log key to open it with`);
      return;
    }
    let opened: Checkpoint;
    try {
      opened = openCheckpoint(row.note, this.verifier);
    } catch (error) {
      this.addCheckpointProblem(row.size, `checkpoint of size ${row.size}: its signature does not open with the log key (${messageOf(error)})`);
      return;
    }
    if (opened.size !== row.size) {
      this.addCheckpointProblem(row.size, `checkpoint of size ${row.size}: the signed note is for size ${opened.size}, but the store files it under size ${row.size}`);
      return;
    }
    if (!equalHashes(opened.root, row.root)) {
      this.addCheckpointProblem(
        row.size,
        `checkpoint of size ${row.size}: the store files it with root ${encodeBase64(row.root)}, but the signed note says ${encodeBase64(opened.root)}`,
      );
      return;
    }
    this.latest = { size: opened.size, root: opened.root };
    if (row.size > this.rebuilt.size) {
      const events = this.rebuilt.size;
      const eventId = this.reader.indexedLeaves(events, 1)[0]?.eventId;
      this.addCheckpointProblem(
        row.size,
        `checkpoint of size ${row.size}: it covers ${row.size} leaves but the store has only ${events} identity events ` +
          `(first missing leaf: leaf ${events}${eventId ? ` (event ${eventId}, per the ledger index)` : ''})`,
      );
      return;
    }
    const rebuiltRoot = this.rebuilt.root(row.size);
    if (!equalHashes(rebuiltRoot, opened.root)) {
      // Checkpoints come smallest first: the first few are the ones named.
      if (this.rootMismatches.length < CHECKPOINTS_NAMED) {
        this.rootMismatches.push({ size: row.size, signedRoot: opened.root, rebuiltRoot, matchedBelow: this.matchedBelow });
      }
      this.badCheckpoints++;
      return;
    }
    if (previous?.matched) {
      try {
        verifyConsistency(previous.size, row.size, this.rebuilt.proveConsistency(previous.size, row.size), previous.root, opened.root);
      } catch (error) {
        this.addCheckpointProblem(
          row.size,
          `checkpoint of size ${row.size}: it is not consistent with the checkpoint of size ${previous.size} (${messageOf(error)})`,
        );
        return;
      }
    }
    this.previous = { size: row.size, root: opened.root, matched: true };
    this.matchedBelow = row.size;
  }

  private addCheckpointProblem(size: bigint, text: string, count = true): void {
    if (count) this.badCheckpoints++;
    if (!count || this.checkpointProblems.length < CHECKPOINTS_NAMED) this.checkpointProblems.push({ size, text });
  }

  /** Compares a tile of the rebuilt tree with the stored tile of the same place. */
  private compareWithStoredTile(tile: Tile): void {
    const stored = this.storedTiles.readTile({ level: tile.level, index: tile.index });
    if (!stored) return; // a leaf the stored tree lacks is reported with the leaf
    const diff = firstDifferingNode(stored, tile);
    if (!diff) return;
    this.tileDiffs++;
    if (this.firstTileDiff === undefined || closerToFirstLeaf(diff, this.firstTileDiff)) this.firstTileDiff = diff;
  }

  private describeTileDiff(diff: DifferingNode): string {
    const more = this.tileDiffs > 1 ? ` (and ${this.tileDiffs - 1} more tiles differ)` : '';
    return (
      `stored tiles: the node at level ${diff.level}, index ${diff.index} (over ${this.describeLeaves(diff.lo, diff.hi)}) ` +
      `differs from the one the events give${more}`
    );
  }

  /** "root differs from the events", and the narrowest place the evidence allows for the first differing leaf. */
  private describeRootMismatch(mismatch: RootMismatch, first: boolean): string {
    const head = `checkpoint of size ${mismatch.size}: root differs from the events (first differing leaf: `;
    const roots = first ? `; signed root ${encodeBase64(mismatch.signedRoot)}, rebuilt ${encodeBase64(mismatch.rebuiltRoot)}` : '';
    const leaf = this.firstLeafProblem;
    if (leaf && leaf.leafIndex < mismatch.size) return `${head}leaf ${leaf.leafIndex} (event ${leaf.eventId}))${roots}`;
    // The events agree with the stored tree's leaves: the tree was edited to match. The signed roots and the
    // tree's inner nodes narrow down where.
    let lo = mismatch.matchedBelow;
    let hi = mismatch.size;
    const diff = this.firstTileDiff;
    if (diff && diff.lo < hi && diff.hi > lo) {
      if (diff.lo > lo) lo = diff.lo;
      if (diff.hi < hi) hi = diff.hi;
    }
    const where = mismatch.matchedBelow > 0n ? `; the checkpoint of size ${mismatch.matchedBelow} still matches` : '';
    const why = first ? '; the events agree with the leaf hashes the stored tree holds, so the tree was rewritten to match them' : '';
    return `${head}${hi - lo === 1n ? '' : 'one of '}${this.describeLeaves(lo, hi)}${where})${roots}${why}`;
  }

  private describeLeaves(lo: bigint, hi: bigint): string {
    const idAt = (i: bigint): string => this.reader.identityEventIdAt(i) ?? 'missing';
    if (hi - lo === 1n) return `leaf ${lo} (event ${idAt(lo)})`;
    if (hi - lo === 2n) return `leaves ${lo} and ${lo + 1n} (events ${idAt(lo)}, ${idAt(lo + 1n)})`;
    return `leaves ${lo}..${hi - 1n} (events ${idAt(lo)} … ${idAt(hi - 1n)})`;
  }
}
