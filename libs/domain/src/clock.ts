/**
 * Server time for envelopes: RFC 3339 UTC with exactly six fractional digits,
 * "2026-11-22T09:30:00.123456Z", strictly increasing across calls.
 *
 * Leaf order is the store's order and time is stamped in that order, so times
 * must never repeat or go back, even when many events are stamped within one
 * microsecond or the wall clock is stepped back (NTP, VM migration). Then the
 * clock hands out the last value plus 1 µs until the source overtakes it again:
 * times stay unique and ordered, and drift from the source only as long as it is
 * behind. The source is the monotonic clock anchored to the wall clock
 * (AnchoredClock), so a step of the wall clock beyond a bound moves neither way:
 * one event stamped by a clock ten years ahead does not make every later event so.
 */

/** Microseconds since the Unix epoch. */
export type MicrosecondSource = () => bigint;

/** The two clocks of the machine, in milliseconds: the wall clock (Date.now) and a monotonic one (performance.now). */
export interface ClockReadings {
  wallMs(): number;
  monotonicMs(): number;
}

const SYSTEM_READINGS: ClockReadings = { wallMs: () => Date.now(), monotonicMs: () => performance.now() };

/** How far the wall clock may step from server time before it is no longer followed (TRAILMARK_CLOCK_STEP_MS). */
export const DEFAULT_CLOCK_STEP_MS = 5_000;

/**
 * Server time at microsecond resolution: the monotonic clock, anchored to the wall clock at start.
 *
 * The wall clock is read beside it. A small disagreement (up to `boundMs`: NTP slewing or a small
 * correction) moves the anchor to the wall clock, so server time stays on UTC. A larger one is a
 * step of the wall clock (a VM resumed, a wrong clock set by hand, ten years ahead or an hour back):
 * server time does not follow it and keeps counting on the monotonic clock, and `skewMs` reports
 * the step until the wall clock comes back within the bound. A restart anchors to the wall clock
 * again, whatever it says.
 */
export class AnchoredClock {
  private anchorWallMs: number;
  private anchorMonotonicMs: number;
  private lastSkewMs = 0;

  constructor(
    private readonly boundMs: number = DEFAULT_CLOCK_STEP_MS,
    private readonly readings: ClockReadings = SYSTEM_READINGS,
  ) {
    this.anchorWallMs = readings.wallMs();
    this.anchorMonotonicMs = readings.monotonicMs();
  }

  /** Microseconds since the Unix epoch. */
  now(): bigint {
    return BigInt(Math.floor(this.readMs() * 1000));
  }

  /** The wall clock minus server time at the last reading, in ms, when it is beyond the bound; 0 within it. */
  get skewMs(): number {
    return this.lastSkewMs;
  }

  /** Reads both clocks now: the skew afterwards is current. */
  readMs(): number {
    const monotonicMs = this.readings.monotonicMs();
    const wallMs = this.readings.wallMs();
    const estimateMs = this.anchorWallMs + (monotonicMs - this.anchorMonotonicMs);
    const skewMs = wallMs - estimateMs;
    if (Math.abs(skewMs) > this.boundMs) {
      this.lastSkewMs = skewMs;
      return estimateMs;
    }
    this.lastSkewMs = 0;
    // Within a millisecond the monotonic clock's finer resolution is kept.
    if (Math.abs(skewMs) <= 1) return estimateMs;
    this.anchorWallMs = wallMs;
    this.anchorMonotonicMs = monotonicMs;
    return wallMs;
  }
}

/** What a ServerClock reports when the wall clock steps beyond the bound, or its start finds the log ahead of it. */
export interface ClockStep {
  /**
   * 'wall-clock': the wall clock is `skewMs` from server time (positive: ahead), beyond the bound (or,
   * with skewMs 0, back within it). 'stored-time': the newest stored event is `-skewMs` ahead of the
   * clock at start; times continue from the clock, not after that event.
   */
  readonly kind: 'wall-clock' | 'stored-time';
  readonly skewMs: number;
  readonly boundMs: number;
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
  /** A time source of its own (tests): no wall clock to compare, so no step is ever reported. */
  readonly source?: MicrosecondSource;
  /** The machine's clocks, for the default source (tests move them). */
  readonly readings?: ClockReadings;
  /** The step of the wall clock that is reported and not followed, in ms (DEFAULT_CLOCK_STEP_MS). */
  readonly stepBoundMs?: number;
  /**
   * The last time already handed out (the newest stored event's): times continue after it across restarts,
   * unless it is more than the bound ahead of the clock: then it was stamped by a clock that was wrong, and
   * following it would stamp every later event wrong too. Times then continue from the clock (reported).
   */
  readonly after?: string;
  /** Told of each step (kind 'wall-clock': each step beyond the bound, and the return within it) and of a stored time ahead. */
  readonly onStep?: (step: ClockStep) => void;
}

/** What /health/ready and the metrics say of the clock. */
export interface ClockStatus {
  readonly stepped: boolean;
  /** The wall clock minus server time, in seconds, while stepped; 0 otherwise. */
  readonly skewSeconds: number;
  readonly boundSeconds: number;
}

export class ServerClock {
  private readonly source: MicrosecondSource;
  private readonly anchored: AnchoredClock | undefined;
  private readonly boundMs: number;
  private readonly onStep: (step: ClockStep) => void;
  private last: bigint;
  private stepped = false;
  private reportedSkewMs = 0;

  constructor(options: ServerClockOptions = {}) {
    this.boundMs = options.stepBoundMs ?? DEFAULT_CLOCK_STEP_MS;
    this.onStep = options.onStep ?? (() => {});
    this.anchored = options.source ? undefined : new AnchoredClock(this.boundMs, options.readings);
    const anchored = this.anchored;
    this.source = options.source ?? (() => anchored!.now());
    this.last = -1n;
    if (options.after !== undefined) {
      const after = parseServerTime(options.after);
      const aheadMs = Number(after - this.source()) / 1000;
      if (aheadMs > this.boundMs) this.onStep({ kind: 'stored-time', skewMs: -aheadMs, boundMs: this.boundMs });
      else this.last = after;
    }
  }

  /** The next server time: the source's, or 1 µs after the previous one if the source has not moved past it. */
  now(): string {
    const current = this.source();
    this.observe();
    this.last = current > this.last ? current : this.last + 1n;
    return formatServerTime(this.last);
  }

  /** Reads the clocks now and says whether the wall clock is stepped from server time. */
  status(): ClockStatus {
    this.anchored?.readMs();
    this.observe();
    return { stepped: this.stepped, skewSeconds: (this.anchored?.skewMs ?? 0) / 1000, boundSeconds: this.boundMs / 1000 };
  }

  /** Reports entering and leaving the stepped state, and each further step beyond the bound while in it. */
  private observe(): void {
    const skewMs = this.anchored?.skewMs ?? 0;
    const stepped = skewMs !== 0;
    if (stepped === this.stepped && (!stepped || Math.abs(skewMs - this.reportedSkewMs) <= this.boundMs)) return;
    this.stepped = stepped;
    this.reportedSkewMs = skewMs;
    this.onStep({ kind: 'wall-clock', skewMs, boundMs: this.boundMs });
  }
}
