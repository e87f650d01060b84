/**
 * An integration event for other systems, CloudEvents 1.0 JSON (DESIGN.md "Contracts: Integration events"):
 * `type` e.g. `retention.completed`, `source` `/keepwatch/{function}`, `time` ISO 8601 UTC.
 */
export interface IntegrationEvent {
  specversion: '1.0';
  id: string;
  source: string;
  type: string;
  time: string;
  subject?: string;
  datacontenttype: 'application/json';
  data: Record<string, unknown>;
}

/**
 * Publishes integration events. Locally (and until issue 6 deploys the integration Event Hub) they are appended to
 * a table by functions/adapters/table-integration-events.ts.
 */
export interface IntegrationEvents {
  /** At-least-once; consumers dedupe on `id`. @throws TransientError when the sink fails */
  publish(events: readonly IntegrationEvent[]): Promise<void>;
}
