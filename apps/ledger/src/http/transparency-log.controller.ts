import { Controller, Get, Header, Query, Res } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { GetCheckpoint, GetConsistencyProof, GetInclusionProof } from '@trailmark/checkpoint';
import { encodeBase64 } from '@trailmark/proofs';
import { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';
import { base64Hashes, jsonNumber, parseCount } from './json.js';
import { Public } from './auth/requires-role.decorator.js';
import { withWitnessedHeader } from './served-checkpoint.js';

/** What anyone may fetch to check the log: checkpoints, the key, proofs. No credentials. */
@Public()
@Controller('v1/log')
export class TransparencyLogController {
  constructor(
    private readonly queryBus: QueryBus,
    private readonly core: LedgerCore,
  ) {}

  @Get('checkpoint')
  @Header('content-type', 'text/plain; charset=utf-8')
  @Header('cache-control', 'no-store')
  async checkpoint(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    return withWitnessedHeader(await this.queryBus.execute(new GetCheckpoint()), reply).note;
  }

  @Get('key')
  @Header('content-type', 'text/plain; charset=utf-8')
  key(): string {
    return `${this.core.verifierKey}\n`;
  }

  @Get('proof/consistency')
  async consistency(@Query('from') fromParam: unknown, @Query('to') toParam: unknown): Promise<object> {
    const from = required(parseCount(fromParam, 'from'), 'from');
    const to = required(parseCount(toParam, 'to'), 'to');
    if (from > to) throw new ApiError(400, 'bad_request', `from (${from}) is larger than to (${to})`, { parameter: 'from' });
    const proof = await this.queryBus.execute(new GetConsistencyProof(from, to));
    return { from: jsonNumber(from), to: jsonNumber(to), proof: base64Hashes(proof) };
  }

  @Get('proof/inclusion')
  async inclusion(@Query('index') indexParam: unknown, @Query('treeSize') treeSizeParam: unknown): Promise<object> {
    const index = required(parseCount(indexParam, 'index'), 'index');
    const treeSize = required(parseCount(treeSizeParam, 'treeSize'), 'treeSize');
    const { leafHash, proof } = await this.queryBus.execute(new GetInclusionProof(index, treeSize));
    return { index: jsonNumber(index), treeSize: jsonNumber(treeSize), leafHash: encodeBase64(leafHash), proof: base64Hashes(proof) };
  }
}

function required(value: bigint | undefined, name: string): bigint {
  if (value === undefined) throw new ApiError(400, 'bad_request', `the query parameter ${name} is required`, { parameter: name });
  return value;
}
