// A full disk (issue 13, item 14), on a real filesystem: the data dir lives on a small tmpfs that the test fills.
// While writes fail, /health/ready answers 503 and ingest is refused; once space returns, ingest resumes without a
// restart. On the embedded store the append itself fails (nothing is stored); on EventStoreDB the append commits
// on the server and integrating it into the local tree fails: the answer lists the ids, and a retry by id finds
// the event once the sequencer has caught up again.
//
// Mounting needs root (CAP_SYS_ADMIN); where it is refused, the tests are skipped with a message.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Api, expectError, loginEvent, type ReceiptBody } from '../support/http-api.js';
import { startLedger, TEST_STORE, type LedgerProcess } from '../support/ledger-process.js';
import { until } from '../support/budgets.js';
import { eventStoreDBOf } from '../support/ledger-process.js';

const FILESYSTEM_SIZE = '64m';

function mountTmpfs(): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'trailmark-full-disk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${FILESYSTEM_SIZE}`, 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    console.warn(`disk-full tests skipped: cannot mount a tmpfs here (${(error as Error).message.split('\n')[0]})`);
    return undefined;
  }
}

const mountPoint = mountTmpfs();
const describeOnTmpfs = mountPoint === undefined ? describe.skip : describe;

/** Fills the filesystem to the last byte with one file; returns its path. */
function fillUp(dir: string): string {
  const path = join(dir, 'filler');
  const fd = openSync(path, 'w');
  try {
    for (const size of [1 << 20, 1 << 12, 1]) {
      const block = Buffer.alloc(size, 0x55);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      }
    }
  } finally {
    closeSync(fd);
  }
  return path;
}

describeOnTmpfs('a full disk', () => {
  let ledger: LedgerProcess;
  let api: Api;
  const dataDir = join(mountPoint ?? '', 'data');

  beforeAll(async () => {
    ledger = await startLedger(dataDir);
    api = new Api(ledger.url);
  });

  afterAll(async () => {
    try {
      expect(await ledger.stop()).toBe(0);
    } finally {
      await (TEST_STORE === 'esdb' ? eventStoreDBOf(dataDir).then((double) => double.close()) : Promise.resolve());
      execFileSync('umount', [mountPoint!]);
      rmSync(mountPoint!, { recursive: true, force: true });
    }
  });

  const ready = async () => (await api.as(undefined).get('/health/ready')).status;

  test('while writes fail, ready answers 503 and nothing is acknowledged; with space back, ingest resumes without a restart', async () => {
    const first = await api.record(loginEvent(), '?wait=checkpoint');
    expect(first.leafIndex).toBe(0);
    const filler = fillUp(mountPoint!);

    const id = '01a2f000-0000-7000-8000-00000000d15c';
    const refused = await api.post<ReceiptBody>('/v1/events', loginEvent({ id }));
    if (TEST_STORE === 'sqlite') {
      // The append itself could not commit: nothing is stored.
      expectError(refused, 503, 'store_unavailable');
      expect(refused.text).toMatch(/did not commit/);
    } else {
      // The append committed on EventStoreDB; the local tree could not take it: the answer says so, with the ids.
      const error = expectError(refused, 503, 'unavailable');
      expect(error.message).toMatch(/may be stored/);
      expect(error.details.ids).toEqual([id]);
    }
    expect(await ready()).toBe(503);
    // Still full: still refused, still not ready.
    expectError(await api.post('/v1/events', loginEvent()), 503);
    expect(await ready()).toBe(503);

    rmSync(filler);
    if (TEST_STORE === 'esdb') {
      // The sequencer retries on its own (with backoff) and catches up; no request is needed for that.
      await until(async () => (await ready()) === 200, 'ready to answer 200 again', 50);
    }
    // The same request again (same id): on the embedded store it is stored now; on EventStoreDB it was stored, and
    // the retry answers the receipt of the event already in the log.
    const retried = await api.post<ReceiptBody>('/v1/events', loginEvent({ id }));
    expect([retried.status, retried.json.id, retried.json.leafIndex]).toEqual([TEST_STORE === 'sqlite' ? 201 : 200, id, 1]);
    expect(await ready()).toBe(200);
    const next = await api.record(loginEvent(), '?wait=checkpoint');
    expect(next.leafIndex).toBe(2);
    expect(await api.treeSize()).toBe(3);
  });
});
