import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { EventRecorder } from '../recording/event-recorder.js';
import type { Receipt } from '../recording/receipt.js';
import { publishCreated } from './record-identity-event.handler.js';
import { RecordIdentityEvents } from './record-identity-events.command.js';

@CommandHandler(RecordIdentityEvents)
export class RecordIdentityEventsHandler implements ICommandHandler<RecordIdentityEvents, Receipt[]> {
  constructor(
    private readonly recorder: EventRecorder,
    private readonly eventBus: EventBus,
  ) {}

  async execute(command: RecordIdentityEvents): Promise<Receipt[]> {
    const recorded = await this.recorder.record(command.bodies, command.tenants, (i) => `events[${i}]`);
    publishCreated(this.eventBus, recorded);
    return recorded.map(({ receipt }) => receipt);
  }
}
