/**
 * An integration event for other systems, CloudEvents 1.0 JSON (docs/contracts.md "Recordings API and integration
 * events"): `type` e.g. `retention.completed`, `source` `/keepwatch/{function}`, `time` ISO 8601 UTC.
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
 * Publishes integration events. In Azure they go to the integration Event Hub; locally they are appended
 * to a table by functions/adapters/table/table-integration-events.ts (functions/settings.ts `IntegrationEventsSettings`).
 */
export interface IntegrationEvents {
  /** At-least-once; consumers dedupe on `id`. @throws TransientError when the sink fails */
  publish(events: readonly IntegrationEvent[]): Promise<void>;
}
