import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';
import { VerifyPanel } from './verify-panel.js';

interface StoredEvent {
  readonly id: string;
  readonly leafIndex: number;
  readonly leaf: string;
  readonly event: Record<string, unknown> & { detail?: string };
  readonly detail: Record<string, unknown> | null;
}

/** One event: its envelope, its detail (or that it was erased), its leaf bytes, and verification. */
export function EventDetail({ api, eventId, onClose }: { api: Api; eventId: string; onClose: () => void }) {
  const [stored, setStored] = useState<StoredEvent>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    setStored(undefined);
    api.json<StoredEvent>(`/v1/events/${encodeURIComponent(eventId)}`).then(setStored, (failure: Error) => setError(failure.message));
  }, [api, eventId]);

  return (
    <section class="detail" aria-label="Event detail">
      <header>
        <h2>Event {eventId}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </header>
      {error && <p role="alert">{error}</p>}
      {stored && (
        <>
          <p>Leaf index {stored.leafIndex}</p>
          <h3>Envelope</h3>
          <pre>{JSON.stringify(stored.event, null, 2)}</pre>
          <h3>Detail</h3>
          {stored.detail !== null ? (
            <pre>{JSON.stringify(stored.detail, null, 2)}</pre>
          ) : (
            <p>{stored.event.detail !== undefined ? 'Erased: the envelope still commits to it, so every proof stays valid.' : 'None.'}</p>
          )}
          <h3>Leaf bytes (base64)</h3>
          <pre class="wrap">{stored.leaf}</pre>
          <VerifyPanel api={api} eventId={stored.id} leaf={stored.leaf} />
        </>
      )}
    </section>
  );
}
