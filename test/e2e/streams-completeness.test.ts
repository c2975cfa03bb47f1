// A receiver proves it missed nothing: `trailmark-verify stream` on the NDJSON a webhook receiver kept.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loginEvent, sharedLedger, type ReceiptBody } from '../support/http-api.js';
import { runCli } from '../support/run-cli.js';
import { startHttpReceiver, until, type HttpReceiver } from '../support/stream-receivers.js';

const { api } = sharedLedger(() => ({ TRAILMARK_STREAM_ALLOW_PRIVATE: '1', TRAILMARK_STREAM_RETRY_INITIAL_MS: '10', TRAILMARK_STREAM_RETRY_MAX_MS: '100' }));

let dir: string;
let receiver: HttpReceiver;
let file: string;
let keyFile: string;
const receipts: ReceiptBody[] = [];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'trailmark-stream-verify-'));
  file = join(dir, 'received.ndjson');
  keyFile = join(dir, 'log.vkey');
  // One request in three fails: batches are sent again, and the file holds duplicates.
  receiver = await startHttpReceiver({ file, answer: (_request, n) => (n % 3 === 1 ? 500 : 200) });
  await api().post('/v1/tenants/verifyco/streams', {
    name: 'proved',
    sink: { type: 'webhook', url: `${receiver.url}/hook` },
    secret: 'k',
    format: 'ocsf',
    filter: { outcomes: ['failure'] },
    start: { leaf: 0 },
  });
  for (let i = 0; i < 40; i++) {
    const tenant = i % 4 === 0 ? 'elsewhere' : 'verifyco';
    const receipt = await api().record(loginEvent({ tenant, outcome: i % 2 ? 'failure' : 'success', actor: { type: 'user', id: `u_${i}` } }));
    if (tenant === 'verifyco' && i % 2) receipts.push(receipt);
  }
  const last = receipts.at(-1)!.leafIndex;
  await until(() => readFileSync(file, 'utf8').includes(`"sequence":${last},`) && /"to":\d+/.test(readFileSync(file, 'utf8').split('\n').filter(Boolean).at(-1) ?? ''));
  writeFileSync(keyFile, await api().verifierKey());
});

afterAll(async () => {
  await receiver.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the kept file verifies: every failure of the tenant from leaf 0, in the log, no gap', async () => {
  const run = await runCli(['stream', '--key', keyFile, '--from', '0', file]);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(new RegExp(`^OK stream \\S+ of tenant verifyco: leaves \\[0, \\d+\\) complete, ${receipts.length} records in \\d+ batches`));
});

test('a record left out of its batch is named', async () => {
  const lines = readFileSync(file, 'utf8').split('\n');
  const victim = receipts[3]!.id;
  const cut = join(dir, 'cut.ndjson');
  writeFileSync(cut, lines.filter((line) => !line.includes(`"uid":"${victim}"`)).join('\n'));
  const run = await runCli(['stream', '--key', keyFile, cut]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/covers leaves \[\d+, \d+\) with \d+ records; \d+ of them are here/);
});

test('a batch missing from the file is a gap', async () => {
  // Each accepted request is one batch, its records then its trailer: leave out a middle one whole.
  expect(receiver.accepted.length).toBeGreaterThan(2);
  const holed = join(dir, 'holed.ndjson');
  writeFileSync(holed, receiver.accepted.filter((_request, i) => i !== 1).map((request) => request.body).join(''));
  const run = await runCli(['stream', '--key', keyFile, holed]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/leaves \[\d+, \d+\) are in no batch: the receiver missed at least one batch/);
});

test('a changed leaf fails its inclusion proof', async () => {
  const text = readFileSync(file, 'utf8');
  const tampered = join(dir, 'tampered.ndjson');
  const line = text.split('\n').find((candidate) => candidate.includes('"trailmark":{'))!;
  const record = JSON.parse(line) as { unmapped: { trailmark: { leaf: string } } };
  const leaf = Buffer.from(record.unmapped.trailmark.leaf, 'base64').toString('utf8').replace('"failure"', '"success"');
  record.unmapped.trailmark.leaf = Buffer.from(leaf).toString('base64');
  writeFileSync(tampered, text.split(line).join(JSON.stringify(record)));
  const run = await runCli(['stream', '--key', keyFile, tampered]);
  expect(run.code).toBe(1);
  expect(run.stderr).toMatch(/are not in the log's tree|differs from/);
});
