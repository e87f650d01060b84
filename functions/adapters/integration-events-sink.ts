import type { TableClient } from '@azure/data-tables';
import type { IntegrationEvents } from '../../shared/ports/integration-events';
import type { IntegrationEventsSettings } from '../settings';
import { EventHubIntegrationEvents } from './event-hub-integration-events';
import { MqttIntegrationEvents } from './mqtt-integration-events';
import { TableIntegrationEvents } from './table-integration-events';

/**
 * The integration events adapter the settings choose (functions/settings.ts `parseIntegrationEventsSettings`): the
 * integration Event Hub, else the cloud's MQTT broker, else the `{prefix}Events` table (`eventsTable`).
 */
export function integrationEventsSink(s: IntegrationEventsSettings, eventsTable: TableClient): IntegrationEvents {
  switch (s.sink) {
    case 'event-hub':
      return new EventHubIntegrationEvents({ connectionString: s.connectionString, hubName: s.hubName });
    case 'mqtt':
      return new MqttIntegrationEvents({ url: s.url, username: s.username, password: s.password });
    case 'table':
      return new TableIntegrationEvents(eventsTable);
  }
}
