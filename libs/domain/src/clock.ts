/**
 * Server time for envelopes: RFC 3339 UTC with exactly six fractional digits,
 * "2026-11-22T09:30:00.123456Z", strictly increasing across calls.
 *
 * Leaf order is the store's order and time is stamped in that order, so times
 * must never repeat or go back, even when many events are stamped within one
 * microsecond or the wall clock is stepped back (NTP, VM migration). Then the
 * clock hands out the last value plus 1 µs until the source overtakes it again:
 * times stay unique and ordered, and drift from the source only as long as it is
 * behind.
 */

/** Microseconds since the Unix epoch. */
export type MicrosecondSource = () => bigint;

/**
 * The wall clock at microsecond resolution: Date.now() has only milliseconds, so
 * this follows performance.now() from an anchor taken on the wall clock, and
 * re-anchors whenever the two disagree by more than a millisecond (the wall clock
 * was stepped, or the monotonic clock drifted).
 */
export function systemMicroseconds(): MicrosecondSource {
  let anchorWallMs = Date.now();
  let anchorPerfMs = performance.now();
  return () => {
    const wallMs = Date.now();
    let estimateMs = anchorWallMs + (performance.now() - anchorPerfMs);
    if (Math.abs(estimateMs - wallMs) > 1) {
      anchorWallMs = wallMs;
      anchorPerfMs = performance.now();
      estimateMs = wallMs;
    }
    return BigInt(Math.floor(estimateMs * 1000));
  };
}

const SERVER_TIME = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\.(\d{6})Z$/;

/** "2026-11-22T09:30:00.123456Z" for 1795340400123456n. */
export function formatServerTime(microseconds: bigint): string {
  if (microseconds < 0n) throw new RangeError(`time ${microseconds} µs is before 1970`);
  const milliseconds = microseconds / 1000n;
  const iso = new Date(Number(milliseconds)).toISOString(); // "2026-11-22T09:30:00.123Z"
  if (!/^\d{4}-/.test(iso)) throw new RangeError(`time ${microseconds} µs is outside years 0000-9999`);
  const micros = (microseconds % 1000n).toString().padStart(3, '0');
  return `${iso.slice(0, -1)}${micros}Z`;
}

/** The inverse of formatServerTime. Throws on any other spelling. */
export function parseServerTime(time: string): bigint {
  const match = SERVER_TIME.exec(time);
  const milliseconds = match ? Date.parse(`${match[1]!}Z`) : NaN;
  if (!match || Number.isNaN(milliseconds)) {
    throw new RangeError(`${JSON.stringify(time)} is not a server time like 2026-11-22T09:30:00.123456Z`);
  }
  const parsed = BigInt(milliseconds) * 1000n + BigInt(match[2]!);
  if (formatServerTime(parsed) !== time) throw new RangeError(`${JSON.stringify(time)} is not a valid date`);
  return parsed;
}

export interface ServerClockOptions {
  /** Defaults to the wall clock at microsecond resolution. */
  readonly source?: MicrosecondSource;
  /** The last time already handed out (e.g. the newest stored event's): times continue after it across restarts. */
  readonly after?: string;
}

export class ServerClock {
  private readonly source: MicrosecondSource;
  private last: bigint;

  constructor(options: ServerClockOptions = {}) {
    this.source = options.source ?? systemMicroseconds();
    this.last = options.after === undefined ? -1n : parseServerTime(options.after);
  }

  /** The next server time: the source's, or 1 µs after the previous one if the source has not moved past it. */
  now(): string {
    const current = this.source();
    this.last = current > this.last ? current : this.last + 1n;
    return formatServerTime(this.last);
  }
}
