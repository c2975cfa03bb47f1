import { parseEnvelope } from '@trailmark/domain';
import type { RecordedEvent } from '@trailmark/event-store';
import { UnreadableEventError, projectEvent } from '@trailmark/projections';
import { EventLog, Random, memoryStore, randomBodies } from './support/identity-events.js';

const utf8 = new TextEncoder();

/** Stored events of every kind the generator makes, read back from a real store. */
async function storedEvents(count: number): Promise<RecordedEvent[]> {
  const store = memoryStore();
  await new EventLog(store).append(randomBodies(new Random(21), count));
  return store.readAll({ from: 'start', streamPrefix: 'identity-', maxCount: count });
}

/** `event` with its leaf's JSON changed by `edit`. */
function withLeaf(event: RecordedEvent, edit: (envelope: Record<string, unknown>) => void): RecordedEvent {
  const envelope = JSON.parse(new TextDecoder().decode(event.data)) as Record<string, unknown>;
  edit(envelope);
  return { ...event, data: utf8.encode(JSON.stringify(envelope)) };
}

describe('projectEvent', () => {
  test('reads the envelope the ledger reads, the leaf bytes as stored and the detail of the metadata', async () => {
    for (const [i, event] of (await storedEvents(60)).entries()) {
      const projected = projectEvent(event, BigInt(i));
      expect(projected.envelope).toEqual(parseEnvelope(event.data));
      expect(projected.leaf).toBe(event.data);
      expect({ leafIndex: projected.leafIndex, id: projected.id, tenant: projected.tenant, time: projected.time }).toEqual({
        leafIndex: BigInt(i),
        id: projected.envelope.id,
        tenant: projected.envelope.tenant,
        time: projected.envelope.time,
      });
      const metadata = JSON.parse(new TextDecoder().decode(event.metadata)) as { detail?: unknown };
      expect(projected.detail).toEqual(metadata.detail);
    }
  });

  test.each<[string, (envelope: Record<string, unknown>) => void]>([
    ['a missing tenant', (envelope) => delete envelope['tenant']],
    ['an empty tenant', (envelope) => (envelope['tenant'] = '')],
    ['a time without microseconds', (envelope) => (envelope['time'] = '2026-03-01T00:00:00Z')],
    ['an actor without an id', (envelope) => (envelope['actor'] = { type: 'user' })],
    ['targets that are not a list', (envelope) => (envelope['targets'] = { type: 'user', id: 'u_1' })],
    ['a target id that is a number', (envelope) => (envelope['targets'] = [{ type: 'user', id: 7 }])],
    ['a reason that is not text', (envelope) => (envelope['reason'] = ['x'])],
  ])('refuses a leaf with %s, naming the leaf and the event', async (_, edit) => {
    const [event] = await storedEvents(1);
    const broken = withLeaf(event!, edit);
    expect(() => projectEvent(broken, 41n)).toThrow(UnreadableEventError);
    expect(() => projectEvent(broken, 41n)).toThrow(`leaf 41 (event ${event!.id})`);
  });

  test('refuses a leaf or metadata that is not UTF-8 JSON, and a detail whose request id is not text', async () => {
    const [event] = await storedEvents(1);
    const notUtf8 = Uint8Array.of(0x7b, 0xff, 0x7d);
    expect(() => projectEvent({ ...event!, data: notUtf8 }, 0n)).toThrow(UnreadableEventError);
    expect(() => projectEvent({ ...event!, metadata: notUtf8 }, 0n)).toThrow(UnreadableEventError);
    expect(() => projectEvent({ ...event!, data: utf8.encode('{"v":1,') }, 0n)).toThrow(UnreadableEventError);
    const badDetail = utf8.encode('{"detail":{"context":{"requestId":17}},"salt":"AAAAAAAAAAAAAAAAAAAAAA=="}');
    expect(() => projectEvent({ ...event!, metadata: badDetail }, 0n)).toThrow(/requestId/);
    expect(projectEvent({ ...event!, metadata: utf8.encode('{}') }, 0n).detail).toBeUndefined();
  });
});
