import { join } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../cli-errors.js';
import { parseSeconds } from '../inputs.js';
import { defaultStateDir, monitor, parseBaseUrl } from '../log-monitor.js';
import { KEY_HELP, PROGRAM, TOKEN_ENV } from '../names.js';
import { followTiles, monitorTiles, parseTilesPrefix, TILES_STATE_FILE } from '../tiles-monitor.js';
import { loadVerifier } from '../verifier-inputs.js';

/** Adds `trailmark-verify monitor` to the program. */
export function addMonitorCommand(program: Command, report: (summary: string) => void): void {
  program
    .command('monitor')
    .summary("follow a log through its public tiles API: every new entry and tile checked against its checkpoint")
    .description(
      "Fetch the log's signed checkpoint from its C2SP tlog-tiles API (--url), check that it extends the last one " +
        'this monitor verified (kept in --state), download the entry bundles and hash tiles it adds, rebuild the tree ' +
        'from the entries and check every tile and the root against the checkpoint. Reads nothing but the tiles ' +
        'API, so it works against any static copy (`trailmark tiles export`), over http(s) or file://. Exit 1 ' +
        'means the log shrank, forked, or serves entries or tiles that are not those it signed; the conflicting ' +
        'checkpoint is kept as evidence. With --follow it keeps polling.\n\n' +
        'Legacy form: `monitor <url>` checks only checkpoints and consistency proofs through the /v1/log API, ' +
        'with --state naming a directory.',
    )
    .argument('[url]', 'legacy: the log base URL, e.g. https://log.example.com (its /v1/log API)')
    .requiredOption('--key <key>', KEY_HELP)
    .option('--url <prefix>', "the log's tiles prefix, e.g. https://log.example.com/log/ or file:///srv/log/")
    .option('--state <path>', `the state file (default ~/.${PROGRAM}/<origin>/${TILES_STATE_FILE}); legacy form: a directory`)
    .option('--follow', 'keep polling, verifying each new checkpoint, until a check fails')
    .option('--interval <seconds>', 'seconds between two polls with --follow', parseSeconds, 10)
    .option('--token <token>', `a bearer token for logs that serve entry bundles to auditors only (default: $${TOKEN_ENV})`)
    .addHelpText(
      'after',
      `\nExamples:\n  ${PROGRAM} monitor --url https://log.example.com/log/ --key /etc/trailmark/log.vkey\n` +
        `  ${PROGRAM} monitor --url https://log.example.com/log/ --key log.vkey --follow --interval 30\n` +
        `  ${PROGRAM} monitor --url file:///srv/trailmark-tiles/ --key log.vkey --state tiles-state.json`,
    )
    .action(async (url: string | undefined, options: { key: string; url?: string; state?: string; follow?: boolean; interval: number; token?: string }) => {
      const verifier = loadVerifier(options.key);
      const token = options.token ?? (process.env[TOKEN_ENV] || undefined);
      if (options.url !== undefined) {
        if (url !== undefined) throw new InputError('give the log either as --url <tiles prefix> or as the legacy <url>, not both');
        const prefix = parseTilesPrefix(options.url);
        const statePath = options.state ?? join(defaultStateDir(verifier.name), TILES_STATE_FILE);
        if (!options.follow) {
          report(await monitorTiles(prefix, verifier, statePath, token));
          return;
        }
        await followTiles(prefix, verifier, statePath, options.interval * 1000, token);
        return;
      }
      if (url === undefined) throw new InputError('give the log\'s tiles prefix with --url (e.g. --url https://log.example.com/log/)');
      if (options.follow) throw new InputError('--follow needs --url: the legacy form checks once');
      report(await monitor(parseBaseUrl(url), verifier, options.state ?? defaultStateDir(verifier.name)));
    });
}
