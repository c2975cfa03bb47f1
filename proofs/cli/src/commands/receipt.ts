import type { Command } from 'commander';
import { type Checkpoint, parseTlogProof, verifyReceipt } from '@trailmark/proofs';
import { checkWitnessed, loadPolicy, POLICY_HELP } from '../policy.js';
import { assertOneStdin, readInput, readInputText } from '../inputs.js';
import { KEY_HELP, PROGRAM } from '../names.js';
import { describe, leafHint, loadVerifier, withContext } from '../verifier-inputs.js';

/** Adds `trailmark-verify receipt` to the program. */
export function addReceiptCommand(program: Command, report: (summary: string) => void): void {
  program
    .command('receipt')
    .description('check a receipt (a C2SP tlog-proof: index, inclusion proof and signed checkpoint) for a leaf')
    .requiredOption('--key <key>', KEY_HELP)
    .requiredOption('--leaf <file>', 'leaf bytes, exactly as logged (the JCS envelope)')
    .option('--policy <file>', POLICY_HELP)
    .argument('<tlog-proof>', 'tlog-proof file, or - for stdin')
    .addHelpText(
      'after',
      `\nExample:\n  curl -s -H "Authorization: Bearer $TOKEN" https://log.example.com/v1/events/$ID | jq -r .leaf | base64 -d > leaf.json\n` +
        `  curl -s -H "Authorization: Bearer $TOKEN" -H 'Accept: text/x.tlog-proof' \\\n` +
        `    https://log.example.com/v1/events/$ID/proof > receipt.txt\n` +
        `  ${PROGRAM} receipt --key log.vkey --leaf leaf.json receipt.txt`,
    )
    .action(async (file: string, options: { key: string; leaf: string; policy?: string }) => {
      assertOneStdin({ '--leaf': options.leaf, '<tlog-proof>': file });
      const verifier = loadVerifier(options.key);
      const policy = options.policy === undefined ? undefined : loadPolicy(options.policy);
      const leaf = await readInput(options.leaf, 'leaf');
      const receipt = await readInputText(file, 'tlog-proof');
      let verified: { checkpoint: Checkpoint; index: bigint };
      try {
        verified = verifyReceipt(leaf, receipt, verifier);
      } catch (error) {
        throw withContext(error, `receipt ${file}`, leafHint(leaf));
      }
      const witnessed = checkWitnessed(parseTlogProof(receipt).checkpoint, verifier, policy, `receipt ${file}`);
      report(`OK receipt: leaf ${verified.index} in ${describe(verified.checkpoint)}${witnessed}`);
    });
}
