export { type IntegratedLeaf, type LedgerIndex } from './ledger-index.js';
export { SqliteLedgerIndex } from './sqlite-ledger-index.js';
export { Sequencer, SequencerStoppedError } from './sequencer.js';
