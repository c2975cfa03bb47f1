import type { EventBody } from '@trailmark/alerts';
import type { EventRecorder, RecordedIdentityEvent } from '@trailmark/domain';

/**
 * The one place alert events (alert.raised by the engine; alert.acknowledged, alert.closed and
 * alert.rules.changed on behalf of a token) enter the ledger: through the recorder, as read auditing does.
 * alert.* is reserved to the service; when ingest refuses reserved actions, this is the call to switch to the
 * service's own recording path.
 */
export async function recordAlertEvent(recorder: EventRecorder, body: EventBody): Promise<RecordedIdentityEvent> {
  const [recorded] = await recorder.recordForService([body], () => 'alert');
  return recorded!;
}
