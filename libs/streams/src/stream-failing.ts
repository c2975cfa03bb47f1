import type { StreamDefinition } from './stream-definition.js';

/** Who records what a stream's delivery loop found. */
export const STREAMS_ACTOR = { type: 'system', id: 'trailmark-streams' } as const;

/**
 * The stream.failing event of a stream that turned failing: recorded in its tenant's log, where the alert
 * rule stream-failing raises an operator alert on it. The detail names the stream and the receiver's last
 * answer, never a secret.
 */
export function streamFailingEvent(stream: StreamDefinition, error: Error): Record<string, unknown> & { readonly tenant: string } {
  return {
    tenant: stream.tenant,
    action: 'stream.failing',
    outcome: 'failure',
    reason: 'delivery attempts spent',
    actor: STREAMS_ACTOR,
    targets: [{ type: 'stream', id: stream.id }],
    metadata: { name: stream.name, sink: stream.sink.type, error: error.message.slice(0, 300) },
  };
}
