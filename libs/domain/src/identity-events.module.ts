import { Module, type DynamicModule, type ModuleMetadata, type Provider } from '@nestjs/common';
import { CqrsModule } from '@nestjs/cqrs';
import { RecordIdentityEventHandler } from './commands/record-identity-event.handler.js';
import { RecordIdentityEventsHandler } from './commands/record-identity-events.handler.js';
import { RecordReadHandler } from './commands/record-read.handler.js';
import { EventRecorder } from './recording/event-recorder.js';

/**
 * The command side of the ledger as a Nest module: import it, then send RecordIdentityEvent or
 * RecordIdentityEvents on the CommandBus. The host provides the EventRecorder (the store, the
 * sequencer and the index behind it) and the modules that provider needs; @trailmark/ledger's
 * TrailmarkModule does.
 */
@Module({})
export class IdentityEventsModule {
  static register(recorder: Provider<EventRecorder>, imports: ModuleMetadata['imports'] = []): DynamicModule {
    return {
      module: IdentityEventsModule,
      imports: [CqrsModule.forRoot(), ...imports],
      providers: [recorder, RecordIdentityEventHandler, RecordIdentityEventsHandler, RecordReadHandler],
      exports: [CqrsModule],
    };
  }
}
