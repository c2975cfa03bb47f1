import { useState } from 'preact/hooks';
import type { Api } from './api.js';

interface Holding {
  readonly subject: { readonly type: string; readonly id: string };
  readonly role: string;
  readonly since: string;
  readonly granted: { readonly eventId: string; readonly leafIndex: number };
}

/** Access review: who held a role at an instant, and the grant event (in the log, provable) that gave it. */
export function AccessPage({ api }: { api: Api }) {
  const [at, setAt] = useState(nextMinute());
  const [role, setRole] = useState('');
  const [holdings, setHoldings] = useState<readonly Holding[]>();
  const [error, setError] = useState<string>();
  const review = async () => {
    setError(undefined);
    try {
      const answer = await api.json<{ holdings: Holding[] }>(`/v1/tenants/${encodeURIComponent(api.session.tenant)}/access`, { at: `${at}:00Z`, role });
      setHoldings(answer.holdings);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <section aria-label="Access review">
      <h2>Access review</h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void review();
        }}
      >
        <label>
          At (UTC)
          <input type="datetime-local" value={at} required onInput={(event) => setAt((event.target as HTMLInputElement).value)} />
        </label>
        <label>
          Role
          <input value={role} placeholder="any role" onInput={(event) => setRole((event.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Review</button>
      </form>
      {error && <p role="alert">{error}</p>}
      {holdings && (
        <table>
          <caption>{holdings.length} holdings</caption>
          <thead>
            <tr>
              <th scope="col">Subject</th>
              <th scope="col">Role</th>
              <th scope="col">Since</th>
              <th scope="col">Granted by event (leaf)</th>
            </tr>
          </thead>
          <tbody>
            {holdings.map((holding) => (
              <tr key={`${holding.subject.type}:${holding.subject.id}:${holding.role}`}>
                <td>
                  {holding.subject.type}:{holding.subject.id}
                </td>
                <td>{holding.role}</td>
                <td>{holding.since}</td>
                <td class="mono">
                  {holding.granted.eventId} ({holding.granted.leafIndex})
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** The datetime-local input holds minutes: "now" rounded up, so events of this very minute are reviewed. */
function nextMinute(): string {
  return new Date(Date.now() + 60_000).toISOString().slice(0, 16);
}
