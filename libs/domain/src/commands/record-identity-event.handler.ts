import { CommandHandler, EventBus, type ICommandHandler } from '@nestjs/cqrs';
import { EventRecorder, type RecordedIdentityEvent } from '../recording/event-recorder.js';
import type { Receipt } from '../recording/receipt.js';
import { IdentityEventRecorded } from './identity-event-recorded.event.js';
import { RecordIdentityEvent } from './record-identity-event.command.js';

@CommandHandler(RecordIdentityEvent)
export class RecordIdentityEventHandler implements ICommandHandler<RecordIdentityEvent, Receipt> {
  constructor(
    private readonly recorder: EventRecorder,
    private readonly eventBus: EventBus,
  ) {}

  async execute(command: RecordIdentityEvent): Promise<Receipt> {
    const recorded = await this.recorder.record([command.body], command.tenants, () => '');
    publishCreated(this.eventBus, recorded);
    return recorded[0]!.receipt;
  }
}

export function publishCreated(eventBus: EventBus, recorded: readonly RecordedIdentityEvent[]): void {
  const created = recorded.filter(({ receipt }) => receipt.created);
  if (created.length > 0) eventBus.publishAll(created.map(({ receipt, envelope }) => new IdentityEventRecorded(receipt, envelope)));
}
