import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { IntegrationEvent, IntegrationEvents } from '../../../shared/ports/integration-events';
import { ensureTable } from '../storage/storage-clients';
import { rethrowStorageError } from '../storage/storage-errors';

/**
 * Integration events appended to Table Storage (`{prefix}Events`), the local stand-in for the integration Event Hub
 * (functions/settings.ts `IntegrationEventsSettings`): PartitionKey = UTC day of `time` (`yyyy-MM-dd`), RowKey = `{time ISO}_{id}` (chronological, and a
 * re-published event rewrites its own row); properties `type`, `source`, `subject`, `time`, `id` and `event` (the
 * whole CloudEvent as JSON).
 */
export class TableIntegrationEvents implements IntegrationEvents {
  constructor(private readonly table: TableClient) {}

  async publish(events: readonly IntegrationEvent[]): Promise<void> {
    if (events.length === 0) return;
    await ensureTable(this.table);
    const byDay = new Map<string, TransactionAction[]>();
    for (const e of events) {
      const partitionKey = e.time.slice(0, 10);
      const entity = { partitionKey, rowKey: `${e.time}_${e.id}`, id: e.id, type: e.type, source: e.source, subject: e.subject ?? '', time: e.time, event: JSON.stringify(e) };
      const actions = byDay.get(partitionKey) ?? [];
      actions.push(['upsert', entity, 'Replace']);
      byDay.set(partitionKey, actions);
    }
    for (const [day, actions] of byDay) {
      for (let i = 0; i < actions.length; i += 100) {
        try {
          await this.table.submitTransaction(actions.slice(i, i + 100));
        } catch (err) {
          rethrowStorageError(err, `append integration events of ${day}`);
        }
      }
    }
  }
}
