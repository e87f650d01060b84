import { z } from 'zod';
import { readEntraIdentity, type EntraIdentity } from './entra-identity';
import { addProblem, trimmedText } from './env';
import { mqttShape, readMqtt, type MqttSettings } from './mqtt/broker';

/**
 * The integration events sink, chosen by the settings: the integration Event Hub when `KEEPWATCH_INTEGRATION_EVENTS_HUB`
 * is set, else the cloud's MQTT broker when `KEEPWATCH_MQTT_URL` is set, else the `{prefix}Events` table.
 */
export type IntegrationEventsSettings =
  | { sink: 'event-hub'; hubName: string; /** secret: never logged */ connectionString: string }
  | { sink: 'event-hub'; hubName: string; /** `{namespace}.servicebus.windows.net` */ fullyQualifiedNamespace: string; identity: EntraIdentity }
  | ({ sink: 'mqtt'; url: string } & Omit<MqttSettings, 'url'>)
  | { sink: 'table' };

/**
 * The integration events settings: `KEEPWATCH_INTEGRATION_EVENTS_HUB` (Event Hub name, 1..256 of letters, digits, `.`,
 * `_`, `-`, starting with a letter or digit) with the connection the device-events trigger uses: EITHER the connection
 * string in `KEEPWATCH_EVENTHUB` (`Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...`, a secret) OR the
 * identity-based `KEEPWATCH_EVENTHUB__fullyQualifiedNamespace` with `__credential` / `__clientId` (what infra/
 * deploys); without a hub, the broker of functions/settings/mqtt/broker.ts. All trimmed.
 */
export const integrationEventsSettingsSchema = z
  .object({
    KEEPWATCH_INTEGRATION_EVENTS_HUB: trimmedText,
    KEEPWATCH_EVENTHUB: trimmedText,
    KEEPWATCH_EVENTHUB__fullyQualifiedNamespace: trimmedText,
    KEEPWATCH_EVENTHUB__credential: trimmedText,
    KEEPWATCH_EVENTHUB__clientId: trimmedText,
    ...mqttShape(),
  })
  .transform((s, ctx): IntegrationEventsSettings => {
    const hubName = s.KEEPWATCH_INTEGRATION_EVENTS_HUB;
    if (hubName) {
      if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/.test(hubName)) {
        addProblem(ctx, 'KEEPWATCH_INTEGRATION_EVENTS_HUB', `${JSON.stringify(hubName)} is not an Event Hub name (letters, digits, '.', '_', '-', starting with a letter or digit)`, hubName);
      }
      const connectionString = s.KEEPWATCH_EVENTHUB;
      const namespace = s.KEEPWATCH_EVENTHUB__fullyQualifiedNamespace;
      if (connectionString && namespace) {
        addProblem(ctx, 'KEEPWATCH_EVENTHUB', 'it and KEEPWATCH_EVENTHUB__fullyQualifiedNamespace are both set: use either the connection string or the identity-based KEEPWATCH_EVENTHUB__* settings, not both');
        return z.NEVER;
      }
      if (namespace) {
        if (!/^[A-Za-z0-9][A-Za-z0-9-]{0,62}(\.[A-Za-z0-9-]+)+$/.test(namespace)) {
          addProblem(ctx, 'KEEPWATCH_EVENTHUB__fullyQualifiedNamespace', `${JSON.stringify(namespace)} is not a fully qualified Event Hubs namespace (e.g. myns.servicebus.windows.net)`, namespace);
        }
        const identity = readEntraIdentity('KEEPWATCH_EVENTHUB', s.KEEPWATCH_EVENTHUB__credential, s.KEEPWATCH_EVENTHUB__clientId, ctx);
        return { sink: 'event-hub', hubName, fullyQualifiedNamespace: namespace, identity };
      }
      if (!connectionString) {
        addProblem(ctx, 'KEEPWATCH_EVENTHUB', 'missing: it or KEEPWATCH_EVENTHUB__fullyQualifiedNamespace is required when KEEPWATCH_INTEGRATION_EVENTS_HUB is set (expected an Event Hubs connection string, or the identity-based namespace)');
        return z.NEVER;
      }
      if (!/(^|;)\s*Endpoint=sb:\/\/[^;]+/i.test(connectionString) || !/(^|;)\s*SharedAccessKey(Name)?=/i.test(connectionString)) {
        addProblem(ctx, 'KEEPWATCH_EVENTHUB', 'the value (not shown: a secret) is not an Event Hubs connection string (expected Endpoint=sb://...;SharedAccessKeyName=...;SharedAccessKey=...)');
      }
      return { sink: 'event-hub', hubName, connectionString };
    }
    const { url, password, ...mqtt } = readMqtt(s, ctx);
    if (url) return { sink: 'mqtt', url, ...mqtt, ...(password !== undefined ? { password } : {}) };
    return { sink: 'table' };
  });
