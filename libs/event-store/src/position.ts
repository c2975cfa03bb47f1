/**
 * A place in the store's global order (the "$all" stream). Opaque to callers: only compare positions with
 * `comparePositions` and hand them back to the store. The two parts follow EventStoreDB's transaction-log
 * addresses; an adapter without that distinction (SQLite) sets both to the same value.
 */
export interface Position {
  readonly commit: bigint;
  readonly prepare: bigint;
}

/** Total order of positions: by `commit`, then by `prepare`. Negative, zero or positive, like a sort comparator. */
export function comparePositions(a: Position, b: Position): number {
  if (a.commit !== b.commit) return a.commit < b.commit ? -1 : 1;
  if (a.prepare !== b.prepare) return a.prepare < b.prepare ? -1 : 1;
  return 0;
}
