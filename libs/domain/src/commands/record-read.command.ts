import { Command } from '@nestjs/cqrs';

export type ReadAction = 'audit_log.read' | 'audit_log.exported';

/** What a read asked for, as its event's detail records it. */
export interface ReadRequest {
  readonly endpoint: string;
  readonly query: Record<string, string>;
}

/**
 * Reads of the log are events of the log: each search, export, access review and read of one event (or its proof)
 * is recorded as `audit_log.read` or `audit_log.exported` in every tenant it read, before the data is sent, with
 * the token's name as actor and the query in the detail (salted, like any detail).
 */
export class RecordRead extends Command<void> {
  constructor(
    /** The name of the token that read. */
    readonly reader: string,
    readonly action: ReadAction,
    readonly tenants: readonly string[],
    readonly request: ReadRequest,
  ) {
    super();
  }
}
