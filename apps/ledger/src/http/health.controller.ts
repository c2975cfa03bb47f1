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

  /**
   * Ready once the tree has caught up with the store and checkpoints are being published. `status` is
   * "degraded" (still 200) while the wall clock is stepped beyond TRAILMARK_CLOCK_STEP_MS from server time:
   * events are still recorded with sane, increasing times, so the instance stays in service, and `clock`
   * says by how much the host's clock is off (docs/decisions.md).
   */
  @Get('ready')
  ready(): object {
    if (!this.core.ready) throw new ApiError(503, 'unavailable', 'the ledger is not ready');
    const clock = this.core.recorder.clockStatus();
    return {
      status: clock.stepped ? 'degraded' : 'ready',
      treeSize: Number(this.core.tree.size),
      checkpointSize: Number(this.core.publisher.latest()?.size ?? 0n),
      clock: { status: clock.stepped ? 'stepped' : 'ok', skewSeconds: clock.skewSeconds, boundSeconds: clock.boundSeconds },
    };
  }
}
