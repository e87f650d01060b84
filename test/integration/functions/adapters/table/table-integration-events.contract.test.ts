import { randomBytes } from 'node:crypto';
import { after, before, describe } from 'node:test';
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { TableIntegrationEvents } from '../../../../../functions/adapters/table/table-integration-events';
import type { IntegrationEvent } from '../../../../../shared/ports/integration-events';
import { freePort } from '../../../../../testbed/ports';
import { startAzurite, type AzuriteInstance } from '../../../../helpers/azurite';
import { describeIntegrationEventsContract } from '../../../../helpers/contracts/integration-events';

/**
 * The IntegrationEvents contract (test/helpers/contracts/integration-events.ts) on TableIntegrationEvents against real
 * Azurite: a consumer reads the `{prefix}Events` table (each row's `event`) in the order Table Storage returns rows,
 * PartitionKey (UTC day) then RowKey (`{time}_{id}`).
 */
describe('TableIntegrationEvents on Azurite', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  describeIntegrationEventsContract(
    'Table',
    async () => {
      const table = TableClient.fromConnectionString(azurite.connectionString, `ev${randomBytes(6).toString('hex')}`, { allowInsecureConnection: true });
      return {
        sink: new TableIntegrationEvents(table),
        published: async (untilId) => {
          const events: IntegrationEvent[] = [];
          for await (const row of table.listEntities<{ event: string }>()) events.push(JSON.parse(row.event) as IntegrationEvent);
          if (!events.some((e) => e.id === untilId)) throw new Error(`event ${untilId} is not in table ${table.tableName}: ${events.map((e) => e.id).join(', ')}`);
          return events;
        },
        close: () => table.deleteTable(),
      };
    },
    {
      order: 'time', // RowKey `{time}_{id}`
      republished: 'replaced', // the event's own row is rewritten
      typeNotATopicLevel: 'published', // a property value like any other
      unreachable: async () => {
        // Nothing listens there; one try, so the failure comes at once rather than after the SDK's retries.
        const url = `http://127.0.0.1:${await freePort()}/${azurite.accountName}`;
        const table = new TableClient(url, 'Events', new AzureNamedKeyCredential(azurite.accountName, azurite.accountKey), { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } });
        return { sink: new TableIntegrationEvents(table), close: async () => {} };
      },
    },
  );
});
