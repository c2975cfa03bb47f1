import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  addCheckpoint,
  cosignerFromSigner,
  generateNoteKey,
  parseSignerKey,
  SqliteWitnessStateStore,
  type Cosigner,
  type WitnessedLog,
} from '@trailmark/checkpoint';
import { MAX_NOTE_SIZE, parseWitnessPolicy } from '@trailmark/proofs';
import type { Logger } from 'pino';
import { ConfigError } from '../config.js';

export const WITNESS_KEY_FILE = 'witness.key';
export const WITNESS_DB_FILE = 'witness.db';
export const DEFAULT_WITNESS_NAME = 'trailmark.local/witness';
/** old line, 63 proof lines and the note: nothing legitimate is larger. */
const MAX_REQUEST_BYTES = MAX_NOTE_SIZE + 8 * 1024;

export interface WitnessServerOptions {
  /** a C2SP tlog-policy file whose `log` lines are the logs this witness cosigns for */
  logsFile: string;
  dataDir: string;
  /** a Go note signer key; unset: `<dataDir>/witness.key`, made on first start with `name` */
  key: string | undefined;
  name: string;
  host: string;
  port: number;
  logger: Logger;
}

export interface RunningWitness {
  url: string;
  cosigner: Cosigner;
  server: Server;
  close(): Promise<void>;
}

/**
 * `trailmark witness serve`: a C2SP tlog-witness over HTTP. POST <prefix>/add-checkpoint (the prefix is
 * the server's root), plus GET /key (its cosigner vkey) and GET /health/live. Its state, the latest
 * checkpoint it cosigned per log, is in `<dataDir>/witness.db`.
 */
export async function serveWitness(options: WitnessServerOptions): Promise<RunningWitness> {
  const logs = loadWitnessedLogs(options.logsFile);
  mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  const cosigner = cosignerFromSigner(loadWitnessKey(options.dataDir, options.key, options.name));
  const state = new SqliteWitnessStateStore(new Database(join(options.dataDir, WITNESS_DB_FILE)));
  const { logger } = options;
  const server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/health/live') return void response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"live"}');
    if (request.method === 'GET' && path === '/key') return void response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' }).end(`${cosigner.vkey}\n`);
    if (path !== '/add-checkpoint') return void response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    if (request.method !== 'POST') return void response.writeHead(405, { allow: 'POST', 'content-type': 'text/plain; charset=utf-8' }).end('POST only\n');
    readBody(request).then(
      (body) => {
        if (body === undefined) return void response.writeHead(413, { 'content-type': 'text/plain; charset=utf-8' }).end('request too large\n');
        const answer = addCheckpoint(body, {
          logs,
          cosigner,
          state,
          onRefused: (origin, refused, checkpoint) =>
            logger.warn(
              { origin, status: refused.status, size: String(checkpoint.size), answer: refused.body.trim(), request: new TextDecoder().decode(body) },
              'witness refused a signed checkpoint: kept here as possible evidence of a log that forked',
            ),
        });
        response.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
      },
      (error: unknown) => {
        logger.error({ err: error }, 'witness request failed');
        if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        response.end('internal error\n');
      },
    );
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${port}`;
  return {
    url,
    cosigner,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          state.close();
          resolve();
        });
      }),
  };
}

/** The `log` lines of a policy file: origin (the key's name) and its keys. */
export function loadWitnessedLogs(file: string): WitnessedLog[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`--logs ${file}: cannot read it: ${(error as Error).message}`);
  }
  let logs;
  try {
    logs = parseWitnessPolicy(text, { quorumOptional: true }).logs;
  } catch (error) {
    throw new ConfigError(`--logs ${file}: ${(error as Error).message}`);
  }
  if (logs.length === 0) throw new ConfigError(`--logs ${file} names no log ("log <vkey>" lines)`);
  const byOrigin = new Map<string, WitnessedLog>();
  for (const { verifier } of logs) {
    const log = byOrigin.get(verifier.name) ?? { origin: verifier.name, verifiers: [] };
    log.verifiers.push(verifier);
    byOrigin.set(verifier.name, log);
  }
  return [...byOrigin.values()];
}

function loadWitnessKey(dataDir: string, configured: string | undefined, name: string) {
  const file = join(dataDir, WITNESS_KEY_FILE);
  let signerKey = configured;
  if (signerKey === undefined && existsSync(file)) signerKey = readFileSync(file, 'utf8').trim();
  if (signerKey === undefined) {
    signerKey = generateNoteKey(name).signerKey;
    writeFileSync(file, `${signerKey}\n`, { mode: 0o600, flag: 'wx' });
  }
  try {
    return parseSignerKey(signerKey);
  } catch (error) {
    throw new ConfigError(`the witness key${configured ? ' (TRAILMARK_WITNESS_KEY)' : ` in ${file}`}: ${(error as Error).message}`);
  }
}

/** The body, or undefined once it passes MAX_REQUEST_BYTES. */
async function readBody(request: IncomingMessage): Promise<Uint8Array | undefined> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of request) {
    length += (chunk as Buffer).length;
    if (length > MAX_REQUEST_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return new Uint8Array(Buffer.concat(chunks));
}
