/** The filters of GET /v1/events (and of the export), as the form holds them. */
export interface Filters {
  actor: string;
  action: string;
  target: string;
  outcome: string;
  from: string;
  to: string;
  requestId: string;
  correlationId: string;
  text: string;
}

export const NO_FILTERS: Filters = { actor: '', action: '', target: '', outcome: '', from: '', to: '', requestId: '', correlationId: '', text: '' };

export interface SearchEvent {
  readonly leafIndex: number;
  readonly event: {
    readonly id: string;
    readonly time: string;
    readonly action: string;
    readonly outcome: string;
    readonly reason?: string;
    readonly actor: { readonly type: string; readonly id: string };
    readonly targets?: readonly { readonly type: string; readonly id: string }[];
  };
}

export interface SearchPage {
  readonly events: readonly SearchEvent[];
  readonly next: number | null;
}

/** Time presets: "from" that many hours before now. */
export const PRESETS: readonly { label: string; hours: number }[] = [
  { label: 'Last hour', hours: 1 },
  { label: 'Last 24 hours', hours: 24 },
  { label: 'Last 7 days', hours: 24 * 7 },
];

/** The query of a search for `tenant` with these filters (datetime-local values read as UTC). */
export function searchParams(tenant: string, filters: Filters): Record<string, string> {
  const params: Record<string, string> = { tenant };
  for (const [name, value] of Object.entries(filters)) {
    if (value === '') continue;
    params[name] = name === 'from' || name === 'to' ? toRfc3339(value) : value;
  }
  return params;
}

function toRfc3339(local: string): string {
  return local.endsWith('Z') ? local : `${local.length === 16 ? `${local}:00` : local}Z`;
}
