import { useMemo, useState } from 'preact/hooks';
import { Api, type Session } from './api.js';
import { AccessPage } from './access-page.js';
import { AlertsPage } from './alerts-page.js';
import { EventsView } from './events-view.js';
import { ExportPage } from './export-page.js';
import { HealthPage } from './health-page.js';
import { useOptionalPages, type OptionalPage } from './optional-pages.js';
import { NO_FILTERS } from './search.js';
import { sessionStore } from './session-store.js';
import { SignIn } from './sign-in.js';
import { StreamsPage } from './streams-page.js';

const PAGES = { events: 'Events', export: 'Export', access: 'Access review', alerts: 'Alerts', streams: 'Streams', health: 'Log health' } as const;
const OPTIONAL: readonly string[] = ['alerts', 'streams'] satisfies OptionalPage[];
type Page = keyof typeof PAGES;

/** The console: sign in, then the pages. The page is state, not URL: nothing of the session ever lands in one. */
export function App() {
  const [session, setSession] = useState(sessionStore.load());
  const [page, setPage] = useState<Page>('events');
  const [filters, setFilters] = useState(NO_FILTERS);
  const api = useMemo(() => session && new Api(session), [session]);
  const present = useOptionalPages(api);
  const shown = (name: Page) => !OPTIONAL.includes(name) || present.has(name as OptionalPage);

  const signIn = (signedIn: Session) => {
    sessionStore.save(signedIn);
    setSession(signedIn);
  };
  const signOut = () => {
    sessionStore.clear();
    setSession(undefined);
  };
  if (!api) return <SignIn onSignedIn={signIn} />;
  return (
    <>
      <header>
        <nav aria-label="Pages">
          {(Object.keys(PAGES) as Page[]).filter(shown).map((name) => (
            <button type="button" key={name} aria-current={page === name ? 'page' : undefined} onClick={() => setPage(name)}>
              {PAGES[name]}
            </button>
          ))}
          <button type="button" onClick={signOut}>
            Sign out ({api.session.tenant})
          </button>
        </nav>
      </header>
      <main>
        <h1>{PAGES[page]}</h1>
        {page === 'events' && <EventsView api={api} filters={filters} onFilters={setFilters} />}
        {page === 'export' && <ExportPage api={api} filters={filters} />}
        {page === 'access' && <AccessPage api={api} />}
        {page === 'alerts' && <AlertsPage api={api} />}
        {page === 'streams' && <StreamsPage api={api} />}
        {page === 'health' && <HealthPage api={api} />}
      </main>
    </>
  );
}
