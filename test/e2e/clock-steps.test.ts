// Steps of the wall clock (issue 13, item 15): the ledger process runs with its Date shifted by a preload
// module (test/support/clock-shift.mjs) that reads the shift from a file this test rewrites. Server time
// follows the monotonic clock anchored at start; a step beyond TRAILMARK_CLOCK_STEP_MS (5 s by default)
// is reported (/health/ready degraded, trailmark_clock_skew_seconds, a warning in the log) and not
// followed, either way; and one event stamped by a clock ten years ahead fixes no floor after a restart.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { Api, loginEvent } from '../support/http-api.js';
import { makeDataDir, startLedger, type LedgerProcess } from '../support/ledger-process.js';

const PRELOAD = pathToFileURL(fileURLToPath(new URL('../support/clock-shift.mjs', import.meta.url))).href;
const TEN_YEARS_MS = 10 * 365.25 * 86_400_000;
const HOUR_MS = 3_600_000;
const DAY_US = 86_400_000_000n;

interface Ready {
  status: string;
  clock: { status: string; skewSeconds: number; boundSeconds: number };
}

let work: string;
let shiftFile: string;
let dir: ReturnType<typeof makeDataDir>;
let ledger: LedgerProcess | undefined;

const shiftClock = (ms: number) => writeFileSync(shiftFile, String(ms));
const start = () => startLedger(dir.dataDir, { NODE_OPTIONS: `--import=${PRELOAD}`, TRAILMARK_TEST_CLOCK_SHIFT_FILE: shiftFile });
const micros = (time: string) => BigInt(Date.parse(time.slice(0, 19) + 'Z')) * 1000n + BigInt(time.slice(20, 26));

async function stamp(api: Api): Promise<bigint> {
  return micros((await api.record(loginEvent())).time);
}

async function ready(api: Api): Promise<Ready> {
  const reply = await api.as(undefined).get<Ready>('/health/ready');
  expect(reply.status).toBe(200);
  return reply.json;
}

async function skewMetric(api: Api): Promise<number> {
  const text = (await api.as(undefined).get('/metrics')).text;
  return Number(/^trailmark_clock_skew_seconds (\S+)$/m.exec(text)![1]);
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trailmark-clock-'));
  shiftFile = join(work, 'shift-ms');
  dir = makeDataDir();
});

afterAll(async () => {
  await ledger?.stop();
  await dir.cleanup();
  rmSync(work, { recursive: true, force: true });
});

test('a step of the wall clock ten years ahead, then an hour behind, moves server time neither way, and is reported', async () => {
  shiftClock(0);
  ledger = await start();
  const api = new Api(ledger.url);
  const first = await stamp(api);
  expect(await ready(api)).toMatchObject({ status: 'ready', clock: { status: 'ok', skewSeconds: 0, boundSeconds: 5 } });

  shiftClock(TEN_YEARS_MS);
  const afterForward = await stamp(api);
  expect(afterForward).toBeGreaterThan(first);
  expect(afterForward - first).toBeLessThan(DAY_US); // not 2036
  const forward = await ready(api);
  expect(forward.status).toBe('degraded');
  expect(forward.clock.status).toBe('stepped');
  expect(forward.clock.skewSeconds).toBeGreaterThan(TEN_YEARS_MS / 1000 - 86_400);
  expect(await skewMetric(api)).toBeGreaterThan(TEN_YEARS_MS / 1000 - 86_400);

  shiftClock(-HOUR_MS);
  const afterBack = await stamp(api);
  expect(afterBack).toBeGreaterThan(afterForward);
  expect(afterBack - first).toBeLessThan(DAY_US);
  const back = await ready(api);
  expect(back.status).toBe('degraded');
  expect(back.clock.skewSeconds).toBeLessThan(-3_600 + 60);
  expect(await skewMetric(api)).toBeLessThan(-3_600 + 60);

  shiftClock(0);
  const afterRecovery = await stamp(api);
  expect(afterRecovery).toBeGreaterThan(afterBack);
  expect(await ready(api)).toMatchObject({ status: 'ready', clock: { status: 'ok', skewSeconds: 0 } });
  expect(await skewMetric(api)).toBe(0);
  expect(ledger.output()).toMatch(/wall clock stepped .* ahead of server time/);
  expect(ledger.output()).toMatch(/wall clock stepped .* behind server time/);
  expect(ledger.output()).toMatch(/back within the step bound/);
});

test('an event stamped by a clock ten years ahead fixes no floor: after a restart on a right clock, times are today\'s', async () => {
  expect(await ledger!.stop()).toBe(0);
  // The process starts on a wrong clock: nothing to compare it with, so it stamps 2036.
  shiftClock(TEN_YEARS_MS);
  ledger = await start();
  const wrong = await stamp(new Api(ledger.url));
  expect(await ledger.stop()).toBe(0);

  shiftClock(0);
  ledger = await start();
  const api = new Api(ledger.url);
  const times = [await stamp(api), await stamp(api), await stamp(api)];
  const now = BigInt(Date.now()) * 1000n;
  expect(wrong - now).toBeGreaterThan(BigInt(TEN_YEARS_MS - 86_400_000) * 1000n);
  for (const time of times) expect(time < now + DAY_US && time > now - DAY_US).toBe(true);
  expect(times[1]! > times[0]! && times[2]! > times[1]!).toBe(true);
  expect(ledger.output()).toMatch(/newest stored event is stamped .* ahead of the wall clock/);
});
