// Go's golang.org/x/mod/sumdb/tlog reads a live ledger's tiles API (test/go/tiles/main.go: a
// TileHashReader over an HTTP TileReader, authenticated against the signed checkpoint) and proves
// inclusion and consistency from our tiles alone, at sizes that are and are not multiples of 256;
// tlog.ReadTileData gives, for each level-0 tile, the hashes of the entries of its bundle. Against a
// copy with one changed tile, Go refuses the tiles. Skipped, with a warning, without Go.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encodeBase64 } from '@trailmark/proofs';
import { buildGoInterop, describeWithGo, warnIfGoMissing, type GoInterop } from './support/go-interop.js';
import { Api, sharedLedger } from './support/http-api.js';
import { runTrailmark } from './support/run-cli.js';
import { growTo, serveDirectory } from './support/tiles.js';

warnIfGoMissing('Go tiles interop tests');

interface GoTilesAnswer {
  error?: string;
  size: number;
  root: string;
  treeHash: string;
  records: { index: number; ok: boolean; error: string }[] | null;
  trees: { size: number; ok: boolean; error: string }[] | null;
  tiles: number;
}

const TILES_SOURCE = fileURLToPath(new URL('./go/tiles', import.meta.url));

describeWithGo('Go sumdb/tlog over the tiles API', () => {
  // Go reads the entry bundles as an outsider would: this log publishes them.
  const shared = sharedLedger(() => ({ TRAILMARK_PUBLIC_ENTRIES: 'true' }));
  let program: GoInterop | undefined;

  beforeAll(() => {
    program = buildGoInterop(TILES_SOURCE);
  });

  afterAll(() => program?.cleanup());

  /** Runs the Go checker asynchronously: this process may be the one serving the tiles. */
  function goCheck(prefix: string, verifierKey: string, indexes: number[], oldTrees: { size: bigint; root: Uint8Array }[]): Promise<GoTilesAnswer> {
    const child = spawn(program!.binary, [], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.stdin.end(JSON.stringify({ prefix, verifierKey, indexes, oldTrees: oldTrees.map((tree) => ({ size: Number(tree.size), root: encodeBase64(tree.root) })) }));
    return new Promise((resolve, reject) => {
      child.on('close', (code) => (code === 0 ? resolve(JSON.parse(stdout) as GoTilesAnswer) : reject(new Error(`go tiles exited ${code}: ${stderr}`))));
    });
  }

  test('inclusion and consistency proven by Go from our tiles at sizes 256, 700 and 1024', async () => {
    const api: Api = shared.api();
    const key = await api.verifierKey();
    const prefix = `${api.url}/log/`;
    const seen: { size: bigint; root: Uint8Array }[] = [];
    for (const [size, indexes] of [
      [256, [0, 100, 255]],
      [700, [0, 255, 256, 511, 512, 699]],
      [1024, [0, 700, 1023]],
    ] as const) {
      const { checkpoint } = await growTo(api, size);
      const answer = await goCheck(prefix, key, [...indexes], seen);
      expect(answer.error).toBeUndefined();
      expect(answer.size).toBe(size);
      expect(answer.treeHash).toBe(encodeBase64(checkpoint.root));
      expect(answer.records).toEqual(indexes.map((index) => ({ index, ok: true, error: '<nil>' })));
      expect(answer.trees ?? []).toEqual(seen.map((tree) => ({ size: Number(tree.size), ok: true, error: '<nil>' })));
      expect(answer.tiles).toBe(Math.ceil(size / 256));
      seen.push({ size: checkpoint.size, root: checkpoint.root });
    }
  });

  test('a copy with a changed tile: Go refuses it', async () => {
    const api = shared.api();
    await growTo(api, 1024);
    const work = mkdtempSync(join(tmpdir(), 'trailmark-go-tiles-'));
    try {
      const out = join(work, 'tiles');
      expect((await runTrailmark(['tiles', 'export', '--out', out, '--data-dir', shared.ledger().dataDir])).code).toBe(0);
      const host = await serveDirectory(out);
      try {
        const key = await api.verifierKey();
        const clean = await goCheck(`${host.url}/`, key, [5], []);
        expect(clean.error).toBeUndefined();
        const tile = readFileSync(join(out, 'tile/1/000.p/4'));
        tile[33]! ^= 1;
        writeFileSync(join(out, 'tile/1/000.p/4'), tile);
        const refused = await goCheck(`${host.url}/`, key, [5], []);
        expect(refused.error).toMatch(/downloaded inconsistent tile/);
      } finally {
        await host.close();
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
