import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/**
 * The log's high-water mark: the signed note of the latest checkpoint it served, kept apart from its checkpoint
 * store so that a store put back from an older backup cannot make the log forget what it already signed. The
 * publisher records a checkpoint here before serving it; on start it refuses to sign if the store or the tree
 * fall behind the mark.
 */
export interface CheckpointMark {
  /** Where the mark lives, for messages. */
  readonly description: string;
  /** The note last recorded; undefined when none was. */
  read(): string | undefined;
  /** Records `note` as the latest, durably, before it returns. */
  record(note: string): void;
}

/**
 * The mark as one file (the service's `checkpoint.latest`), replaced atomically: the note goes to a temporary
 * file beside it, which is synced, renamed over the mark, and the directory synced, so a crash at any point
 * leaves either the old note or the new one, whole.
 */
export class FileCheckpointMark implements CheckpointMark {
  readonly description: string;

  constructor(private readonly path: string) {
    this.description = path;
  }

  read(): string | undefined {
    try {
      return readFileSync(this.path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  record(note: string): void {
    const temporary = join(dirname(this.path), `.${basename(this.path)}.tmp`);
    const file = openSync(temporary, 'w', 0o644);
    try {
      writeSync(file, note);
      fsyncSync(file);
    } finally {
      closeSync(file);
    }
    renameSync(temporary, this.path);
    const directory = openSync(dirname(this.path), 'r');
    try {
      fsyncSync(directory);
    } finally {
      closeSync(directory);
    }
  }
}
