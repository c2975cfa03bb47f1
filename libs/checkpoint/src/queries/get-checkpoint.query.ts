import { Query } from '@nestjs/cqrs';
import type { ServedCheckpoint } from '../served-checkpoint.js';

/** The checkpoint the log serves now; NoCheckpointServedError before there is one. */
export class GetCheckpoint extends Query<ServedCheckpoint> {}
