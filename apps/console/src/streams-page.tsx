import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';

interface Stream {
  readonly id: string;
  readonly name: string;
  readonly sink: { readonly type: string };
  readonly format: string;
  readonly status: string;
  readonly paused: boolean;
  readonly cursor: number;
  readonly lag: number;
  readonly delivered: number;
  readonly failedAttempts: number;
  readonly lastSuccessAt: string | null;
  readonly lastError: string | null;
}

/** The tenant's log streams and where each stands: read-only, so a viewer token sees as much as an admin. */
export function StreamsPage({ api }: { api: Api }) {
  const [streams, setStreams] = useState<readonly Stream[]>();
  const [error, setError] = useState<string>();
  const load = () => {
    setError(undefined);
    api
      .json<{ streams: readonly Stream[] }>(`/v1/tenants/${encodeURIComponent(api.session.tenant)}/streams`)
      .then(({ streams: listed }) => setStreams(listed), (failure: Error) => setError(failure.message));
  };
  useEffect(load, [api]);
  return (
    <section aria-label="Streams">
      {error && <p role="alert">{error}</p>}
      <p role="status">{streams ? `${streams.length} streams` : 'Loading streams'}</p>
      <button type="button" onClick={load}>
        Refresh
      </button>
      {streams && streams.length > 0 && (
        <table class="streams">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Sink</th>
              <th scope="col">Status</th>
              <th scope="col">Next leaf</th>
              <th scope="col">Lag (leaves)</th>
              <th scope="col">Delivered</th>
              <th scope="col">Failed attempts</th>
              <th scope="col">Last success</th>
              <th scope="col">Last error</th>
            </tr>
          </thead>
          <tbody>
            {streams.map((stream) => (
              <tr key={stream.id} class="stream">
                <td>{stream.name}</td>
                <td>
                  {stream.sink.type} ({stream.format})
                </td>
                <td class={`stream-status ${stream.status}`}>{stream.status}</td>
                <td>{stream.cursor}</td>
                <td>{stream.lag}</td>
                <td>{stream.delivered}</td>
                <td>{stream.failedAttempts}</td>
                <td>{stream.lastSuccessAt ?? 'never'}</td>
                <td>{stream.lastError ?? 'none'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
