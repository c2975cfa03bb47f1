import { Controller, Get } from '@nestjs/common';
import { LedgerCore } from '../core/ledger-core.js';
import { ApiError } from './api-error.js';
import { Public } from './auth/requires-role.decorator.js';

@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly core: LedgerCore) {}

  @Get('live')
  live(): object {
    return { status: 'live' };
  }

  /** Ready once the tree has caught up with the store and checkpoints are being published. */
  @Get('ready')
  ready(): object {
    if (!this.core.ready) throw new ApiError(503, 'unavailable', 'the ledger is not ready');
    return { status: 'ready', treeSize: Number(this.core.tree.size), checkpointSize: Number(this.core.publisher.latest()?.size ?? 0n) };
  }
}
