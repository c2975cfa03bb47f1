import { CommandBus, QueryHandler, type IQueryHandler } from '@nestjs/cqrs';
import { RecordRead, tenantsToRecord } from '@trailmark/domain';
import type { AccessHolding } from '../access.js';
import { tenantHasEvents } from '../tenant-has-events.js';
import { ProjectedLog } from './projected-log.js';
import { ReviewAccess } from './review-access.query.js';

@QueryHandler(ReviewAccess)
export class ReviewAccessHandler implements IQueryHandler<ReviewAccess, AccessHolding[]> {
  constructor(
    private readonly log: ProjectedLog,
    private readonly commandBus: CommandBus,
  ) {}

  async execute({ tenant, at, role, reader }: ReviewAccess): Promise<AccessHolding[]> {
    const treeSize = this.log.treeSize;
    const { readModel } = this.log;
    await this.log.projector.whenProjected(treeSize);
    const holdings = await readModel.accessAt(tenant, at, role);
    const tenants = await tenantsToRecord([tenant], reader.tenants, (named) => tenantHasEvents(readModel, named, treeSize));
    await this.commandBus.execute(new RecordRead(reader.name, 'audit_log.read', tenants, reader.request));
    return holdings;
  }
}
