import { useEffect, useState } from 'preact/hooks';
import { ApiError, type Api } from './api.js';

/** Pages whose API a ledger may not have (alerts off, streams not configured): shown only once their API answers. */
export type OptionalPage = 'alerts' | 'streams';

const probes: Record<OptionalPage, (api: Api) => Promise<unknown>> = {
  alerts: (api) => api.json('/v1/alerts', { tenant: api.session.tenant, limit: '1' }),
  streams: (api) => api.json(`/v1/tenants/${encodeURIComponent(api.session.tenant)}/streams`),
};

/** 404 or 503 means the API does not exist here: hide the page. Any other answer (even 403) shows it, with its error. */
export function useOptionalPages(api: Api | undefined): ReadonlySet<OptionalPage> {
  const [present, setPresent] = useState<ReadonlySet<OptionalPage>>(new Set());
  useEffect(() => {
    setPresent(new Set());
    if (!api) return;
    for (const page of Object.keys(probes) as OptionalPage[]) {
      probes[page](api).then(
        () => setPresent((shown) => new Set([...shown, page])),
        (failure: unknown) => {
          const absent = failure instanceof ApiError && (failure.status === 404 || failure.status === 503);
          if (!absent) setPresent((shown) => new Set([...shown, page]));
        },
      );
    }
  }, [api]);
  return present;
}
