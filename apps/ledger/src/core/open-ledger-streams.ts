import { createRequire } from 'node:module';
import { loadStreamSettings } from '../stream-settings.js';
import type { LedgerCore } from './ledger-core.js';
import { LedgerStreams } from './ledger-streams.js';
import { recordStreamFailing } from './stream-audit.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/** The ledger's streams, wired to its store, index, tree, recorder and checkpoints; started. */
export function openLedgerStreams(core: LedgerCore, onError: (error: Error) => void): LedgerStreams {
  const streams = new LedgerStreams({
    dataDir: core.config.dataDir,
    settings: core.config.streams ?? loadStreamSettings({}),
    store: core.store,
    index: core.index,
    tree: core.tree,
    recorder: core.recorder,
    latestCheckpoint: () => core.publisher.latest(),
    waitForCheckpoint: (size) => core.publisher.waitFor(size),
    product: { name: 'Trailmark', vendorName: 'Trailmark', version },
    logName: core.signer.name,
    onFailing: (stream, error, turned) => {
      onError(new Error(`stream ${stream.id} of tenant ${stream.tenant} is failing: ${error.message}`));
      if (turned) recordStreamFailing(core.recorder, stream, error).catch(onError);
    },
  });
  streams.start();
  return streams;
}
