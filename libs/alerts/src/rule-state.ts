/** A triggering event remembered in a window: enough to name it as evidence and to count distinct values. */
export interface Mark {
  readonly id: string;
  readonly leafIndex: number;
  /** Server time, milliseconds since the epoch. */
  readonly at: number;
  /** What the mark counts when distinct values matter (the user a login tried, ...). */
  readonly value?: string;
}

/**
 * What a rule may remember between events, for one tenant and one rule (the engine gives each rule its own view).
 * Everything in it expires: marks with their window, values at the time given. So the state is bounded by the
 * windows and by `keep`, never by the length of the log.
 */
export interface RuleState {
  /**
   * Adds `mark` under `key` and answers the marks of the last `windowMs` up to it, oldest first: at most the
   * `keep` latest; with `distinct`, one per value (the latest). The answer is the window itself, changed by the
   * next call for `key`: read it (or return it in a Finding, which the engine copies) before then.
   */
  remember(key: string, mark: Mark, windowMs: number, keep: number, distinct?: boolean): readonly Mark[];
  /** The marks under `key` of the `windowMs` before `now`, oldest first. */
  recent(key: string, now: number, windowMs: number): readonly Mark[];
  forget(key: string): void;
  /** A value set under `key` and not expired at `now`. */
  get<T>(key: string, now: number): T | undefined;
  /** Keeps `value` (JSON data) under `key` until `expiresAt` (milliseconds since the epoch). */
  set(key: string, value: unknown, expiresAt: number): void;
}

interface MarkList {
  marks: Mark[];
  expiresAt: number;
}

interface Kept {
  value: unknown;
  expiresAt: number;
}

/** The whole state as JSON data, for the engine's snapshot. */
export interface WindowedStateSnapshot {
  readonly marks: [string, number, Mark[]][];
  readonly values: [string, unknown, number][];
}

/** Every tenant's and rule's state in two maps keyed by "<scope>\u0000<key>"; sweep() drops what expired. */
export class WindowedState {
  private readonly marks = new Map<string, MarkList>();
  private readonly values = new Map<string, Kept>();
  private readonly scopes = new Map<string, RuleState>();

  static restore(snapshot: WindowedStateSnapshot): WindowedState {
    const state = new WindowedState();
    for (const [key, expiresAt, marks] of snapshot.marks) state.marks.set(key, { marks, expiresAt });
    for (const [key, value, expiresAt] of snapshot.values) state.values.set(key, { value, expiresAt });
    return state;
  }

  snapshot(): WindowedStateSnapshot {
    return {
      marks: [...this.marks].map(([key, list]) => [key, list.expiresAt, list.marks]),
      values: [...this.values].map(([key, kept]) => [key, kept.value, kept.expiresAt]),
    };
  }

  /** How many keys are held: what the bench watches stay flat. */
  get size(): number {
    return this.marks.size + this.values.size;
  }

  /** Forgets what expired before `now`. */
  sweep(now: number): void {
    for (const [key, list] of this.marks) if (list.expiresAt < now) this.marks.delete(key);
    for (const [key, kept] of this.values) if (kept.expiresAt < now) this.values.delete(key);
  }

  /** The view of one scope (a tenant and a rule), made once: the engine asks for it for every rule and event. */
  scope(scope: string): RuleState {
    let view = this.scopes.get(scope);
    if (!view) {
      view = this.view(scope);
      this.scopes.set(scope, view);
    }
    return view;
  }

  private view(scope: string): RuleState {
    const full = (key: string) => `${scope}\u0000${key}`;
    return {
      remember: (key, mark, windowMs, keep, distinct = false) => {
        const name = full(key);
        const list = this.marks.get(name);
        if (!list) {
          const marks = [mark];
          this.marks.set(name, { marks, expiresAt: mark.at + windowMs });
          return marks;
        }
        // In place: the list is the window itself (a rule reads what it is answered before the next event), and
        // judging a million events should not allocate a million arrays.
        const marks = list.marks;
        const since = mark.at - windowMs;
        let kept = 0;
        for (const old of marks) if (old.at >= since && !(distinct && old.value === mark.value)) marks[kept++] = old;
        marks.length = kept;
        marks.push(mark);
        if (marks.length > keep) marks.splice(0, marks.length - keep);
        list.expiresAt = mark.at + windowMs;
        return marks;
      },
      recent: (key, now, windowMs) => (this.marks.get(full(key))?.marks ?? []).filter((mark) => mark.at >= now - windowMs),
      forget: (key) => {
        this.marks.delete(full(key));
        this.values.delete(full(key));
      },
      get: <T>(key: string, now: number) => {
        const kept = this.values.get(full(key));
        return kept && kept.expiresAt >= now ? (kept.value as T) : undefined;
      },
      set: (key, value, expiresAt) => {
        this.values.set(full(key), { value, expiresAt });
      },
    };
  }
}
