import { render } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { Api } from './api.js';
import { EventsView } from './events-view.js';
import { NO_FILTERS } from './search.js';
import { STYLES } from './styles.js';

function Viewer({ token, tenant, base }: { token: string; tenant: string; base: string }) {
  const api = useMemo(() => new Api({ token, tenant, base }), [token, tenant, base]);
  const [filters, setFilters] = useState(NO_FILTERS);
  return (
    <div class="viewer">
      <EventsView api={api} filters={filters} onFilters={setFilters} />
    </div>
  );
}

/**
 * `<trailmark-log-viewer token="…" tenant="…" api="https://ledger.example">`: the console's events view (filters,
 * paging, detail, verification in the browser) in a shadow root, for any page, with or without a framework.
 * `api` defaults to the page's origin; another origin must allow the page's origin by CORS.
 */
class TrailmarkLogViewer extends HTMLElement {
  static observedAttributes = ['token', 'tenant', 'api'];
  private readonly root = this.attachShadow({ mode: 'open' });

  connectedCallback(): void {
    this.update();
  }

  attributeChangedCallback(): void {
    if (this.isConnected) this.update();
  }

  disconnectedCallback(): void {
    render(null, this.root);
  }

  private update(): void {
    const token = this.getAttribute('token');
    const tenant = this.getAttribute('tenant');
    if (!token || !tenant) {
      render(<p>trailmark-log-viewer needs the token and tenant attributes.</p>, this.root);
      return;
    }
    render(
      <>
        <style>{STYLES}</style>
        <Viewer token={token} tenant={tenant} base={(this.getAttribute('api') ?? '').replace(/\/$/, '')} />
      </>,
      this.root,
    );
  }
}

if (!customElements.get('trailmark-log-viewer')) customElements.define('trailmark-log-viewer', TrailmarkLogViewer);
