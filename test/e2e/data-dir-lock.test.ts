// One ledger per data dir: a second `trailmark serve` on a data dir in use exits at once and says why; the lock is
// the kernel's, so an instance killed with SIGKILL does not keep its data dir locked.
import { Api, loginEvent } from '../support/http-api.js';
import { makeDataDir } from '../support/ledger-process.js';
import { leftoverKiller, refusedStart } from '../support/refused-start.js';

/** Each test starts the ledger several times: a budget no slow machine trips, not a measure of speed. */
const SEVERAL_STARTS_MS = 600_000;

const ledgers = leftoverKiller();
afterEach(() => ledgers.killLeftovers());

test('a second instance on the same data dir exits at once naming the data dir; the first keeps serving', async () => {
  const { dataDir, cleanup } = makeDataDir();
  try {
    const first = await ledgers.start(dataDir);
    const api = new Api(first.url);
    await api.record(loginEvent());

    const output = await refusedStart(dataDir);
    expect(output).toContain(`trailmark: another trailmark process is running on the data dir ${dataDir}`);
    expect(output).not.toContain('listening on');

    // The one that holds the data dir is unaffected: it records and answers for what it stored.
    const receipt = await api.record(loginEvent(), '?wait=checkpoint');
    expect(receipt.leafIndex).toBe(1);
    expect((await api.get(`/v1/events/${receipt.id}`)).status).toBe(200);
    expect(await first.stop()).toBe(0);
  } finally {
    await cleanup();
  }
}, SEVERAL_STARTS_MS);

test('after kill -9 the lock is gone: the ledger restarts on its data dir at once, and only one instance runs', async () => {
  const { dataDir, cleanup } = makeDataDir();
  try {
    const killed = await ledgers.start(dataDir);
    const before = await new Api(killed.url).record(loginEvent(), '?wait=checkpoint');
    await killed.kill();

    const restarted = await ledgers.start(dataDir);
    const api = new Api(restarted.url);
    expect((await api.get(`/v1/events/${before.id}`)).status).toBe(200);
    expect(await refusedStart(dataDir)).toContain('another trailmark process is running on the data dir');
    expect(await restarted.stop()).toBe(0);
  } finally {
    await cleanup();
  }
}, SEVERAL_STARTS_MS);
