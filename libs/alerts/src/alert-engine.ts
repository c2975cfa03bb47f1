import { IDENTITY_STREAM_PREFIX } from '@trailmark/domain';
import type { EventStore, Position, RecordedEvent, Subscription } from '@trailmark/event-store';
import { alertId } from './alert-id.js';
import { MAX_EVIDENCE, type AlertDecision, type AlertRecord } from './alert-record.js';
import { LeafCountWaiters } from './leaf-count-waiters.js';
import { observeEvent, type ObservedEvent } from './observed-event.js';
import { HOUR, partyName, type Finding, type Rule } from './rule.js';
import { effectiveSettings, parseRuleOverrides, type EffectiveSettings, type RuleOverrides } from './rule-settings.js';
import { WindowedState, type RuleState, type WindowedStateSnapshot } from './rule-state.js';
import { DEFAULT_RULES } from './rules/index.js';
import { noChanges, type AlertChanges, type SqliteAlertStore } from './sqlite-alert-store.js';

export interface AlertEngineOptions {
  /** The rule pack (default DEFAULT_RULES). */
  readonly rules?: readonly Rule[];
  readonly onError?: (error: Error) => void;
  /**
   * The state is written with the position at least every this many events (default 100,000)... Between two
   * writes only the alerts are written: after a crash the engine judges again the events since the last state,
   * which raises the same alerts under the same ids (nothing twice).
   */
  readonly snapshotEvery?: number;
  /** ...or this many milliseconds (default 5,000), whichever comes first. */
  readonly snapshotMs?: number;
  /** An open alert with no new evidence for this long takes none: the next finding raises a new alert (default 24). */
  readonly quietHours?: number;
}

export interface AlertEngineStatus {
  readonly leafCount: number;
  readonly caughtUp: boolean;
  readonly failure?: Error;
  /** Keys held by the rules' windows and the open alerts: bounded by the windows, not the log. */
  readonly stateKeys: number;
}

/** What the metrics follow. */
export interface AlertListener {
  /** Each alert as it is raised (once per alert, not per evidence). */
  raised?(alert: AlertRecord): void;
  /** Each alert.raised event of an alert this run raised, read back from the log: ms from the triggering event's server time to it. */
  recorded?(alert: AlertRecord, latencyMs: number): void;
  /** After each batch judged. */
  progress?(status: AlertEngineStatus): void;
}

/** The engine stopped, or failed, before it reached a leaf someone waits for. */
export class AlertEngineStoppedError extends Error {
  constructor(readonly reason?: Error) {
    super(reason === undefined ? 'the alert engine stopped' : `the alert engine failed: ${reason.message}`, reason && { cause: reason });
  }
}

/** The open alert of a rule and key, as far as the engine has read. */
interface OpenAlert {
  readonly record: AlertRecord;
  evidenceCount: number;
  lastLeaf: number;
  lastAt: number;
  lastTime: string;
}

interface EngineState {
  readonly windows: WindowedStateSnapshot;
  readonly open: [string, OpenAlert][];
  readonly overrides: [string, RuleOverrides][];
}

const SWEEP_EVERY = 10_000;

/**
 * Follows the store's global order like the projector (leaf i is the i-th identity event), judges each event
 * with the rules under its tenant's settings, and keeps one open alert per tenant, rule and key. New alerts are
 * written to the alert store with the batch; the AlertOutbox records them in the ledger as alert.raised
 * (deterministic ids, so a restart that judges events again raises nothing twice). Its own alert.* events, read back from the log, move the alerts' status and the tenants'
 * rule settings: the whole alert state is a function of the log.
 */
export class AlertEngine {
  private readonly rules: readonly Rule[];
  private readonly defaults: EffectiveSettings;
  private windows = new WindowedState();
  private readonly states = new Map<string, RuleState[]>();
  private open = new Map<string, OpenAlert>();
  private openById = new Map<string, string>();
  private overrides = new Map<string, RuleOverrides>();
  private settings = new Map<string, EffectiveSettings>();
  private leaves = 0;
  private at: Position | 'start' = 'start';
  private caughtUp = false;
  private failure: Error | undefined;
  private subscription: Subscription | undefined;
  private running = false;
  private sinceSnapshot = 0;
  private snapshotAt = 0;
  private sinceSweep = 0;
  /** Alerts this run raised, until their alert.raised event is read back: their latency is measured then. */
  private readonly raisedThisRun = new Map<string, AlertRecord>();
  private readonly pendingEvidence: AlertChanges['evidence'] = new Map();
  private readonly waiters = new LeafCountWaiters();
  private readonly listeners: AlertListener[] = [];
  private readonly snapshotEvery: number;
  private readonly snapshotMs: number;
  private readonly quietMs: number;

  constructor(
    private readonly store: EventStore,
    private readonly alerts: SqliteAlertStore,
    private readonly options: AlertEngineOptions = {},
  ) {
    this.rules = options.rules ?? DEFAULT_RULES;
    this.defaults = effectiveSettings(this.rules);
    this.snapshotEvery = options.snapshotEvery ?? 100_000;
    this.snapshotMs = options.snapshotMs ?? 5_000;
    this.quietMs = (options.quietHours ?? 24) * HOUR;
  }

  /** Resumes from the stored position and state; resolves once every event stored so far is judged. */
  start(): Promise<void> {
    if (this.running) throw new Error('the alert engine is running already');
    this.running = true;
    this.failure = undefined;
    this.restore();
    return new Promise<void>((resolve, reject) => {
      const failed = (error: Error) => {
        if (this.failure) return;
        this.failure = error;
        this.running = false;
        void this.subscription?.close();
        this.waiters.settle(this.leaves, new AlertEngineStoppedError(error));
        reject(error);
        this.options.onError?.(error);
      };
      this.subscription = this.store.subscribeToAll(
        { from: this.at, streamPrefix: IDENTITY_STREAM_PREFIX },
        {
          onEvents: (events, more) => {
            if (this.running) this.judge(events, more === true);
          },
          onCaughtUp: () => {
            this.caughtUp = true;
            resolve();
          },
          onError: failed,
        },
      );
    });
  }

  /** Stops reading, and writes the state with the position. */
  async stop(): Promise<void> {
    this.running = false;
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close();
    if (!this.failure) this.alerts.apply(this.withPendingEvidence(noChanges()), this.checkpointNow());
    this.waiters.settle(this.leaves, new AlertEngineStoppedError());
  }

  status(): AlertEngineStatus {
    return {
      leafCount: this.leaves,
      caughtUp: this.caughtUp,
      stateKeys: this.windows.size + this.open.size,
      ...(this.failure && { failure: this.failure }),
    };
  }

  /** Leaves of a tree of `treeSize` not judged yet. */
  lag(treeSize: bigint): number {
    return Math.max(0, Number(treeSize) - this.leaves);
  }

  /** Resolves once the engine has judged `leafCount` leaves (e.g. a receipt's leafIndex + 1). */
  whenProcessed(leafCount: number): Promise<void> {
    if (this.leaves >= leafCount) return Promise.resolve();
    if (this.failure) return Promise.reject(new AlertEngineStoppedError(this.failure));
    if (!this.running) return Promise.reject(new AlertEngineStoppedError());
    return this.waiters.wait(leafCount);
  }

  listen(listener: AlertListener): void {
    this.listeners.push(listener);
  }

  /** A tenant's complete rule settings. */
  settingsOf(tenant: string): EffectiveSettings {
    let settings = this.settings.get(tenant);
    if (!settings) {
      const overrides = this.overrides.get(tenant);
      settings = overrides ? effectiveSettings(this.rules, overrides) : this.defaults;
      this.settings.set(tenant, settings);
    }
    return settings;
  }

  /** `more`: the subscription holds the next batch already (a backlog), so the open alerts' counts can wait. */
  private judge(events: readonly RecordedEvent[], more: boolean): void {
    const changes = noChanges();
    for (const event of events) {
      const observed = observeEvent(event, this.leaves);
      this.leaves += 1;
      if (observed.action.startsWith('alert.')) this.follow(observed, changes);
      else this.evaluate(observed, changes);
      if (++this.sinceSweep >= SWEEP_EVERY) this.sweep(observed.at);
    }
    this.at = events[events.length - 1]!.position;
    this.sinceSnapshot += events.length;
    const due = this.sinceSnapshot >= this.snapshotEvery || Date.now() - this.snapshotAt >= this.snapshotMs;
    if (!more || due) this.withPendingEvidence(changes);
    this.alerts.apply(changes, due ? this.checkpointNow() : { position: this.at, leafCount: this.leaves });
    this.waiters.settle(this.leaves);
    for (const alert of changes.raised) {
      this.raisedThisRun.set(alert.id, alert);
      for (const listener of this.listeners) listener.raised?.(alert);
    }
    for (const listener of this.listeners) listener.progress?.(this.status());
  }

  /** The rules' views of a tenant's state, in the rules' order: looked up once an event, not once a rule. */
  private statesOf(tenant: string): RuleState[] {
    let states = this.states.get(tenant);
    if (!states) {
      states = this.rules.map((rule) => this.windows.scope(`${tenant}\u0000${rule.name}`));
      this.states.set(tenant, states);
    }
    return states;
  }

  private evaluate(event: ObservedEvent, changes: AlertChanges): void {
    const settings = this.settingsOf(event.tenant);
    const states = this.statesOf(event.tenant);
    for (const [i, rule] of this.rules.entries()) {
      const own = settings[rule.name]!;
      if (!own.enabled) continue;
      const finding = rule.evaluate(event, own as never, states[i]!);
      if (finding) this.raise(event, rule.name, finding, changes);
    }
  }

  /** One open alert per tenant, rule and key: a finding adds its new evidence to it, or raises a new one. */
  private raise(event: ObservedEvent, rule: string, finding: Finding, changes: AlertChanges): void {
    const openKey = `${event.tenant}\u0000${rule}\u0000${finding.key}`;
    const open = this.open.get(openKey);
    if (open && event.at - open.lastAt <= this.quietMs) {
      const fresh = finding.evidence.filter((mark) => mark.leafIndex > open.lastLeaf).length;
      if (fresh === 0) return;
      open.evidenceCount += fresh;
      open.lastLeaf = event.leafIndex;
      open.lastAt = event.at;
      open.lastTime = event.time;
      this.pendingEvidence.set(open.record.id, { evidenceCount: open.evidenceCount, lastAt: event.time, lastLeaf: event.leafIndex });
      return;
    }
    if (open) this.openById.delete(open.record.id);
    const evidence = finding.evidence.slice(-MAX_EVIDENCE).map((mark) => ({ id: mark.id, leafIndex: mark.leafIndex }));
    const record: AlertRecord = {
      id: alertId(event.tenant, rule, finding.key, event.id),
      tenant: event.tenant,
      rule,
      key: finding.key,
      severity: finding.severity,
      summary: finding.summary,
      status: 'open',
      raisedAt: event.time,
      triggerLeaf: event.leafIndex,
      lastAt: event.time,
      lastLeaf: event.leafIndex,
      evidenceCount: finding.evidence.length,
      evidence,
    };
    changes.raised.push(record);
    this.open.set(openKey, { record, evidenceCount: record.evidenceCount, lastLeaf: event.leafIndex, lastAt: event.at, lastTime: event.time });
    this.openById.set(record.id, openKey);
  }

  /** The engine's own events and people's decisions, read back from the log. */
  private follow(event: ObservedEvent, changes: AlertChanges): void {
    const id = event.targets[0]?.id;
    if (id === undefined || event.outcome !== 'success') return;
    const note = typeof event.metadata?.note === 'string' ? event.metadata.note : undefined;
    const decision: AlertDecision = { by: partyName(event.actor), time: event.time, leafIndex: event.leafIndex, ...(note !== undefined && { note }) };
    switch (event.action) {
      case 'alert.raised': {
        changes.recorded.set(id, event.leafIndex);
        const mine = this.raisedThisRun.get(id);
        if (mine) {
          this.raisedThisRun.delete(id);
          for (const listener of this.listeners) listener.recorded?.(mine, event.at - Date.parse(mine.raisedAt));
        }
        return;
      }
      case 'alert.acknowledged':
        changes.decisions.push({ id, status: 'acknowledged', decision });
        return;
      case 'alert.closed': {
        changes.decisions.push({ id, status: 'closed', decision });
        const openKey = this.openById.get(id);
        if (openKey !== undefined) this.open.delete(openKey);
        this.openById.delete(id);
        return;
      }
      case 'alert.rules.changed': {
        let overrides: RuleOverrides;
        try {
          overrides = parseRuleOverrides(this.rules, event.metadata?.rules ?? {});
        } catch {
          // Settings this version cannot read (a rule since removed): the tenant keeps what it had.
          return;
        }
        this.overrides.set(event.tenant, overrides);
        this.settings.delete(event.tenant);
        changes.rules.push({ tenant: event.tenant, overrides, changed: decision });
        return;
      }
    }
  }

  private sweep(now: number): void {
    this.sinceSweep = 0;
    this.windows.sweep(now);
    for (const [key, open] of this.open) {
      if (now - open.lastAt > this.quietMs) {
        this.open.delete(key);
        this.openById.delete(open.record.id);
      }
    }
  }

  /**
   * Adds the evidence counts held back to `changes`. Catching up, an open alert of a running attack takes evidence
   * on nearly every page: its count is written once per snapshot or when the backlog ends, not once a page. A
   * crash before then loses nothing, since the events since the last state are judged again.
   */
  private withPendingEvidence(changes: AlertChanges): AlertChanges {
    for (const [id, evidence] of this.pendingEvidence) changes.evidence.set(id, evidence);
    this.pendingEvidence.clear();
    return changes;
  }

  private checkpointNow() {
    this.sinceSnapshot = 0;
    this.snapshotAt = Date.now();
    const state: EngineState = { windows: this.windows.snapshot(), open: [...this.open], overrides: [...this.overrides] };
    return { position: this.at, leafCount: this.leaves, state: JSON.stringify(state) };
  }

  private restore(): void {
    const stored = this.alerts.checkpoint();
    this.at = stored.position;
    this.leaves = stored.leafCount;
    this.caughtUp = false;
    const state = stored.state === undefined ? undefined : (JSON.parse(stored.state) as EngineState);
    this.windows = state ? WindowedState.restore(state.windows) : new WindowedState();
    this.states.clear();
    this.open = new Map(state?.open ?? []);
    this.openById = new Map([...this.open].map(([key, open]) => [open.record.id, key]));
    this.overrides = new Map(state?.overrides ?? []);
    this.settings.clear();
    this.pendingEvidence.clear();
  }
}
