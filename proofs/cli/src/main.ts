// trailmark-verify: the auditor's command-line verifier, a package of its own so that the library
// (@trailmark/proofs) depends on nothing but the two noble packages. The commands (commands/) do the
// I/O (files, stdin, the network, a state directory); the checks themselves are the library's. Exit status: 0 verified, 1 verification
// failed (a proof, signature or checkpoint does not check out, or a monitored log
// shrank or forked; for `bundle`, anything wrong inside the bundle), 2 the input
// could not be read (bad file, option or usage).
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { FormatError, VerificationError } from '@trailmark/proofs';
import { BundleFailure, InputError } from './cli-errors.js';
import { addBundleCommand } from './commands/bundle.js';
import { addCheckpointCommand } from './commands/checkpoint.js';
import { addConsistencyCommand } from './commands/consistency.js';
import { addInclusionCommand } from './commands/inclusion.js';
import { addMonitorCommand } from './commands/monitor.js';
import { addReceiptCommand } from './commands/receipt.js';
import { addStreamCommand } from './commands/stream.js';
import { PROGRAM } from './names.js';

const EXIT_VERIFIED = 0;
const EXIT_FAILED = 1;
const EXIT_BAD_INPUT = 2;

/**
 * Runs the CLI on `argv` as Node gives it (`[node, script, ...args]`) and returns
 * the exit status. Writes the summary to stdout and failures to stderr.
 */
export async function main(argv: string[]): Promise<number> {
  let summary = '';
  const program = buildProgram((line) => {
    summary = line;
  });
  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (error) {
    return reportFailure(error);
  }
  if (summary !== '') process.stdout.write(`${summary}\n`);
  return EXIT_VERIFIED;
}

function reportFailure(error: unknown): number {
  // Commander has already printed its own message (or the help text).
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_VERIFIED : EXIT_BAD_INPUT;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof BundleFailure) {
    process.stderr.write(`${message}\n`);
    return EXIT_FAILED;
  }
  if (error instanceof VerificationError) {
    process.stderr.write(`${PROGRAM}: ${message}\n`);
    return EXIT_FAILED;
  }
  if (error instanceof FormatError || error instanceof InputError) {
    process.stderr.write(`${PROGRAM}: ${message}\n`);
    return EXIT_BAD_INPUT;
  }
  process.stderr.write(`${PROGRAM}: unexpected error: ${error instanceof Error ? error.stack : message}\n`);
  return EXIT_BAD_INPUT;
}

function buildProgram(report: (summary: string) => void): Command {
  const program = new Command(PROGRAM)
    .description(
      'Verify a Trailmark log: signed checkpoints, inclusion proofs, consistency proofs, receipts and ' +
        'evidence bundles (offline), and monitor a live log for forks.',
    )
    .version(packageVersion())
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, `${PROGRAM}: `)) })
    .showHelpAfterError(`(run ${PROGRAM} --help for usage)`)
    .addHelpText(
      'after',
      '\nExit status: 0 verified, 1 verification failed (or the log shrank or forked), 2 bad input or usage.\n' +
        'Files may be given as "-" to read stdin.',
    );

  addCheckpointCommand(program, report);
  addInclusionCommand(program, report);
  addConsistencyCommand(program, report);
  addReceiptCommand(program, report);
  addBundleCommand(program, report);
  addStreamCommand(program, report);
  addMonitorCommand(program, report);

  for (const command of program.commands) {
    command.showHelpAfterError(`(run ${PROGRAM} ${command.name()} --help for usage and an example)`);
  }
  return program;
}

function packageVersion(): string {
  // dist/main.js → ../package.json, the package this file ships in.
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  const version = (manifest as { version?: unknown }).version;
  return typeof version === 'string' ? version : 'unknown';
}
