import { useState } from 'preact/hooks';
import { Api, type Session } from './api.js';

/** Paste a token (a viewer token an admin minted, or any reader's) and the tenant it reads. */
export function SignIn({ onSignedIn }: { onSignedIn: (session: Session) => void }) {
  const [tenant, setTenant] = useState('');
  const [token, setToken] = useState('');
  const [error, setError] = useState<string>();
  const submit = async () => {
    const session = { tenant: tenant.trim(), token: token.trim(), base: '' };
    try {
      await new Api(session).json('/v1/events', { tenant: session.tenant, limit: '1' });
      onSignedIn(session);
    } catch (failure) {
      setError((failure as Error).message);
    }
  };
  return (
    <main>
      <h1>Trailmark console</h1>
      <form
        aria-label="Sign in"
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        <label>
          Tenant
          <input name="tenant" value={tenant} required onInput={(event) => setTenant((event.target as HTMLInputElement).value)} />
        </label>
        <label>
          Token
          <input name="token" type="password" autocomplete="off" value={token} required onInput={(event) => setToken((event.target as HTMLInputElement).value)} />
        </label>
        <button type="submit">Sign in</button>
      </form>
      {error && <p role="alert">Sign-in refused: {error}</p>}
      <p>Ask an admin for a viewer token: POST /v1/tenants/&#123;tenant&#125;/viewer-tokens gives one valid 15 minutes.</p>
    </main>
  );
}
