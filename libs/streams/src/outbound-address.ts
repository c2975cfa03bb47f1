import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import type { SinkConfig } from './stream-definition.js';

/** A sink's address is in a range streams may not reach: the field, and why. */
export class OutboundAddressError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Ranges a stream may not send to unless the operator allows it (TRAILMARK_STREAM_ALLOW_PRIVATE=1): this host,
 * link-local (cloud metadata services live there), private, shared (CGNAT) and unspecified addresses. A tenant
 * admin must not be able to point the service at its own network.
 */
const BLOCKED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
] as const) {
  BLOCKED.addSubnet(network, prefix, 'ipv6');
}

function blocked(address: string): boolean {
  const mapped = address.match(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i)?.[1];
  if (mapped) return BLOCKED.check(mapped, 'ipv4');
  return BLOCKED.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

/** The host a sink connects to, and the field that names it. */
export function sinkHost(sink: SinkConfig): { host: string; field: string } {
  if (sink.type === 'syslog') return { host: sink.host, field: 'sink.host' };
  return { host: new URL(sink.url).hostname.replace(/^\[(.*)\]$/, '$1'), field: 'sink.url' };
}

/**
 * Refuses a sink whose host is, or resolves to, a blocked address (every address it resolves to is checked),
 * unless `allowPrivate`. Throws OutboundAddressError.
 */
export async function checkOutboundAddress(sink: SinkConfig, allowPrivate: boolean): Promise<void> {
  if (allowPrivate) return;
  const { host, field } = sinkHost(sink);
  const addresses = isIP(host) ? [host] : await resolve(host, field);
  const bad = addresses.find(blocked);
  if (bad !== undefined) {
    throw new OutboundAddressError(
      field,
      `${field} ${host} is a loopback, link-local or private address (${bad}); streams may not reach it unless the operator sets TRAILMARK_STREAM_ALLOW_PRIVATE=1`,
    );
  }
}

async function resolve(host: string, field: string): Promise<string[]> {
  try {
    return (await lookup(host, { all: true })).map((entry) => entry.address);
  } catch (error) {
    throw new OutboundAddressError(field, `${field} ${host} does not resolve: ${(error as Error).message}`);
  }
}
