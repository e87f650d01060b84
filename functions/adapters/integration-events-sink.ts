import type { TableClient } from '@azure/data-tables';
import type { IntegrationEvents } from '../../shared/ports/integration-events';
import type { IntegrationEventsSettings } from '../settings';
import type { CloudMqtt } from './mqtt/cloud-mqtt';
import { entraCredential } from './identity/entra-credential';
import { EventHubIntegrationEvents } from './eventhub/event-hub-integration-events';
import { MqttIntegrationEvents } from './mqtt/mqtt-integration-events';
import { TableIntegrationEvents } from './table/table-integration-events';

/**
 * The integration events adapter the settings choose (functions/settings.ts `parseIntegrationEventsSettings`): the
 * integration Event Hub, else the cloud's MQTT broker (through `cloudMqtt`, the functions' one connection, when given),
 * else the `{prefix}Events` table (`eventsTable`).
 */
export function integrationEventsSink(s: IntegrationEventsSettings, eventsTable: TableClient, cloudMqtt?: CloudMqtt): IntegrationEvents {
  switch (s.sink) {
    case 'event-hub':
      return new EventHubIntegrationEvents(
        'connectionString' in s ? { hubName: s.hubName, connectionString: s.connectionString } : { hubName: s.hubName, fullyQualifiedNamespace: s.fullyQualifiedNamespace, credential: entraCredential(s.identity) },
      );
    case 'mqtt':
      return new MqttIntegrationEvents(cloudMqtt ?? { url: s.url, username: s.username, password: s.password });
    case 'table':
      return new TableIntegrationEvents(eventsTable);
  }
}
