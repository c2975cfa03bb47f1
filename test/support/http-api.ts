// What the HTTP e2e tests (test/e2e/api-*.test.ts) share: a small client speaking real HTTP
// (global fetch) to a started ledger, event bodies, the error-body shape, and the checks that
// nothing was stored and that every checkpoint and proof served verifies with @trailmark/proofs.
import { createHash } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  asHash,
  decodeBase64,
  hashLeaf,
  openCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
  type Hash,
} from '@trailmark/proofs';
import { DEV_TOKEN, makeDataDir, startLedger, type LedgerProcess } from './ledger-process.js';

export interface Reply<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: T;
}

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export interface ReceiptBody {
  id: string;
  leafIndex: number;
  time: string;
  treeSize?: number;
  proof?: string[];
  checkpoint?: string;
}

export interface ProofBody {
  leafIndex: number;
  treeSize: number;
  leaf: string;
  leafHash: string;
  proof: string[];
  checkpoint: string;
}

export interface StoredEventBody {
  id: string;
  leafIndex: number;
  leaf: string;
  event: Record<string, unknown> & { id: string; tenant: string; time: string; detail?: string };
  detail: Record<string, unknown> | null;
}

/** An HTTP client for one started ledger, with the dev token; `as(undefined)` sends no Authorization header. */
export class Api {
  readonly token: string | undefined;

  constructor(readonly url: string, ...token: [] | [string | undefined]) {
    this.token = token.length === 0 ? DEV_TOKEN : token[0];
  }

  as(token: string | undefined): Api {
    return new Api(this.url, token);
  }

  async request<T = unknown>(
    method: string,
    path: string,
    options: { body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<Reply<T>> {
    const headers: Record<string, string> = {};
    if (this.token !== undefined) headers.authorization = `Bearer ${this.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(options.body);
    }
    Object.assign(headers, options.headers);
    const response = await fetch(`${this.url}${path}`, { method, headers, body });
    const text = await response.text();
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: response.status, headers: response.headers, text, json: json as T };
  }

  get<T = unknown>(path: string, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.request<T>('GET', path, { headers });
  }

  post<T = unknown>(path: string, body: unknown, headers?: Record<string, string>): Promise<Reply<T>> {
    return this.request<T>('POST', path, { body, headers });
  }

  /** The size of the tree the ledger has integrated (GET /health/ready). */
  async treeSize(): Promise<number> {
    const reply = await this.as(undefined).get<{ treeSize: number }>('/health/ready');
    expect(reply.status).toBe(200);
    return reply.json.treeSize;
  }

  /** Records one valid event with the dev token and returns its receipt. */
  async record(event: Record<string, unknown> = loginEvent(), query = ''): Promise<ReceiptBody> {
    const reply = await this.as(DEV_TOKEN).post<ReceiptBody>(`/v1/events${query}`, event);
    if (reply.status !== 201) throw new Error(`recording failed: ${reply.status} ${reply.text}`);
    return reply.json;
  }

  async verifierKey(): Promise<string> {
    const reply = await this.as(undefined).get('/v1/log/key');
    expect(reply.status).toBe(200);
    return reply.text.trim();
  }

  /** The latest signed checkpoint, verified with the served key. */
  async checkpoint(): Promise<{ note: string; checkpoint: Checkpoint }> {
    const reply = await this.as(undefined).get('/v1/log/checkpoint');
    expect(reply.status).toBe(200);
    return { note: reply.text, checkpoint: openCheckpoint(reply.text, await this.verifierKey()) };
  }
}

/** A valid user.login body; `overrides` replace top-level fields. */
export function loginEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant: 'acme',
    action: 'user.login',
    outcome: 'success',
    actor: { type: 'user', id: 'u_1', authMethod: 'password' },
    targets: [{ type: 'user', id: 'u_1' }],
    ...overrides,
  };
}

/** A role.granted body, with a detail (context, changes, metadata, occurredAt). */
export function roleGrantedEvent(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    tenant: 'acme',
    action: 'role.granted',
    outcome: 'success',
    reason: 'ticket OPS-42',
    actor: { type: 'user', id: 'admin_7' },
    targets: [
      { type: 'user', id: 'u_1' },
      { type: 'role', id: 'admin' },
    ],
    occurredAt: '2026-11-22T09:30:00.123Z',
    context: { ip: '203.0.113.7', userAgent: 'Mozilla/5.0', requestId: 'req-1' },
    changes: { before: { roles: ['viewer'] }, after: { roles: ['viewer', 'admin'] } },
    metadata: { ticket: 'T-9001', approvers: ['alice', 'bob'] },
    ...overrides,
  };
}

/** Checks the error body shape and returns it; `field`, when given, must be named in details.field. */
export function expectError(reply: Reply, status: number, code?: string, field?: string): ErrorBody['error'] {
  if (reply.status !== status) throw new Error(`expected ${status}, got ${reply.status}: ${reply.text}`);
  expect(reply.headers.get('content-type')).toMatch(/^application\/json/);
  const body = reply.json as ErrorBody;
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual(['code', 'details', 'message']);
  expect(typeof body.error.code).toBe('string');
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(typeof body.error.details).toBe('object');
  if (code !== undefined) expect(body.error.code).toBe(code);
  if (field !== undefined) {
    expect(body.error.details.field).toBe(field);
    expect(body.error.message).toContain(field);
  }
  return body.error;
}

/**
 * Runs `refused` (a request the ledger must refuse) and proves nothing was stored: the tree
 * size does not move, and the next valid event lands exactly at the size read before.
 */
export async function expectNothingStored<T>(api: Api, refused: () => Promise<T>): Promise<T> {
  const before = await api.treeSize();
  const result = await refused();
  expect(await api.treeSize()).toBe(before);
  const sentinel = await api.record(loginEvent({ actor: { type: 'system', id: 'sentinel' } }));
  expect(sentinel.leafIndex).toBe(before);
  return result;
}

export function fromBase64(text: string): Uint8Array {
  return decodeBase64(text);
}

export function hashesOf(proof: readonly string[]): Hash[] {
  return proof.map((hash) => asHash(decodeBase64(hash)));
}

/** Checks a JSON proof body (GET /v1/events/{id}/proof): signed checkpoint, leaf hash and inclusion. */
export function verifyProofBody(body: ProofBody, verifierKey: string): Checkpoint {
  const checkpoint = openCheckpoint(body.checkpoint, verifierKey);
  expect(checkpoint.size).toBe(BigInt(body.treeSize));
  const leaf = decodeBase64(body.leaf);
  expect(Buffer.from(decodeBase64(body.leafHash))).toEqual(Buffer.from(hashLeaf(leaf)));
  verifyInclusion(BigInt(body.leafIndex), checkpoint.size, hashLeaf(leaf), hashesOf(body.proof), checkpoint.root);
  return checkpoint;
}

/** Checks that `newer` extends `older`, with a consistency proof fetched from the log. */
export async function verifyGrowth(api: Api, older: Checkpoint, newer: Checkpoint): Promise<void> {
  expect(newer.size >= older.size).toBe(true);
  const reply = await api.as(undefined).get<{ from: number; to: number; proof: string[] }>(
    `/v1/log/proof/consistency?from=${older.size}&to=${newer.size}`,
  );
  expect(reply.status).toBe(200);
  expect(reply.json.from).toBe(Number(older.size));
  expect(reply.json.to).toBe(Number(newer.size));
  verifyConsistency(older.size, newer.size, hashesOf(reply.json.proof), older.root, newer.root);
}

/** Hex SHA-256 of a token, as TRAILMARK_TOKENS_FILE stores it. */
export function tokenDigest(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export interface TokenEntry {
  name: string;
  token: string;
  roles: string[];
  tenants: string[];
}

/** Writes a TRAILMARK_TOKENS_FILE into `dir` (only the tokens' SHA-256 are written) and returns its path. */
export function writeTokensFile(dir: string, entries: readonly TokenEntry[]): string {
  const path = join(dir, 'tokens.json');
  writeFileSync(
    path,
    JSON.stringify(entries.map(({ name, token, roles, tenants }) => ({ name, sha256: tokenDigest(token), roles, tenants }))),
  );
  return path;
}

/** One ledger per test file: started in beforeAll, stopped (exit status 0) and removed in afterAll. */
export function sharedLedger(env: (dataDir: string) => Record<string, string> = () => ({})): {
  api(): Api;
  ledger(): LedgerProcess;
} {
  let ledger: LedgerProcess | undefined;
  let cleanup: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const dir = makeDataDir();
    cleanup = dir.cleanup;
    ledger = await startLedger(dir.dataDir, env(dir.dataDir));
  });
  afterAll(async () => {
    try {
      if (ledger) expect(await ledger.stop()).toBe(0);
    } finally {
      await cleanup?.();
    }
  });
  return {
    api: () => new Api(ledger!.url),
    ledger: () => ledger!,
  };
}

/**
 * Sends a request whose headers declare a body of `declared` bytes but writes only `start` of it, over plain
 * node:http; resolves with the answer the service gives without the rest, if it answers.
 */
export function sendPartialBody(
  url: string,
  path: string,
  headers: Record<string, string>,
  declared: number,
  start: string | Uint8Array,
): Promise<Reply & { rawHeaders: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${url}${path}`, { method: 'POST', headers: { ...headers, 'content-length': String(declared) } });
    request.on('response', (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        request.destroy();
        const fetched = new Headers();
        for (const [name, value] of Object.entries(response.headers)) if (typeof value === 'string') fetched.set(name, value);
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode!, headers: fetched, text, json, rawHeaders: response.headers });
      });
    });
    request.on('error', (error) => {
      if (!request.destroyed || !('code' in error && error.code === 'ECONNRESET')) reject(error);
    });
    request.write(start);
  });
}
