// The `trailmark` command as a user runs it: the built bin, in a child process.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cosignerFromSigner, parseSignerKey, parseVerifierKey, verifierKeyFor } from '@trailmark/checkpoint';
import { parseCosignerKey } from '@trailmark/proofs';
import { Api, loginEvent } from '../support/http-api.js';
import { makeDataDir, startLedger } from '../support/ledger-process.js';
import { runTrailmark as trailmark } from '../support/run-cli.js';



test('keygen prints a signer key and the verifier key that belong to it', async () => {
  const run = await trailmark(['keygen', '--origin', 'example.com/log']);
  expect(run.code).toBe(0);
  const signerKey = run.stdout.match(/^TRAILMARK_SIGNING_KEY=(\S+)$/m)?.[1];
  const verifierKey = run.stdout.trim().split('\n').at(-1)!;
  expect(signerKey).toMatch(/^PRIVATE\+KEY\+example\.com\/log\+[0-9a-f]{8}\+/);

  const signer = parseSignerKey(signerKey!);
  const verifier = parseVerifierKey(verifierKey);
  expect(signer.name).toBe('example.com/log');
  expect(verifier.name).toBe('example.com/log');
  expect(verifier.keyId).toBe(signer.keyId);
  expect(verifierKeyFor(signer)).toBe(verifierKey);
  const text = new TextEncoder().encode('example.com/log\n1\nAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n');
  expect(verifier.verify(text, signer.sign(text))).toBe(true);

  // Each run makes a new key.
  const again = await trailmark(['keygen', '--origin', 'example.com/log']);
  expect(again.stdout.trim().split('\n').at(-1)).not.toBe(verifierKey);
});

test('keygen refuses an origin that cannot be a key name', async () => {
  const run = await trailmark(['keygen', '--origin', 'has space']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^trailmark: /);
});

test('--help lists the commands', async () => {
  const run = await trailmark(['--help']);
  expect(run.code).toBe(0);
  for (const command of ['serve', 'verify', 'projections', 'keygen']) expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
});

test('verify --help documents --data-dir and --key', async () => {
  const run = await trailmark(['verify', '--help']);
  expect(run.code).toBe(0);
  expect(run.stdout).toContain('--data-dir <dir>');
  expect(run.stdout).toContain('--key <verifier key>');
});

test('verify on a data dir that does not exist exits 2 and says so', async () => {
  const run = await trailmark(['verify', '--data-dir', '/nonexistent/trailmark-data']);
  expect(run.code).toBe(2);
  expect(run.stdout).toBe('');
  expect(run.stderr).toBe('trailmark: no data dir at /nonexistent/trailmark-data\n');
});

test('verify on a directory without ledger.db exits 2 and says so', async () => {
  const { dataDir, cleanup } = makeDataDir();
  try {
    const run = await trailmark(['verify', '--data-dir', dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no ledger.db in ${dataDir}`);
  } finally {
    await cleanup();
  }
});

test('verify on a ledger.db that is not a database exits 2', async () => {
  const { dataDir, cleanup } = makeDataDir();
  try {
    writeFileSync(join(dataDir, 'ledger.db'), 'not a database, just some text that is long enough to look like a header '.repeat(20));
    const run = await trailmark(['verify', '--data-dir', dataDir]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^trailmark: .*ledger\.db/);
  } finally {
    await cleanup();
  }
});

test('verify refuses a --key that is not a verifier key: exit 2', async () => {
  const { dataDir, cleanup } = makeDataDir();
  try {
    writeFileSync(join(dataDir, 'ledger.db'), '');
    const run = await trailmark(['verify', '--data-dir', dataDir, '--key', 'not-a-key']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^trailmark: --key is not a verifier key/);
  } finally {
    await cleanup();
  }
});

test('an unknown command exits 2', async () => {
  const run = await trailmark(['frobnicate']);
  expect(run.code).toBe(2);
  expect(run.stderr).toMatch(/^trailmark: unknown command/);
});

test('projections rebuild projects the stopped ledger again: the same search answers, and it says how many events', async () => {
  const { dataDir, cleanup } = makeDataDir();
  try {
    let ledger = await startLedger(dataDir);
    const api = new Api(ledger.url);
    for (let i = 0; i < 12; i++) await api.record(loginEvent({ actor: { type: 'user', id: `u_${i % 3}` }, targets: [{ type: 'user', id: `u_${i % 3}` }] }));
    const before = (await api.get<{ events: { leafIndex: number }[] }>('/v1/events?tenant=acme&actor=u_1&action=user.login')).json.events;
    expect(before).toHaveLength(4);
    expect(await ledger.stop()).toBe(0);
    rmSync(join(dataDir, 'projections.db'));

    const run = await trailmark(['projections', 'rebuild'], { TRAILMARK_DATA_DIR: dataDir });
    expect([run.code, run.stderr]).toEqual([0, expect.stringMatching(/^trailmark: projected \d+ events in [\d.]+ s\n$/)]);
    // 12 logins plus the recorded read of the search above.
    expect(run.stderr).toContain('projected 13 events');

    ledger = await startLedger(dataDir);
    const after = (await new Api(ledger.url).get<{ events: { leafIndex: number }[] }>('/v1/events?tenant=acme&actor=u_1&action=user.login')).json.events;
    expect(after).toEqual(before);
    expect(await ledger.stop()).toBe(0);
  } finally {
    await cleanup();
  }
});

test('witness keygen prints a witness key and its cosignature/v1 vkey; witness serve needs its logs', async () => {
  const run = await trailmark(['witness', 'keygen', '--name', 'witness.example.com/w1']);
  expect(run.code).toBe(0);
  const signerKey = run.stdout.match(/^TRAILMARK_WITNESS_KEY=(\S+)$/m)![1]!;
  const vkey = run.stdout.trim().split('\n').at(-1)!;
  expect(parseCosignerKey(vkey)).toMatchObject({ name: 'witness.example.com/w1' });
  expect(cosignerFromSigner(parseSignerKey(signerKey)).vkey).toBe(vkey);

  const serve = await trailmark(['witness', 'serve']);
  expect(serve.code).toBe(2);
  expect(serve.stderr).toMatch(/^trailmark: give the logs to witness/);
  const noLogs = await trailmark(['witness', 'serve', '--logs', '/nonexistent/logs.policy']);
  expect(noLogs.code).toBe(2);
  expect(noLogs.stderr).toMatch(/--logs \/nonexistent\/logs\.policy: cannot read it/);
});
