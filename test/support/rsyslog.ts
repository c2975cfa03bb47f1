// Debian's rsyslogd, started by a test on loopback with its own configuration, pid file and work directory (never
// the system's): imtcp on a free port (octet-counted framing, plain or TLS through gtls), every message written raw
// to a file the test reads back.
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export const RSYSLOGD = '/usr/sbin/rsyslogd';
export const rsyslogAvailable = existsSync(RSYSLOGD);
/** TLS needs rsyslog's GnuTLS driver (Debian package rsyslog-gnutls) and openssl to make the test certificate. */
export const rsyslogTlsAvailable =
  ['/usr/lib/x86_64-linux-gnu/rsyslog', '/usr/lib/aarch64-linux-gnu/rsyslog', '/usr/lib/rsyslog'].some((dir) => existsSync(join(dir, 'lmnsd_gtls.so'))) &&
  existsSync('/usr/bin/openssl');

export interface Rsyslog {
  readonly port: number;
  /** The CA (here the self-signed certificate itself) a TLS client must trust. */
  readonly caPem?: string;
  /** The messages written so far, one a line. */
  lines(): string[];
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function listening(port: number, child: ChildProcess, output: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`rsyslogd exited with ${child.exitCode}: ${output()}`);
    const up = await new Promise<boolean>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (up) return;
    await sleep(50);
  }
}

export async function startRsyslog(dir: string, options: { tls?: boolean; port?: number } = {}): Promise<Rsyslog> {
  const port = options.port ?? (await freePort());
  const work = join(dir, 'rsyslog-work');
  mkdirSync(work, { recursive: true });
  const out = join(dir, 'received.log');
  let caPem: string | undefined;
  let tlsGlobals = '';
  let driver = '';
  if (options.tls) {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { stdio: 'ignore' });
    caPem = readFileSync(cert, 'utf8');
    tlsGlobals = `DefaultNetstreamDriverCAFile="${cert}" DefaultNetstreamDriverCertFile="${cert}" DefaultNetstreamDriverKeyFile="${key}"`;
    driver = 'StreamDriver.Name="gtls" StreamDriver.Mode="1" StreamDriver.AuthMode="anon"';
  }
  const config = join(dir, 'rsyslog.conf');
  writeFileSync(
    config,
    [
      `global(workDirectory="${work}" ${tlsGlobals})`,
      `module(load="imtcp" ${driver})`,
      `template(name="raw" type="string" string="%rawmsg%\\n")`,
      `ruleset(name="received") { action(type="omfile" file="${out}" template="raw" flushOnTXEnd="on" asyncWriting="off") }`,
      `input(type="imtcp" address="127.0.0.1" port="${port}" ruleset="received")`,
      '',
    ].join('\n'),
  );
  const child = spawn(RSYSLOGD, ['-n', '-f', config, '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await listening(port, child, () => output);
  return {
    port,
    ...(caPem !== undefined && { caPem }),
    lines: () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').filter((line) => line !== '') : []),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}
