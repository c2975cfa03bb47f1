import { useState } from 'preact/hooks';
import type { Api } from './api.js';
import { describeKey, pinnedKey } from './pinned-key.js';
import { verdictOf, verifyProof, type ProofBody, type VerificationStep } from './verify-proof.js';

/** "Verify in this browser": fetches the event's proof and checkpoint and checks them against the pinned log key. */
export function VerifyPanel({ api, eventId, leaf }: { api: Api; eventId: string; leaf: string }) {
  const [key, setKey] = useState(pinnedKey.load());
  const [offered, setOffered] = useState<string>();
  const [steps, setSteps] = useState<VerificationStep[]>();
  const [error, setError] = useState<string>();

  const offer = async () => setOffered((await api.text('/v1/log/key')).trim());
  const pin = () => {
    pinnedKey.save(offered!);
    setKey(offered);
    setOffered(undefined);
  };
  const verify = async () => {
    setError(undefined);
    setSteps(undefined);
    try {
      const proof = await api.json<ProofBody>(`/v1/events/${encodeURIComponent(eventId)}/proof`);
      setSteps(verifyProof(proof, leaf, key!));
    } catch (failure) {
      setError((failure as Error).message);
    }
  };

  if (!key) {
    return (
      <section aria-label="Verification" class="verify">
        <p>No log key is pinned in this browser. Compare the key id with the one your operator published, then pin it.</p>
        {offered ? (
          <p>
            The server's key: <code>{describeKey(offered)}</code>{' '}
            <button type="button" onClick={pin}>
              Pin this key
            </button>
          </p>
        ) : (
          <button type="button" onClick={() => void offer()}>
            Fetch the server's log key
          </button>
        )}
      </section>
    );
  }
  return (
    <section aria-label="Verification" class="verify">
      <p>
        Pinned log key: <code>{describeKey(key)}</code>{' '}
        <button type="button" class="link" onClick={() => (pinnedKey.clear(), setKey(undefined))}>
          Unpin
        </button>
      </p>
      <button type="button" onClick={() => void verify()}>
        Verify in this browser
      </button>
      {error && <p role="alert">Could not verify: {error}</p>}
      {steps && (
        <>
          <ol class="steps">
            {steps.map((step) => (
              <li key={step.name} class={`step ${step.status.replace(' ', '-')}`}>
                <strong>{step.name}</strong>: {step.status} — <span class="mono">{step.detail}</span>
              </li>
            ))}
          </ol>
          <p role="status" class={verdictOf(steps) ? 'verdict ok' : 'verdict failed'}>
            {verdictOf(steps)
              ? 'Verified: this event is in the log signed by the pinned key.'
              : `Not verified: the proof fails at “${steps.find((step) => step.status === 'failed')?.name}”.`}
          </p>
        </>
      )}
    </section>
  );
}
