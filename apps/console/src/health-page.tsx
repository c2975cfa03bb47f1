import { useEffect, useState } from 'preact/hooks';
import type { Api } from './api.js';

interface Ready {
  readonly status: string;
  readonly treeSize: number;
  readonly checkpointSize: number;
  readonly witnesses?: readonly { readonly name: string; readonly cosignedSize: number | null; readonly failures: number }[];
  readonly clock: { readonly status: string; readonly skewSeconds: number };
}

/** Log health from the public endpoints: tree size, what the latest checkpoint signs, witnesses, the clock. */
export function HealthPage({ api }: { api: Api }) {
  const [ready, setReady] = useState<Ready>();
  const [checkpoint, setCheckpoint] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api.json<Ready>('/health/ready').then(setReady, (failure: Error) => setError(failure.message));
    api.text('/v1/log/checkpoint').then(setCheckpoint, () => setCheckpoint(undefined));
  }, [api]);
  return (
    <section aria-label="Log health">
      <h2>Log health</h2>
      {error && <p role="alert">{error}</p>}
      {ready && (
        <dl>
          <dt>Status</dt>
          <dd>{ready.status}</dd>
          <dt>Tree size</dt>
          <dd>{ready.treeSize}</dd>
          <dt>Signed by the latest checkpoint</dt>
          <dd>
            {ready.checkpointSize} leaves ({ready.treeSize - ready.checkpointSize} not yet signed)
          </dd>
          <dt>Clock</dt>
          <dd>
            {ready.clock.status} (skew {ready.clock.skewSeconds} s)
          </dd>
          <dt>Witnesses</dt>
          <dd>
            {ready.witnesses?.length
              ? ready.witnesses.map((witness) => `${witness.name}: cosigned ${witness.cosignedSize ?? 'nothing'}, ${witness.failures} failures`).join('; ')
              : 'none configured'}
          </dd>
        </dl>
      )}
      {checkpoint && (
        <>
          <h3>Latest checkpoint</h3>
          <pre>{checkpoint}</pre>
        </>
      )}
    </section>
  );
}
