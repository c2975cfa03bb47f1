import type { Session } from './api.js';

const KEY = 'trailmark.session';

/**
 * The session lives in sessionStorage (this tab, until it closes), never in the URL or localStorage: a viewer
 * token is a credential for 15 minutes, not something to leave in history, logs or another tab.
 */
export const sessionStore = {
  load(): Session | undefined {
    const saved = sessionStorage.getItem(KEY);
    return saved ? (JSON.parse(saved) as Session) : undefined;
  },
  save(session: Session): void {
    sessionStorage.setItem(KEY, JSON.stringify(session));
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};
