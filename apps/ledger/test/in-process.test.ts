// An identity service that records events in-process: it imports TrailmarkModule and sends commands
// on the CommandBus, no HTTP involved.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CommandBus, EventsHandler, type IEventHandler } from '@nestjs/cqrs';
import { IdentityEventRecorded, RecordIdentityEvent, RecordIdentityEvents, TenantNotAllowedError, type Receipt } from '@trailmark/domain';
import { LedgerCore, TrailmarkModule, loadConfig } from '@trailmark/ledger';
import { hashLeaf, verifyInclusion } from '@trailmark/proofs';

@EventsHandler(IdentityEventRecorded)
class RecordedEvents implements IEventHandler<IdentityEventRecorded> {
  static readonly seen: IdentityEventRecorded[] = [];
  handle(event: IdentityEventRecorded): void {
    RecordedEvents.seen.push(event);
  }
}

@Injectable()
class LoginAudit {
  constructor(private readonly commandBus: CommandBus) {}

  loggedIn(userId: string): Promise<Receipt> {
    return this.commandBus.execute(
      new RecordIdentityEvent(
        { tenant: 'acme', action: 'user.login', outcome: 'success', actor: { type: 'user', id: userId }, targets: [{ type: 'user', id: userId }] },
        ['acme'],
      ),
    );
  }
}

test('TrailmarkModule records events through the CommandBus, into the tree, and tells the EventBus', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'trailmark-in-process-'));

  @Module({
    imports: [TrailmarkModule.forRoot(loadConfig({ TRAILMARK_DATA_DIR: dataDir, TRAILMARK_CHECKPOINT_INTERVAL_MS: '50' }))],
    providers: [LoginAudit, RecordedEvents],
  })
  class IdentityServiceModule {}

  const app = await NestFactory.createApplicationContext(IdentityServiceModule, { logger: false });
  try {
    const audit = app.get(LoginAudit);
    const first = await audit.loggedIn('u_1');
    const second = await audit.loggedIn('u_2');
    expect([first.leafIndex, second.leafIndex]).toEqual([0n, 1n]);

    const batch = await app.get(CommandBus).execute(
      new RecordIdentityEvents([
        { tenant: 'acme', action: 'user.logout', outcome: 'success', actor: { type: 'user', id: 'u_1' }, targets: [{ type: 'user', id: 'u_1' }] },
        { tenant: 'acme', action: 'role.granted', outcome: 'success', actor: { type: 'user', id: 'admin' }, targets: [{ type: 'user', id: 'u_2' }, { type: 'role', id: 'auditor' }] },
      ]),
    );
    expect(batch.map((receipt) => receipt.leafIndex)).toEqual([2n, 3n]);
    await expect(app.get(CommandBus).execute(new RecordIdentityEvent({ tenant: 'globex', action: 'user.login', outcome: 'success', actor: { type: 'user', id: 'u' }, targets: [{ type: 'user', id: 'u' }] }, ['acme']))).rejects.toThrow(
      TenantNotAllowedError,
    );
    // Reserved actions are the service's own: a client on the CommandBus cannot send them.
    await expect(
      app.get(CommandBus).execute(new RecordIdentityEvent({ tenant: 'acme', action: 'audit_log.read', outcome: 'success', actor: { type: 'api_key', id: 'x' } })),
    ).rejects.toMatchObject({ code: 'invalid_event', field: 'action' });

    const core = app.get(LedgerCore);
    const checkpoint = await core.checkpointCovering(4n);
    const leaf = (await core.recorder.readLeaf(core.index.leafAt(3n)!)).data;
    verifyInclusion(3n, checkpoint.size, hashLeaf(leaf), core.tree.proveInclusion(3n, checkpoint.size), checkpoint.root);
    expect(RecordedEvents.seen.map((event) => event.envelope.action)).toEqual(['user.login', 'user.login', 'user.logout', 'role.granted']);
  } finally {
    await app.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});
