import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api } from './api.js';

interface Alert {
  readonly id: string;
  readonly rule: string;
  readonly key: string;
  readonly severity: string;
  readonly status: string;
  readonly summary: string;
  readonly raisedAt?: string;
  readonly evidenceCount: number;
  readonly acknowledged: { readonly by: string; readonly note?: string } | null;
  readonly closed: { readonly by: string; readonly note?: string } | null;
}

interface AlertFilters {
  severity: string;
  status: string;
}

const PAGE = 100;

/** The tenant's alerts, filtered by severity and status; an admin acknowledges or closes one with a note. */
export function AlertsPage({ api }: { api: Api }) {
  const [filters, setFilters] = useState<AlertFilters>({ severity: '', status: '' });
  const [alerts, setAlerts] = useState<readonly Alert[]>([]);
  const [next, setNext] = useState<number | null>(null);
  const [error, setError] = useState<string>();
  const [note, setNote] = useState('');
  // The latest request wins: an answer for filters since changed must not overwrite the newer list.
  const latest = useRef(0);

  const load = async (cursor: number | null, previous: readonly Alert[]) => {
    const request = ++latest.current;
    setError(undefined);
    try {
      const page = await api.json<{ alerts: readonly Alert[]; next: number | null }>('/v1/alerts', {
        tenant: api.session.tenant,
        ...filters,
        limit: String(PAGE),
        ...(cursor !== null && { cursor: String(cursor) }),
      });
      if (request !== latest.current) return;
      setAlerts([...previous, ...page.alerts]);
      setNext(page.next);
    } catch (failure) {
      if (request === latest.current) setError((failure as Error).message);
    }
  };
  useEffect(() => void load(null, []), [api, filters]);

  const act = async (alert: Alert, verb: 'ack' | 'close') => {
    setError(undefined);
    try {
      // The answer is the alert as decided: shown at once, whether or not the list's read model has caught up.
      const decided = await api.post<Alert>(`/v1/alerts/${alert.id}/${verb}`, note === '' ? {} : { note });
      setAlerts((shown) => shown.map((each) => (each.id === decided.id ? decided : each)));
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  const select = (name: keyof AlertFilters, options: readonly string[]) => (
    <label>
      {name === 'severity' ? 'Severity' : 'Status'}
      <select value={filters[name]} onChange={(event) => setFilters({ ...filters, [name]: (event.target as HTMLSelectElement).value })}>
        <option value="">any</option>
        {options.map((option) => (
          <option key={option}>{option}</option>
        ))}
      </select>
    </label>
  );

  return (
    <section aria-label="Alerts">
      <div class="filters">
        {select('severity', ['low', 'medium', 'high', 'critical'])}
        {select('status', ['open', 'acknowledged', 'closed'])}
        <label>
          Note for acknowledge or close
          <input value={note} onInput={(event) => setNote((event.target as HTMLInputElement).value)} />
        </label>
      </div>
      {error && <p role="alert">{error}</p>}
      <p role="status">
        {alerts.length} alerts{next !== null ? ', more to load' : ''}
      </p>
      {alerts.length > 0 && (
        <table class="alerts">
          <thead>
            <tr>
              <th scope="col">Severity</th>
              <th scope="col">Rule</th>
              <th scope="col">Status</th>
              <th scope="col">Summary</th>
              <th scope="col">Evidence</th>
              <th scope="col">Actions</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((alert) => (
              <tr key={alert.id} class="alert">
                <td class={`severity ${alert.severity}`}>{alert.severity}</td>
                <td>{alert.rule}</td>
                <td>
                  {alert.status}
                  {alert.acknowledged && ` by ${alert.acknowledged.by}${alert.acknowledged.note ? `: ${alert.acknowledged.note}` : ''}`}
                  {alert.closed && ` by ${alert.closed.by}${alert.closed.note ? `: ${alert.closed.note}` : ''}`}
                </td>
                <td>{alert.summary}</td>
                <td>{alert.evidenceCount} events</td>
                <td>
                  {alert.status === 'open' && (
                    <button type="button" onClick={() => void act(alert, 'ack')}>
                      Acknowledge<span class="visually-hidden"> {alert.rule}</span>
                    </button>
                  )}{' '}
                  {alert.status !== 'closed' && (
                    <button type="button" onClick={() => void act(alert, 'close')}>
                      Close<span class="visually-hidden"> {alert.rule}</span>
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {next !== null && (
        <button type="button" onClick={() => void load(next, alerts)}>
          Load more
        </button>
      )}
    </section>
  );
}
