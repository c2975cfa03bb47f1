import { formatServerTime, parseServerTime, ServerClock } from '@trailmark/domain';

const FORMAT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const T0 = 1_795_340_400_123_456n; // 2026-11-22T09:40:00.123456Z

function expectStrictlyIncreasing(times: string[]): void {
  times.forEach((time) => expect(time).toMatch(FORMAT));
  const micros = times.map(parseServerTime);
  for (let i = 1; i < micros.length; i++) expect(micros[i]! > micros[i - 1]!).toBe(true);
  // Fixed width makes string order equal time order.
  expect([...times].sort()).toEqual(times);
}

describe('ServerClock', () => {
  test('formats RFC 3339 UTC with exactly six fractional digits', () => {
    expect(formatServerTime(T0)).toBe('2026-11-22T09:40:00.123456Z');
    expect(formatServerTime(0n)).toBe('1970-01-01T00:00:00.000000Z');
    expect(formatServerTime(1_000_007n)).toBe('1970-01-01T00:00:01.000007Z');
    expect(parseServerTime('2026-11-22T09:40:00.123456Z')).toBe(T0);
    expect(() => parseServerTime('2026-11-22T09:40:00.123Z')).toThrow(RangeError);
    expect(() => parseServerTime('2026-02-30T09:40:00.123456Z')).toThrow(RangeError);
  });

  test('is strictly increasing under a frozen time source', () => {
    const clock = new ServerClock({ source: () => T0 });
    const times = Array.from({ length: 5_000 }, () => clock.now());
    expect(times[0]).toBe('2026-11-22T09:40:00.123456Z');
    expect(times[1]).toBe('2026-11-22T09:40:00.123457Z');
    expect(times.at(-1)).toBe(formatServerTime(T0 + 4_999n));
    expectStrictlyIncreasing(times);
  });

  test('keeps advancing by 1 µs while the source steps back, then follows it again', () => {
    const readings = [T0, T0 - 5_000_000n, T0 - 1n, T0 + 1n, T0 + 10n];
    const clock = new ServerClock({ source: () => readings.shift()! });
    const times = Array.from({ length: 5 }, () => clock.now());
    expect(times.map(parseServerTime)).toEqual([T0, T0 + 1n, T0 + 2n, T0 + 3n, T0 + 10n]);
    expectStrictlyIncreasing(times);
  });

  test('continues after a time given at start (e.g. the newest stored event)', () => {
    const clock = new ServerClock({ source: () => T0, after: formatServerTime(T0 + 100n) });
    expect(clock.now()).toBe(formatServerTime(T0 + 101n));
  });

  test('the wall-clock source is strictly increasing and reads Unix time', () => {
    const clock = new ServerClock();
    const before = BigInt(Date.now()) * 1000n;
    const times = Array.from({ length: 20_000 }, () => clock.now());
    const after = BigInt(Date.now()) * 1000n;
    expectStrictlyIncreasing(times);
    // Each call may run at most 1 µs ahead of the source, so the last time is bounded by the count of calls.
    expect(parseServerTime(times[0]!)).toBeGreaterThanOrEqual(before);
    expect(parseServerTime(times.at(-1)!)).toBeLessThan(after + 1000n + BigInt(times.length));
  });
});

describe('steps of the wall clock', () => {
  // A machine whose wall clock the test sets; its monotonic clock advances only by `tick`.
  function machine(startWallMs: number) {
    let monotonicMs = 1_000;
    let wallShiftMs = 0;
    const readings = { monotonicMs: () => monotonicMs, wallMs: () => startWallMs + monotonicMs - 1_000 + wallShiftMs };
    return {
      readings,
      tick: (ms: number) => (monotonicMs += ms),
      step: (ms: number) => (wallShiftMs += ms),
    };
  }
  const WALL = Number(T0 / 1000n);
  const T = BigInt(WALL) * 1000n; // the start, in whole milliseconds
  const TEN_YEARS_MS = 10 * 365.25 * 86_400_000;

  test('a step beyond the bound, ahead or back, is reported and not followed; back within it, the clock follows the wall again', () => {
    const host = machine(WALL);
    const steps: unknown[] = [];
    const clock = new ServerClock({ readings: host.readings, stepBoundMs: 5_000, onStep: (step) => steps.push(step) });
    const times = [clock.now()];
    host.tick(10);
    host.step(TEN_YEARS_MS);
    times.push(clock.now());
    expect(clock.status()).toEqual({ stepped: true, skewSeconds: TEN_YEARS_MS / 1000, boundSeconds: 5 });
    host.tick(10);
    host.step(-TEN_YEARS_MS - 3_600_000); // now an hour behind
    times.push(clock.now());
    expect(clock.status().skewSeconds).toBe(-3_600);
    host.tick(10);
    host.step(3_600_000 + 2_000); // 2 s ahead: within the bound, followed
    times.push(clock.now());
    expect(clock.status()).toEqual({ stepped: false, skewSeconds: 0, boundSeconds: 5 });
    expect(times.map(parseServerTime)).toEqual([T, T + 10_000n, T + 20_000n, T + 2_030_000n]);
    expectStrictlyIncreasing(times);
    expect(steps).toEqual([
      { kind: 'wall-clock', skewMs: TEN_YEARS_MS, boundMs: 5_000 },
      { kind: 'wall-clock', skewMs: -3_600_000, boundMs: 5_000 },
      { kind: 'wall-clock', skewMs: 0, boundMs: 5_000 },
    ]);
  });

  test('a stored time more than the bound ahead is not a floor (reported); within the bound it is', () => {
    const steps: unknown[] = [];
    const host = machine(WALL);
    const future = formatServerTime(T + BigInt(TEN_YEARS_MS) * 1000n);
    const clock = new ServerClock({ readings: host.readings, after: future, onStep: (step) => steps.push(step) });
    expect(clock.now()).toBe(formatServerTime(T));
    expect(steps).toEqual([{ kind: 'stored-time', skewMs: -TEN_YEARS_MS, boundMs: 5_000 }]);
    const near = new ServerClock({ readings: host.readings, after: formatServerTime(T + 4_000_000n) });
    expect(near.now()).toBe(formatServerTime(T + 4_000_001n));
  });
});
