// A stream to Debian's rsyslog over TCP (RFC 6587 octet counting) and TLS (RFC 5425), read back from its file.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loginEvent, sharedLedger, type ReceiptBody } from '../support/http-api.js';
import { rsyslogAvailable, rsyslogTlsAvailable, startRsyslog, RSYSLOGD } from '../support/rsyslog.js';
import { until } from '../support/stream-receivers.js';

if (!rsyslogAvailable) console.warn(`skipping the syslog stream tests: ${RSYSLOGD} is missing (Debian package rsyslog, and rsyslog-gnutls for TLS)`);
const describeIf = rsyslogAvailable ? describe : describe.skip;
if (rsyslogAvailable && !rsyslogTlsAvailable) console.warn('skipping the syslog TLS stream test: rsyslog-gnutls (lmnsd_gtls.so) or openssl is missing');

const { api } = sharedLedger(() => ({ TRAILMARK_STREAM_ALLOW_PRIVATE: '1', TRAILMARK_STREAM_RETRY_INITIAL_MS: '20', TRAILMARK_STREAM_RETRY_MAX_MS: '200' }));

describeIf('log streams to rsyslog', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'trailmark-rsyslog-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test.each([
    ['TCP, CEF', false, 'cef'],
    ...(rsyslogTlsAvailable ? [['TLS, native JSON', true, 'native'] as const] : []),
  ] as const)('over %s: every event as an RFC 5424 message with its leaf index and id, in order, then the batch trailer', async (_name, tls, format) => {
    const rsyslog = await startRsyslog(dir, { tls });
    const tenant = `syslog-${format}`;
    try {
      const receipts: ReceiptBody[] = [];
      for (let i = 0; i < 8; i++) receipts.push(await api().record(loginEvent({ tenant, outcome: i % 2 ? 'failure' : 'success', reason: 'a | b = c' })));
      const created = await api().post<{ id: string }>(`/v1/tenants/${tenant}/streams`, {
        name: 'rsyslog',
        sink: { type: 'syslog', host: '127.0.0.1', port: rsyslog.port, tls, ...(rsyslog.caPem && { caPem: rsyslog.caPem }) },
        format,
        filter: { actions: ['user.login'] },
        start: { leaf: 0 },
      });
      expect(created.status).toBe(201);
      const records = () => rsyslog.lines().filter((line) => !line.includes(' trailmark.batch '));
      const trailers = () =>
        rsyslog
          .lines()
          .filter((line) => line.includes(' trailmark.batch '))
          .map((line) => JSON.parse(line.slice(line.indexOf('{'))) as Record<string, unknown>);
      await until(() => records().length >= receipts.length && rsyslog.lines().some((line) => line.includes(' trailmark.batch ')));
      const lines = records();
      expect(lines).toHaveLength(receipts.length);
      lines.forEach((line, i) => {
        const receipt = receipts[i]!;
        // <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG; facility 13 (log audit), severity 6 or 4.
        expect(line).toMatch(new RegExp(`^<${13 * 8 + (i % 2 ? 4 : 6)}>1 ${receipt.time.replace(/\./g, '\\.')} \\S+ trailmark - user\\.login \\[trailmark@32473 leafIndex="${receipt.leafIndex}" id="${receipt.id}" tenant="${tenant}"\\] `));
        if (format === 'cef') {
          expect(line).toContain(`CEF:0|Trailmark|Trailmark|`);
          expect(line).toContain(`externalId=${receipt.id}`);
          expect(line).toContain(`cn1Label=leafIndex cn1=${receipt.leafIndex}`);
          expect(line).toContain('reason=a | b \\= c');
        } else {
          const json = JSON.parse(line.slice(line.indexOf('{')));
          expect(json).toMatchObject({ leafIndex: receipt.leafIndex, id: receipt.id });
        }
      });
      // The batches' trailers close contiguous ranges and count every record.
      await until(() => trailers().reduce((sum, trailer) => sum + (trailer.records as number), 0) >= receipts.length);
      const closed = trailers();
      for (const trailer of closed) expect(trailer).toMatchObject({ trailmark: 'trailmark-stream-batch/2', tenant });
      closed.slice(1).forEach((trailer, i) => expect(trailer.from).toBe(closed[i]!.to));
      expect(closed.reduce((sum, trailer) => sum + (trailer.records as number), 0)).toBe(receipts.length);
    } finally {
      await rsyslog.stop();
    }
  });

  test('rsyslog down, then back on the same port: the stream resends, nothing is missing', async () => {
    let rsyslog = await startRsyslog(dir);
    const tenant = 'syslog-outage';
    const created = await api().post<{ id: string }>(`/v1/tenants/${tenant}/streams`, {
      name: 'rsyslog',
      sink: { type: 'syslog', host: '127.0.0.1', port: rsyslog.port, tls: false },
      filter: { actions: ['user.login'] },
    });
    expect(created.status).toBe(201);
    const port = rsyslog.port;
    await rsyslog.stop();
    const receipts: ReceiptBody[] = [];
    for (let i = 0; i < 5; i++) receipts.push(await api().record(loginEvent({ tenant })));
    await until(async () => (await api().get<{ failedAttempts: number }>(`/v1/tenants/${tenant}/streams/${created.json.id}`)).json.failedAttempts > 0);
    rsyslog = await startRsyslog(dir, { port });
    try {
      const ids = () => new Set(rsyslog.lines().map((line) => line.match(/ id="([^"]+)"/)?.[1]));
      await until(() => receipts.every((receipt) => ids().has(receipt.id)));
    } finally {
      await rsyslog.stop();
    }
  });
});
