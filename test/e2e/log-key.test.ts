// The key belongs to the log: the ledger starts only with the key that signed its checkpoints, and never makes a
// new key for data that already holds checkpoints.
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { generateNoteKey, parseSignerKey, verifierKeyFor } from '@trailmark/checkpoint';
import { Api, loginEvent } from '../support/http-api.js';
import { makeDataDir, TEST_STORE } from '../support/ledger-process.js';
import { leftoverKiller, refusedStart } from '../support/refused-start.js';

/** Each test starts the ledger several times: a budget no slow machine trips, not a measure of speed. */
const SEVERAL_STARTS_MS = 600_000;

const ledgers = leftoverKiller();
afterEach(() => ledgers.killLeftovers());

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups) await cleanup();
});

/** A data dir whose ledger signed a checkpoint over one event, stopped; and its verifier key. */
async function signedLog(): Promise<{ dataDir: string; verifierKey: string }> {
  const { dataDir, cleanup } = makeDataDir();
  cleanups.push(cleanup);
  const ledger = await ledgers.start(dataDir);
  const api = new Api(ledger.url);
  await api.record(loginEvent(), '?wait=checkpoint');
  const verifierKey = await api.verifierKey();
  expect(await ledger.stop()).toBe(0);
  return { dataDir, verifierKey };
}

test('another TRAILMARK_SIGNING_KEY (same origin) is refused: the message names the checkpoint, the key, and what to do', async () => {
  const { dataDir, verifierKey } = await signedLog();
  const other = generateNoteKey(parseSignerKey(readFileSync(join(dataDir, 'signing.key'), 'utf8').trim()).name);
  const output = await refusedStart(dataDir, { TRAILMARK_SIGNING_KEY: other.signerKey });
  expect(output).toMatch(/^trailmark: refusing to start: the (latest stored checkpoint \(size \d+\)|high-water mark in \S+|checkpoint at revision \d+ of the EventStoreDB stream trailmark-checkpoints) does not open with the log key /m);
  expect(output).toContain(other.verifierKey);
  // The key that did sign, by name and id.
  expect(output).toContain(verifierKey.split('+').slice(0, 2).join('+'));
  expect(output).toContain('The signing key from TRAILMARK_SIGNING_KEY is not the key this log signs with');

  // Its own key still opens it.
  const ledger = await ledgers.start(dataDir);
  expect(await new Api(ledger.url).verifierKey()).toBe(verifierKey);
  expect(await ledger.stop()).toBe(0);
}, SEVERAL_STARTS_MS);

test('a lost signing.key is not replaced by a new one: the start is refused and no key is written', async () => {
  const { dataDir, verifierKey } = await signedLog();
  const keyFile = join(dataDir, 'signing.key');
  const signerKey = readFileSync(keyFile, 'utf8').trim();
  if (TEST_STORE === 'esdb') {
    // On EventStoreDB the data dir is derived state that may be lost whole: the stream still holds the checkpoints.
    for (const name of readdirSync(dataDir)) rmSync(join(dataDir, name), { recursive: true, force: true });
  } else {
    rmSync(keyFile);
  }

  const output = await refusedStart(dataDir);
  expect(output).toContain(`No signing key was found (${keyFile} is missing and TRAILMARK_SIGNING_KEY is unset)`);
  expect(output).toContain("so none was made: put the log's signing.key back, or set TRAILMARK_SIGNING_KEY to it");
  expect(existsSync(keyFile)).toBe(false);

  // With the log's key given back, it starts.
  const ledger = await ledgers.start(dataDir, { TRAILMARK_SIGNING_KEY: signerKey });
  expect(await new Api(ledger.url).verifierKey()).toBe(verifierKey);
  expect(verifierKeyFor(parseSignerKey(signerKey))).toBe(verifierKey);
  expect(await ledger.stop()).toBe(0);
}, SEVERAL_STARTS_MS);

test('a new data dir still gets a key made on first start, kept for the next', async () => {
  const { dataDir, verifierKey } = await signedLog();
  expect(verifierKeyFor(parseSignerKey(readFileSync(join(dataDir, 'signing.key'), 'utf8').trim()))).toBe(verifierKey);
}, SEVERAL_STARTS_MS);
