import type { Command } from 'commander';
import { checkWitnessed, loadPolicy, POLICY_HELP } from '../policy.js';
import { readInput } from '../inputs.js';
import { KEY_HELP, PROGRAM } from '../names.js';
import { describe, loadVerifier, openCheckpointFile } from '../verifier-inputs.js';

/** Adds `trailmark-verify checkpoint` to the program. */
export function addCheckpointCommand(program: Command, report: (summary: string) => void): void {
  program
    .command('checkpoint')
    .description("check a signed checkpoint's signature and print its origin, size and root")
    .requiredOption('--key <key>', KEY_HELP)
    .option('--policy <file>', POLICY_HELP)
    .argument('<checkpoint>', 'signed checkpoint file, or - for stdin')
    .addHelpText(
      'after',
      `\nExample:\n  curl -s https://log.example.com/v1/log/checkpoint | ${PROGRAM} checkpoint --key log.vkey -`,
    )
    .action(async (file: string, options: { key: string; policy?: string }) => {
      const verifier = loadVerifier(options.key);
      const policy = options.policy === undefined ? undefined : loadPolicy(options.policy);
      const note = await readInput(file, 'checkpoint');
      const checkpoint = openCheckpointFile(note, file, verifier);
      const witnessed = checkWitnessed(note, verifier, policy, `checkpoint ${file}`);
      report(`OK checkpoint ${describe(checkpoint)}${witnessed}`);
    });
}
