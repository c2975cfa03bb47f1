import type { Command } from 'commander';
import { type Checkpoint, FormatError, VerificationError, verifyEvidenceBundle } from '@trailmark/proofs';
import { checkWitnessed, loadPolicy, POLICY_HELP } from '../policy.js';
import { BundleFailure } from '../cli-errors.js';
import { openStream } from '../inputs.js';
import { KEY_HELP, PROGRAM } from '../names.js';
import { bundleProgress } from '../progress.js';
import { describe, loadVerifier } from '../verifier-inputs.js';

/** Adds `trailmark-verify bundle` to the program. */
export function addBundleCommand(program: Command, report: (summary: string) => void): void {
  program
    .command('bundle')
    .summary('check an evidence bundle: every event in it is in the tree of its signed checkpoint')
    .description(
      'Check a trailmark-evidence/1 bundle (NDJSON: a header with a signed checkpoint, one line per event ' +
        'with its leaf and inclusion proof, a trailer with the count), as GET /v1/events/export?format=evidence ' +
        'serves it. The file is read as a stream: any size, constant memory. Anything wrong inside the bundle, ' +
        'including a malformed or missing line, fails it (exit 1) naming the line and the event.',
    )
    .requiredOption('--key <key>', KEY_HELP)
    .option('--policy <file>', POLICY_HELP)
    .argument('<bundle>', 'evidence bundle file, or - for stdin')
    .addHelpText(
      'after',
      `\nExample:\n  curl -s -H "Authorization: Bearer $TOKEN" "https://log.example.com/v1/events/export?format=evidence" > evidence.ndjson\n` +
        `  ${PROGRAM} bundle --key log.vkey evidence.ndjson\n` +
        `  # OK bundle: 1204 events verified against log.example.com/log size 1204 root x9Vd…=`,
    )
    .action(async (file: string, options: { key: string; policy?: string }) => {
      const verifier = loadVerifier(options.key);
      const policy = options.policy === undefined ? undefined : loadPolicy(options.policy);
      const input = openStream(file, 'bundle');
      let witnessed = '';
      const progress = bundleProgress(input.size);
      let verified: { checkpoint: Checkpoint; events: number };
      try {
        verified = await verifyEvidenceBundle(input.chunks, verifier, {
          onProgress: ({ events }) => progress.update(events, input.bytesRead()),
          ...(policy !== undefined && { onCheckpoint: (note: string) => (witnessed = checkWitnessed(note, verifier, policy, 'header checkpoint')) }),
        });
      } catch (error) {
        if (error instanceof VerificationError || error instanceof FormatError) {
          throw new BundleFailure(`FAIL bundle: ${error.message}`);
        }
        throw error;
      } finally {
        progress.stop();
      }
      report(`OK bundle: ${verified.events} events verified against ${describe(verified.checkpoint)}${witnessed}`);
    });
}
