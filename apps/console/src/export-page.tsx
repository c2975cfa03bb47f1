import { useState } from 'preact/hooks';
import type { Api } from './api.js';
import { searchParams, type Filters } from './search.js';

const FORMATS = [
  { value: 'ndjson', label: 'NDJSON', extension: 'ndjson' },
  { value: 'csv', label: 'CSV', extension: 'csv' },
  { value: 'ocsf', label: 'OCSF', extension: 'ocsf.ndjson' },
  { value: 'evidence', label: 'Evidence bundle (for trailmark-verify bundle)', extension: 'evidence' },
] as const;

/** The export of the events the current filter matches, saved as a file. */
export function ExportPage({ api, filters }: { api: Api; filters: Filters }) {
  const [format, setFormat] = useState<string>('ndjson');
  const [state, setState] = useState<string>();
  const download = async () => {
    setState('Exporting…');
    try {
      const blob = await api.blob('/v1/events/export', { ...searchParams(api.session.tenant, filters), format });
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = `trailmark-${api.session.tenant}.${FORMATS.find((known) => known.value === format)!.extension}`;
      link.click();
      URL.revokeObjectURL(link.href);
      setState(`Exported ${blob.size} bytes.`);
    } catch (failure) {
      setState(`Export failed: ${(failure as Error).message}`);
    }
  };
  const applied = Object.entries(filters).filter(([, value]) => value !== '');
  return (
    <section aria-label="Export">
      <h2>Export</h2>
      <p>{applied.length === 0 ? 'Every event of the tenant.' : `Events matching ${applied.map(([name, value]) => `${name}=${value}`).join(', ')}.`}</p>
      <label>
        Format
        <select value={format} onChange={(event) => setFormat((event.target as HTMLSelectElement).value)}>
          {FORMATS.map(({ value, label }) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>{' '}
      <button type="button" onClick={() => void download()}>
        Download
      </button>
      {state && <p role="status">{state}</p>}
    </section>
  );
}
