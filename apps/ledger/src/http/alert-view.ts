import type { AlertRecord } from '@trailmark/alerts';

/** An alert as the API shows it: what it was raised on, where it stands, and how to prove it. */
export function alertView(alert: AlertRecord): object {
  return {
    id: alert.id,
    tenant: alert.tenant,
    rule: alert.rule,
    key: alert.key,
    severity: alert.severity,
    status: alert.status,
    summary: alert.summary,
    raisedAt: alert.raisedAt,
    // The alert.raised event: GET /v1/events/{id}/proof proves it, as each evidence event's own id does.
    leafIndex: alert.raisedLeaf ?? null,
    evidenceCount: alert.evidenceCount,
    evidence: alert.evidence,
    lastEvidenceAt: alert.lastAt,
    lastEvidenceLeafIndex: alert.lastLeaf,
    acknowledged: alert.acknowledged ?? null,
    closed: alert.closed ?? null,
  };
}
