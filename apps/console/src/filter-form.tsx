import { useState } from 'preact/hooks';
import { PRESETS, type Filters } from './search.js';

const FIELDS: readonly { name: keyof Filters; label: string; placeholder?: string }[] = [
  { name: 'actor', label: 'Actor', placeholder: 'u_1 or user:u_1' },
  { name: 'action', label: 'Action', placeholder: 'user.login or user.mfa.*' },
  { name: 'target', label: 'Target', placeholder: 'id or type:id' },
  { name: 'requestId', label: 'Request id' },
  { name: 'correlationId', label: 'Correlation id' },
  { name: 'text', label: 'Text in reason' },
];

/** The search filters; submitting applies them. */
export function FilterForm({ filters, onApply }: { filters: Filters; onApply: (filters: Filters) => void }) {
  const [draft, setDraft] = useState(filters);
  const set = (name: keyof Filters, value: string) => setDraft({ ...draft, [name]: value });
  const preset = (hours: number) => set('from', new Date(Date.now() - hours * 3600_000).toISOString().slice(0, 16));
  return (
    <form
      class="filters"
      aria-label="Filters"
      onSubmit={(event) => {
        event.preventDefault();
        onApply(draft);
      }}
    >
      {FIELDS.map(({ name, label, placeholder }) => (
        <label key={name}>
          {label}
          <input name={name} value={draft[name]} placeholder={placeholder} onInput={(event) => set(name, (event.target as HTMLInputElement).value)} />
        </label>
      ))}
      <label>
        Outcome
        <select name="outcome" value={draft.outcome} onChange={(event) => set('outcome', (event.target as HTMLSelectElement).value)}>
          <option value="">any</option>
          <option value="success">success</option>
          <option value="failure">failure</option>
          <option value="error">error</option>
        </select>
      </label>
      <label>
        From (UTC)
        <input type="datetime-local" name="from" value={draft.from} onInput={(event) => set('from', (event.target as HTMLInputElement).value)} />
      </label>
      <label>
        To (UTC)
        <input type="datetime-local" name="to" value={draft.to} onInput={(event) => set('to', (event.target as HTMLInputElement).value)} />
      </label>
      <div class="presets" role="group" aria-label="Time presets">
        {PRESETS.map(({ label, hours }) => (
          <button type="button" key={label} onClick={() => preset(hours)}>
            {label}
          </button>
        ))}
      </div>
      <button type="submit">Search</button>
    </form>
  );
}
