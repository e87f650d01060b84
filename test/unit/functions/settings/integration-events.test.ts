import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseIntegrationEventsSettings, parseSettings } from '../../../../functions/settings';

const HUB_CS = 'Endpoint=sb://kw-ns.servicebus.windows.net/;SharedAccessKeyName=send;SharedAccessKey=c2VjcmV0LWtleQ==';

function fails(env: Record<string, string | undefined>, setting: string, pattern: RegExp): void {
  assert.throws(
    () => parseIntegrationEventsSettings(env),
    (e: unknown) => e instanceof ValidationError && e.code === 'InvalidSetting' && e.message.includes(setting) && pattern.test(e.message) && !e.message.includes('c2VjcmV0'),
    setting,
  );
}

describe('integration events settings', () => {
  it('neither hub nor broker: the events table, as before', () => {
    assert.deepEqual(parseIntegrationEventsSettings({}), { sink: 'table' });
    const s = parseSettings({ KEEPWATCH_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true', KEEPWATCH_PLAYBACK_TOKEN_SECRET: 's'.repeat(32) });
    assert.deepEqual(s.integrationEvents, { sink: 'table' });
  });

  it('KEEPWATCH_INTEGRATION_EVENTS_HUB with the KEEPWATCH_EVENTHUB connection string: the hub, even when a broker is set', () => {
    assert.deepEqual(parseIntegrationEventsSettings({ KEEPWATCH_INTEGRATION_EVENTS_HUB: 'kw-integration', KEEPWATCH_EVENTHUB: HUB_CS, KEEPWATCH_MQTT_URL: 'mqtt://b:1883' }), {
      sink: 'event-hub',
      hubName: 'kw-integration',
      connectionString: HUB_CS,
    });
  });

  it('identity-based: the namespace with the managed identity (what infra/ deploys), or DefaultAzureCredential without __credential', () => {
    const hub = { KEEPWATCH_INTEGRATION_EVENTS_HUB: 'kw-integration', KEEPWATCH_EVENTHUB__fullyQualifiedNamespace: 'kw-ns.servicebus.windows.net' };
    const clientId = '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0';
    assert.deepEqual(parseIntegrationEventsSettings({ ...hub, KEEPWATCH_EVENTHUB__credential: 'managedidentity', KEEPWATCH_EVENTHUB__clientId: clientId }), {
      sink: 'event-hub',
      hubName: 'kw-integration',
      fullyQualifiedNamespace: 'kw-ns.servicebus.windows.net',
      identity: { credential: 'managedidentity', clientId },
    });
    assert.deepEqual(parseIntegrationEventsSettings(hub), { sink: 'event-hub', hubName: 'kw-integration', fullyQualifiedNamespace: 'kw-ns.servicebus.windows.net', identity: { credential: 'default' } });
    fails({ ...hub, KEEPWATCH_EVENTHUB: HUB_CS }, 'KEEPWATCH_EVENTHUB', /both set/);
    fails({ ...hub, KEEPWATCH_EVENTHUB__fullyQualifiedNamespace: 'sb://kw-ns.servicebus.windows.net/' }, 'KEEPWATCH_EVENTHUB__fullyQualifiedNamespace', /not a fully qualified Event Hubs namespace/);
    fails({ ...hub, KEEPWATCH_EVENTHUB__credential: 'clientsecret' }, 'KEEPWATCH_EVENTHUB__credential', /not supported/);
    fails({ ...hub, KEEPWATCH_EVENTHUB__credential: 'managedidentity', KEEPWATCH_EVENTHUB__clientId: 'not-a-guid' }, 'KEEPWATCH_EVENTHUB__clientId', /not a client id/);
    fails({ ...hub, KEEPWATCH_EVENTHUB__clientId: clientId }, 'KEEPWATCH_EVENTHUB__clientId', /only applies with KEEPWATCH_EVENTHUB__credential=managedidentity/);
  });

  it('a hub without a connection or namespace, or a malformed connection string, is refused without echoing it', () => {
    fails({ KEEPWATCH_INTEGRATION_EVENTS_HUB: 'kw-integration' }, 'KEEPWATCH_EVENTHUB', /is required/);
    fails({ KEEPWATCH_INTEGRATION_EVENTS_HUB: 'kw-integration', KEEPWATCH_EVENTHUB: 'SharedAccessKey=c2VjcmV0LWtleQ==' }, 'KEEPWATCH_EVENTHUB', /not an Event Hubs connection string/);
    fails({ KEEPWATCH_INTEGRATION_EVENTS_HUB: 'kw integration', KEEPWATCH_EVENTHUB: HUB_CS }, 'KEEPWATCH_INTEGRATION_EVENTS_HUB', /not an Event Hub name/);
  });

  it('KEEPWATCH_MQTT_URL: the broker, user name default keepwatch-cloud, password optional', () => {
    assert.deepEqual(parseIntegrationEventsSettings({ KEEPWATCH_MQTT_URL: 'mqtt://127.0.0.1:1883' }), { sink: 'mqtt', url: 'mqtt://127.0.0.1:1883', username: 'keepwatch-cloud' });
    assert.deepEqual(parseIntegrationEventsSettings({ KEEPWATCH_MQTT_URL: 'mqtts://broker.example.com:8883', KEEPWATCH_MQTT_USERNAME: 'cloud-2', KEEPWATCH_MQTT_PASSWORD: 'pw' }), {
      sink: 'mqtt',
      url: 'mqtts://broker.example.com:8883',
      username: 'cloud-2',
      password: 'pw',
    });
    fails({ KEEPWATCH_MQTT_URL: 'http://broker:1883' }, 'KEEPWATCH_MQTT_URL', /mqtt:\/\/ or mqtts:\/\//);
    fails({ KEEPWATCH_MQTT_URL: 'mqtt://user:secret@broker:1883' }, 'KEEPWATCH_MQTT_URL', /no credentials/);
    fails({ KEEPWATCH_MQTT_URL: 'not a url' }, 'KEEPWATCH_MQTT_URL', /mqtt/);
  });

  it('KEEPWATCH_MQTT__credential=managedidentity: the MQTT sink carries the identity, no password', () => {
    assert.deepEqual(parseIntegrationEventsSettings({ KEEPWATCH_MQTT_URL: 'mqtts://ns.westeurope-1.ts.eventgrid.azure.net:8883', KEEPWATCH_MQTT__credential: 'managedidentity' }), {
      sink: 'mqtt',
      url: 'mqtts://ns.westeurope-1.ts.eventgrid.azure.net:8883',
      username: 'keepwatch-cloud',
      managedIdentity: {},
    });
  });
});
