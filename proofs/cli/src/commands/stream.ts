import type { Command } from 'commander';
import { verifyStreamLines } from '@trailmark/proofs';
import { parseIndex, readInputText } from '../inputs.js';
import { KEY_HELP, PROGRAM } from '../names.js';
import { loadVerifier } from '../verifier-inputs.js';

/** Adds `trailmark-verify stream` to the program. */
export function addStreamCommand(program: Command, report: (summary: string) => void): void {
  program
    .command('stream')
    .description("check a log-stream receiver's NDJSON file: every record proven in the log, every batch's range complete, no gap")
    .requiredOption('--key <key>', KEY_HELP)
    .option('--from <n>', 'the batches must cover leaves from this index', parseIndex)
    .option('--to <n>', 'the batches must cover leaves below this index', parseIndex)
    .argument('<file>', 'the NDJSON lines the receiver kept (records and batch trailers), or - for stdin')
    .addHelpText('after', `\nExample:\n  ${PROGRAM} stream --key log.vkey --from 0 received.ndjson`)
    .action(async (file: string, options: { key: string; from?: bigint; to?: bigint }) => {
      const verifier = loadVerifier(options.key);
      const lines = (await readInputText(file, 'stream file')).split('\n');
      const summary = verifyStreamLines(lines, verifier, { ...(options.from !== undefined && { from: options.from }), ...(options.to !== undefined && { to: options.to }) });
      const unconfirmed = summary.unconfirmed > 0 ? `; ${summary.unconfirmed} records of batches that never closed ignored` : '';
      report(
        `OK stream ${summary.stream} of tenant ${summary.tenant}: leaves [${summary.from}, ${summary.to}) complete, ` +
          `${summary.records} records in ${summary.batches} batches, proven in the log up to tree size ${summary.treeSize}${unconfirmed}`,
      );
    });
}
