import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { encodeBase64 } from '@trailmark/proofs';
import { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';
import { base64Hashes, jsonNumber, parseCount } from './json.js';
import { Public } from './auth/requires-role.decorator.js';
import { servedCheckpoint } from './served-checkpoint.js';

/** What anyone may fetch to check the log: checkpoints, the key, proofs. No credentials. */
@Public()
@Controller('v1/log')
export class TransparencyLogController {
  constructor(private readonly core: LedgerCore) {}

  @Get('checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'no-store')
  checkpoint(@Res({ passthrough: true }) reply: FastifyReply): string {
    return servedCheckpoint(this.core, reply).note;
  }

  @Get('key')
  @Header('content-type', 'text/plain; charset=utf-8')
  key(): string {
    return `${this.core.verifierKey}\n`;
  }

  @Get('proof/consistency')
  consistency(@Query('from') fromParam: unknown, @Query('to') toParam: unknown): object {
    const from = required(parseCount(fromParam, 'from'), 'from');
    const to = required(parseCount(toParam, 'to'), 'to');
    if (from > to) throw new ApiError(400, 'bad_request', `from (${from}) is larger than to (${to})`, { parameter: 'from' });
    this.checkSize(to, 'to');
    return { from: jsonNumber(from), to: jsonNumber(to), proof: base64Hashes(this.core.tree.proveConsistency(from, to)) };
  }

  @Get('proof/inclusion')
  inclusion(@Query('index') indexParam: unknown, @Query('treeSize') treeSizeParam: unknown): object {
    const index = required(parseCount(indexParam, 'index'), 'index');
    const treeSize = required(parseCount(treeSizeParam, 'treeSize'), 'treeSize');
    this.checkSize(treeSize, 'treeSize');
    if (index >= treeSize) throw new ApiError(400, 'bad_request', `index ${index} is not in a tree of size ${treeSize}`, { parameter: 'index' });
    return {
      index: jsonNumber(index),
      treeSize: jsonNumber(treeSize),
      leafHash: encodeBase64(this.core.tree.leafHash(index)),
      proof: base64Hashes(this.core.tree.proveInclusion(index, treeSize)),
    };
  }

  /** Proofs are served up to the latest signed size: a size nobody can hold a checkpoint for proves nothing. */
  private checkSize(size: bigint, parameter: string): void {
    const signed = this.core.publisher.latest()?.size ?? 0n;
    if (size > signed) {
      throw new ApiError(400, 'bad_request', `${parameter} ${size} is beyond the latest signed checkpoint (size ${signed})`, { parameter });
    }
  }
}

function required(value: bigint | undefined, name: string): bigint {
  if (value === undefined) throw new ApiError(400, 'bad_request', `the query parameter ${name} is required`, { parameter: name });
  return value;
}
