import { Command, CommanderError } from 'commander';
import { join, resolve } from 'node:path';
import { cosignerFromSigner, generateNoteKey, parseSignerKey } from '@trailmark/checkpoint';
import { ConfigError, DEFAULT_ORIGIN, loadConfig, loadLogLevel } from './config.js';
import { verifyDataDir } from './verify/verify-data-dir.js';
import { DEFAULT_WITNESS_NAME, serveWitness, WITNESS_DB_FILE } from './witness/witness-server.js';

const EXIT_BAD_INPUT = 2;

/** The `trailmark` command: serve, verify, projections rebuild, tiles export, keygen. Returns the exit status (serve keeps running). */
export async function main(argv: string[]): Promise<number> {
  let status = 0;
  const program = new Command('trailmark')
    .description('Trailmark: a tamper-evident audit ledger for identity events')
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, 'trailmark: ')) });

  program
    .command('serve')
    .description('run the ledger service (configuration from the environment; see the README)')
    .action(async () => {
      // Loaded here: Nest and Fastify cost a second or two to import, which verify and keygen need not pay.
      const { serve } = await import('./serve.js');
      await serve();
    });

  program
    .command('verify')
    .description(
      'check a stopped ledger offline: recompute every leaf from the stored events, rebuild the tree and check ' +
        'every stored checkpoint against it and the log key; names the first leaf that does not match (exit 1)',
    )
    .option('--data-dir <dir>', 'the ledger data directory', process.env.TRAILMARK_DATA_DIR ?? './data')
    .option(
      '--key <verifier key>',
      'the log\'s verifier key "<name>+<8 hex>+<base64>" (or a file holding it) to check the checkpoints with; ' +
        'default: the key of TRAILMARK_SIGNING_KEY, else of signing.key in the data dir',
    )
    .action(async (options: { dataDir: string; key?: string }) => {
      status = await verifyDataDir(options.dataDir, { ...(options.key !== undefined && { key: options.key }) });
    });

  program
    .command('projections')
    .description('the read models behind search, export and access review')
    .command('rebuild')
    .description(
      'drop the read models and project the whole log again from the event store (configuration from the ' +
        'environment, as for serve); run it with the ledger stopped',
    )
    .action(async () => {
      const { rebuildProjections } = await import('./core/rebuild-projections.js');
      await rebuildProjections(loadConfig());
    });

  program
    .command('tiles')
    .description('the log as C2SP tlog-tiles (the API the service serves under TRAILMARK_TILES_PREFIX)')
    .command('export')
    .description(
      'write the log of a data dir as the tlog-tiles tree of files (checkpoint, tile/..., tile/entries/...) as of ' +
        'its latest checkpoint, to serve from any static host or object store; again into the same dir, it adds ' +
        'only what is new. The ledger may keep running.',
    )
    .requiredOption('--out <dir>', 'the directory to write (it becomes the tiles prefix)')
    .option('--data-dir <dir>', 'the ledger data directory', process.env.TRAILMARK_DATA_DIR ?? './data')
    .action(async (options: { out: string; dataDir: string }) => {
      const { exportTiles } = await import('./core/export-tiles.js');
      status = exportTiles(options.dataDir, options.out);
    });

  program
    .command('keygen')
    .description('make a new Ed25519 log key: prints the signer key (TRAILMARK_SIGNING_KEY) and the verifier key')
    .option('--origin <origin>', "the log's origin, which is the key's name", DEFAULT_ORIGIN)
    .action((options: { origin: string }) => {
      let keys: { signerKey: string; verifierKey: string };
      try {
        keys = generateNoteKey(options.origin);
      } catch (error) {
        throw new ConfigError(`--origin ${JSON.stringify(options.origin)}: ${(error as Error).message}`);
      }
      const { signerKey, verifierKey } = keys;
      process.stdout.write(`TRAILMARK_SIGNING_KEY=${signerKey}\n# verifier key (publish it to auditors):\n${verifierKey}\n`);
    });

  const witness = program.command('witness').description('run a C2SP tlog-witness that cosigns other logs\' checkpoints');
  witness
    .command('serve')
    .description(
      'serve POST /add-checkpoint (C2SP tlog-witness) for the logs of a policy file: cosigns a checkpoint only when ' +
        'it is signed by the log\'s key and consistent with the last one it cosigned for that log',
    )
    .option('--logs <file>', 'a C2SP tlog-policy file whose "log <vkey>" lines are the logs to witness', process.env.TRAILMARK_WITNESS_LOGS)
    .option('--data-dir <dir>', 'where the witness keeps its state (witness.db) and key', process.env.TRAILMARK_WITNESS_DATA_DIR ?? './witness-data')
    .option('--name <name>', 'the witness key name, for a key made on first start', DEFAULT_WITNESS_NAME)
    .option('--host <host>', 'address to listen on', process.env.HOST ?? '0.0.0.0')
    .option('--port <port>', 'port to listen on', process.env.PORT ?? '8081')
    .action(async (options: { logs?: string; dataDir: string; name: string; host: string; port: string }) => {
      if (options.logs === undefined) throw new ConfigError('give the logs to witness: --logs FILE or TRAILMARK_WITNESS_LOGS');
      if (!/^\d+$/.test(options.port) || Number(options.port) > 65_535) throw new ConfigError(`--port ${options.port} is not a port`);
      const { createLogger } = await import('./logger.js');
      const logger = createLogger(loadLogLevel());
      const running = await serveWitness({
        logsFile: options.logs,
        dataDir: resolve(options.dataDir),
        key: process.env.TRAILMARK_WITNESS_KEY?.trim() || undefined,
        name: options.name,
        host: options.host,
        port: Number(options.port),
        logger,
      });
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.once(signal, () => void running.close().then(() => process.exit(0)));
      }
      process.stderr.write(
        `\nTrailmark witness listening on ${running.url}\n  state     ${join(resolve(options.dataDir), WITNESS_DB_FILE)}\n` +
          `  policy line for the logs it witnesses:\n    witness ${running.cosigner.name} ${running.cosigner.vkey} ${running.url}\n\n`,
      );
    });
  witness
    .command('keygen')
    .description('make a new witness key: prints the signer key (TRAILMARK_WITNESS_KEY) and its cosignature/v1 vkey')
    .option('--name <name>', 'the witness key name', DEFAULT_WITNESS_NAME)
    .action((options: { name: string }) => {
      let signerKey: string;
      try {
        signerKey = generateNoteKey(options.name).signerKey;
      } catch (error) {
        throw new ConfigError(`--name ${JSON.stringify(options.name)}: ${(error as Error).message}`);
      }
      const { vkey } = cosignerFromSigner(parseSignerKey(signerKey));
      process.stdout.write(`TRAILMARK_WITNESS_KEY=${signerKey}\n# cosignature/v1 vkey, for the "witness" line of a log's policy:\n${vkey}\n`);
    });

  try {
    await program.parseAsync(argv, { from: 'node' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : EXIT_BAD_INPUT;
    if (error instanceof ConfigError) {
      process.stderr.write(`trailmark: ${error.message}\n`);
      return EXIT_BAD_INPUT;
    }
    // A log that forked, a damaged data dir, a port in use: say it plainly, no stack.
    process.stderr.write(`trailmark: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  return status;
}
