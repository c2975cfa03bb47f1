import type { Command } from 'commander';
import { encodeBase64, verifyConsistency } from '@trailmark/proofs';
import { checkWitnessed, loadPolicy, POLICY_HELP } from '../policy.js';
import { assertOneStdin, readInput, readInputText } from '../inputs.js';
import { KEY_HELP, PROGRAM } from '../names.js';
import { loadVerifier, openCheckpointFile, parseProofLines, withContext } from '../verifier-inputs.js';

/** Adds `trailmark-verify consistency` to the program. */
export function addConsistencyCommand(program: Command, report: (summary: string) => void): void {
  program
    .command('consistency')
    .description('check that a newer signed checkpoint extends an older one (the log only grew)')
    .requiredOption('--key <key>', KEY_HELP)
    .requiredOption('--old <file>', 'the older signed checkpoint')
    .requiredOption('--new <file>', 'the newer signed checkpoint')
    .requiredOption('--proof <file>', 'consistency proof: base64 hashes, one a line')
    .option('--policy <file>', `${POLICY_HELP} (both checkpoints)`)
    .addHelpText(
      'after',
      `\nExample:\n  ${PROGRAM} consistency --key log.vkey --old checkpoint-1000.txt --new checkpoint-2000.txt --proof proof.txt`,
    )
    .action(async (options: { key: string; old: string; new: string; proof: string; policy?: string }) => {
      assertOneStdin({ '--old': options.old, '--new': options.new, '--proof': options.proof });
      const verifier = loadVerifier(options.key);
      const policy = options.policy === undefined ? undefined : loadPolicy(options.policy);
      const olderNote = await readInput(options.old, 'old checkpoint');
      const newerNote = await readInput(options.new, 'new checkpoint');
      const older = openCheckpointFile(olderNote, options.old, verifier);
      const newer = openCheckpointFile(newerNote, options.new, verifier);
      checkWitnessed(olderNote, verifier, policy, `old checkpoint ${options.old}`);
      const witnessed = checkWitnessed(newerNote, verifier, policy, `new checkpoint ${options.new}`);
      const proof = parseProofLines(await readInputText(options.proof, 'proof'), `proof ${options.proof}`);
      try {
        verifyConsistency(older.size, newer.size, proof, older.root, newer.root);
      } catch (error) {
        throw withContext(error, `checkpoint of size ${newer.size} is not consistent with the one of size ${older.size}`);
      }
      report(`OK consistency ${newer.origin} size ${older.size} → ${newer.size} root ${encodeBase64(newer.root)}${witnessed}`);
    });
}
