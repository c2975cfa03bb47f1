import { CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { EventRecorder } from '../recording/event-recorder.js';
import { RecordRead } from './record-read.command.js';

/** One batch, so a read spanning tenants is recorded in all of them or in none; a read of no tenant is not recorded. */
@CommandHandler(RecordRead)
export class RecordReadHandler implements ICommandHandler<RecordRead, void> {
  constructor(private readonly recorder: EventRecorder) {}

  async execute({ reader, action, tenants, request }: RecordRead): Promise<void> {
    if (tenants.length === 0) return;
    const bodies = tenants.map((tenant) => ({
      tenant,
      action,
      outcome: 'success',
      actor: { type: 'api_key', id: reader },
      targets: [{ type: 'audit_log', id: tenant }],
      metadata: { endpoint: request.endpoint, query: request.query },
    }));
    await this.recorder.recordForService(bodies, (i) => `reads[${i}]`);
  }
}
