// The C2SP tlog-tiles read API over real HTTP: the checkpoint, full and partial hash tiles, entry
// bundles (gzip when asked), cache headers, 404 beyond the checkpoint, the configurable prefix.
import { get } from 'node:http';
import { gunzipSync } from 'node:zlib';
import {
  decodeBase64,
  decodeEntryBundle,
  equalHashes,
  followLog,
  hashLeaf,
  openCheckpoint,
  type TileFetcher,
} from '@trailmark/proofs';
import { Api, expectError, sharedLedger, writeTokensFile } from '../support/http-api.js';
import { DEV_TOKEN, makeDataDir, startLedger } from '../support/ledger-process.js';
import { growTo } from '../support/tiles.js';

const shared = sharedLedger();
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Entry bundles hold every tenant's envelopes: an all-tenant token reads them (the dev token is one). */
const AUDITOR = { authorization: `Bearer ${DEV_TOKEN}` };

/** A raw GET (no automatic decompression): status, headers and the bytes as sent. */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

function fetcherFor(api: Api): TileFetcher {
  return async (path) => {
    const reply = await fetch(`${api.url}/log/${path}`, { headers: AUDITOR });
    return reply.status === 404 ? undefined : new Uint8Array(await reply.arrayBuffer());
  };
}

test('the tiles checkpoint is byte for byte the one of /v1/log/checkpoint, public, cached a few seconds', async () => {
  const api = shared.api().as(undefined);
  await growTo(shared.api(), 3);
  const tiles = await api.get('/log/checkpoint');
  const v1 = await api.get('/v1/log/checkpoint');
  expect(tiles.status).toBe(200);
  expect(tiles.text).toBe(v1.text);
  expect(tiles.headers.get('content-type')).toBe('text/plain; charset=utf-8');
  expect(tiles.headers.get('cache-control')).toBe('public, max-age=5');
});

test('full and partial hash tiles and entry bundles at sizes 300 and 600, each hash that of its entry, the tree that of the checkpoint', async () => {
  const api = shared.api().as(undefined);
  await growTo(shared.api(), 299);
  const receipt = await shared.api().record();
  const { checkpoint: at300 } = await growTo(shared.api(), 300);

  const full = await rawGet(`${api.url}/log/tile/0/000`);
  expect(full.status).toBe(200);
  expect(full.headers['content-type']).toBe('application/octet-stream');
  expect(full.headers['cache-control']).toBe(IMMUTABLE);
  expect(full.body.length).toBe(8192);

  const partial = await rawGet(`${api.url}/log/tile/0/001.p/44`);
  expect(partial.status).toBe(200);
  expect(partial.body.length).toBe(44 * 32);
  expect(partial.headers['cache-control']).toBe('public, max-age=60');
  // Level 1 of a tree of 300: one hash, the root of the first 256 leaves.
  expect((await rawGet(`${api.url}/log/tile/1/000.p/1`)).body.length).toBe(32);

  const bundle = await rawGet(`${api.url}/log/tile/entries/000`, { ...AUDITOR, 'accept-encoding': 'identity' });
  expect(bundle.status).toBe(200);
  expect(bundle.headers['content-type']).toBe('application/octet-stream');
  // Behind a credential: for the client's cache, not a shared one.
  expect(bundle.headers['cache-control']).toBe('private, max-age=31536000, immutable');
  expect(bundle.headers['content-encoding']).toBeUndefined();
  const entries = decodeEntryBundle(bundle.body, 256, 'bundle 0');
  entries.forEach((entry, i) => expect(equalHashes(hashLeaf(entry), full.body.subarray(i * 32, (i + 1) * 32))).toBe(true));
  // The entries are the leaves the JSON API serves.
  const last = await shared.api().get<{ leafIndex: number; leaf: string }>(`/v1/events/${receipt.id}`);
  expect(last.json.leafIndex).toBe(299);
  const lastBundle = decodeEntryBundle((await rawGet(`${api.url}/log/tile/entries/001.p/44`, AUDITOR)).body, 44, 'bundle 1');
  expect(Buffer.from(lastBundle[43]!)).toEqual(Buffer.from(decodeBase64(last.json.leaf)));

  expect((await followLog({ fetch: fetcherFor(api), checkpoint: at300 })).entries).toBe(300n);

  const { checkpoint: at600 } = await growTo(shared.api(), 600);
  // The partial tile of the older checkpoint is still served, unchanged; the new size's ones too.
  expect((await rawGet(`${api.url}/log/tile/0/001.p/44`)).body).toEqual(partial.body);
  expect((await rawGet(`${api.url}/log/tile/0/001`)).body.subarray(0, 44 * 32)).toEqual(partial.body);
  expect((await rawGet(`${api.url}/log/tile/0/002.p/88`)).status).toBe(200);
  expect((await rawGet(`${api.url}/log/tile/entries/002.p/88`, AUDITOR)).status).toBe(200);
  expect((await followLog({ fetch: fetcherFor(api), checkpoint: at600 })).entries).toBe(600n);
});

test('entry bundles are gzipped for a client that accepts gzip, and only then', async () => {
  const api = shared.api().as(undefined);
  await growTo(shared.api(), 600);
  const plain = await rawGet(`${api.url}/log/tile/entries/001`, { ...AUDITOR, 'accept-encoding': 'identity' });
  const zipped = await rawGet(`${api.url}/log/tile/entries/001`, { ...AUDITOR, 'accept-encoding': 'gzip, deflate, br' });
  expect(zipped.status).toBe(200);
  expect(zipped.headers['content-encoding']).toBe('gzip');
  expect(zipped.headers.vary).toBe('accept-encoding');
  expect(zipped.body.length).toBeLessThan(plain.body.length);
  expect(gunzipSync(zipped.body)).toEqual(plain.body);
  const refused = await rawGet(`${api.url}/log/tile/entries/001`, { ...AUDITOR, 'accept-encoding': 'gzip;q=0' });
  expect(refused.headers['content-encoding']).toBeUndefined();
  // Hash tiles are random bytes: never compressed.
  expect((await rawGet(`${api.url}/log/tile/0/001`, { 'accept-encoding': 'gzip' })).headers['content-encoding']).toBeUndefined();
});

test('404, not cached, for what lies beyond the latest checkpoint and for paths that name no tile', async () => {
  const api = shared.api();
  const { checkpoint } = await growTo(shared.api(), 600);
  expect(checkpoint.size).toBe(600n);
  for (const path of ['tile/0/002', 'tile/0/002.p/89', 'tile/entries/002.p/89', 'tile/entries/003.p/1', 'tile/1/000.p/3', 'tile/2/000.p/1']) {
    const reply = await api.get(`/log/${path}`);
    expectError(reply, 404, 'not_found');
    expect(reply.headers.get('cache-control')).toBe('no-store');
    expect((reply.json as { error: { details: { treeSize: number } } }).error.details.treeSize).toBe(600);
  }
  for (const path of ['tile/0/1', 'tile/0/x000/001', 'tile/0/000.p/256', 'tile/0/000.p/0', 'tile/64/000', 'tile/data/000']) {
    expectError(await api.get(`/log/${path}`), 404, 'not_found');
  }
});

test('TRAILMARK_TILES_PREFIX moves the whole API', async () => {
  const { dataDir, cleanup } = makeDataDir();
  const ledger = await startLedger(dataDir, { TRAILMARK_TILES_PREFIX: '/transparency/acme', TRAILMARK_PUBLIC_ENTRIES: 'true' });
  try {
    const api = new Api(ledger.url);
    const { note, checkpoint } = await growTo(api, 257);
    const anonymous = api.as(undefined);
    expect((await anonymous.get('/transparency/acme/checkpoint')).text).toBe(note);
    expect((await anonymous.get('/transparency/acme/tile/0/000')).status).toBe(200);
    // TRAILMARK_PUBLIC_ENTRIES: the operator publishes the envelopes, for anyone and any cache.
    const bundle = await anonymous.get('/transparency/acme/tile/entries/001.p/1');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('cache-control')).toBe('public, max-age=60');
    expect((await anonymous.get('/log/checkpoint')).status).toBe(404);
    expect(openCheckpoint(note, await api.verifierKey()).size).toBe(checkpoint.size);
  } finally {
    expect(await ledger.stop()).toBe(0);
    await cleanup();
  }
});

test('entry bundles hold every tenant\'s envelopes: 401 without a token, 403 for a token of some tenants, 200 for an all-tenant auditor', async () => {
  const { dataDir, cleanup } = makeDataDir();
  const tokens = writeTokensFile(dataDir, [
    { name: 'acme-auditor', token: 'acme-auditor-token', roles: ['auditor'], tenants: ['acme'] },
    { name: 'all-reader', token: 'all-reader-token', roles: ['reader'], tenants: ['*'] },
    { name: 'all-auditor', token: 'all-auditor-token', roles: ['auditor'], tenants: ['*'] },
  ]);
  const ledger = await startLedger(dataDir, { TRAILMARK_TOKENS_FILE: tokens });
  try {
    await growTo(new Api(ledger.url), 3);
    const bundle = (token?: string) => rawGet(`${ledger.url}/log/tile/entries/000.p/3`, token === undefined ? {} : { authorization: `Bearer ${token}` });
    expect((await bundle()).status).toBe(401);
    expect((await bundle('acme-auditor-token')).status).toBe(403);
    expect((await bundle('all-reader-token')).status).toBe(403);
    const allowed = await bundle('all-auditor-token');
    expect(allowed.status).toBe(200);
    expect(decodeEntryBundle(allowed.body, 3, 'bundle 0')).toHaveLength(3);
    // The hash tiles and the checkpoint say nothing of any tenant: still anyone's.
    expect((await rawGet(`${ledger.url}/log/tile/0/000.p/3`)).status).toBe(200);
    expect((await rawGet(`${ledger.url}/log/checkpoint`)).status).toBe(200);
  } finally {
    expect(await ledger.stop()).toBe(0);
    await cleanup();
  }
});
