import type { EventRecorder } from '@trailmark/domain';
import { streamFailingEvent, type StreamDefinition } from '@trailmark/streams';

export type StreamAction = 'stream.created' | 'stream.changed' | 'stream.paused' | 'stream.resumed' | 'stream.replayed' | 'stream.tested' | 'stream.deleted';

/**
 * A stream is a way out for a tenant's data: who opened, changed, paused, replayed, tested or closed it is an
 * event of that tenant's log, with the token's name as actor and the stream's public configuration (never its
 * secret) in the detail. One batch, so several changes of one request are recorded together or not at all.
 * Same internal path as the RecordRead command (libs/domain).
 */
export async function recordStreamChanges(
  recorder: EventRecorder,
  actor: { readonly name: string },
  tenant: string,
  streamId: string,
  changes: readonly { readonly action: StreamAction; readonly metadata: Record<string, unknown> }[],
): Promise<void> {
  const bodies = changes.map(({ action, metadata }) => ({
    tenant,
    action,
    outcome: 'success',
    actor: { type: 'api_key', id: actor.name },
    targets: [{ type: 'stream', id: streamId }],
    metadata,
  }));
  await recorder.recordForService(bodies, (i) => `streams[${i}]`);
}

/** stream.failing, recorded by the service itself when a stream turns failing: the alert rule stream-failing raises on it. */
export async function recordStreamFailing(recorder: EventRecorder, stream: StreamDefinition, error: Error): Promise<void> {
  await recorder.recordForService([streamFailingEvent(stream, error)], () => 'stream');
}
