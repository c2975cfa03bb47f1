import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { LedgerCore } from '../../core/ledger-core.js';

/** The alert engine's metrics: alerts raised by rule and severity, its lag behind the tree, event → alert latency. */
export function attachAlertMetrics(registry: Registry, core: LedgerCore): void {
  const registers = [registry];
  const raised = new Counter({
    name: 'trailmark_alerts_raised_total',
    help: 'Alerts the engine raised in this process, by rule and severity (one per alert, not per piece of evidence).',
    labelNames: ['rule', 'severity'] as const,
    registers,
  });
  const latency = new Histogram({
    name: 'trailmark_alert_latency_seconds',
    help: 'Server time from the event that raised an alert to the alert.raised event recording it.',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers,
  });
  new Gauge({
    name: 'trailmark_alert_engine_lag_events',
    help: 'Leaves in the tree the alert engine has not judged yet.',
    registers,
    collect() {
      this.set(core.alerts.lag(core.tree.size));
    },
  });
  new Gauge({
    name: 'trailmark_alert_engine_state_keys',
    help: "Keys in the rules' windows and open alerts: bounded by the windows, not the log.",
    registers,
    collect() {
      this.set(core.alerts.status().stateKeys);
    },
  });
  core.alerts.listen({
    raised: (alert) => raised.inc({ rule: alert.rule, severity: alert.severity }),
    recorded: (_alert, ms) => latency.observe(Math.max(0, ms) / 1000),
  });
}
