import { Controller, Get } from '@nestjs/common';
import type { WitnessStatus } from '@trailmark/checkpoint';
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
   * Ready once the tree has caught up with the store and checkpoints are being published; not ready while a witness
   * refuses this log's checkpoints as inconsistent with what it cosigned (the log signed two views of itself).
   * `status` is "degraded" (still 200) while the wall clock is stepped beyond TRAILMARK_CLOCK_STEP_MS from server
   * time: events are still recorded with sane, increasing times, so the instance stays in service, and `clock`
   * says by how much the host's clock is off (docs/decisions.md).
   */
  @Get('ready')
  ready(): object {
    if (!this.core.ready) throw new ApiError(503, 'unavailable', 'the ledger is not ready');
    const witnesses = this.core.witnesses?.status().map(witnessReport);
    const conflicts = witnesses?.filter((witness) => witness.conflict !== undefined) ?? [];
    if (conflicts.length > 0) {
      throw new ApiError(503, 'witness_conflict', conflicts.map((witness) => witness.conflict).join('; '), { witnesses });
    }
    const clock = this.core.recorder.clockStatus();
    return {
      status: clock.stepped ? 'degraded' : 'ready',
      treeSize: Number(this.core.tree.size),
      checkpointSize: Number(this.core.publisher.latest()?.size ?? 0n),
      ...(witnesses && { servedSize: Number(this.core.servedCheckpoint()?.size ?? 0n), witnesses }),
      clock: { status: clock.stepped ? 'stepped' : 'ok', skewSeconds: clock.skewSeconds, boundSeconds: clock.boundSeconds },
    };
  }
}

function witnessReport(status: WitnessStatus): { name: string; url: string; cosignedSize: number | null; failures: number; lastError?: string; conflict?: string } {
  return {
    name: status.name,
    url: status.url,
    cosignedSize: status.cosignedSize === undefined ? null : Number(status.cosignedSize),
    failures: status.consecutiveFailures,
    ...(status.lastError !== undefined && { lastError: status.lastError }),
    ...(status.conflict !== undefined && { conflict: status.conflict }),
  };
}
