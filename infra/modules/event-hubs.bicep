// Event Hubs: `device-events` (Event Grid MQTT routing → the `ingest` function) and `integration-events`
// (recording lifecycle CloudEvents the functions publish for other systems). Local (SAS key) auth is off:
// only Entra identities with a data role can send or receive.

@description('Azure region.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Event Hubs namespace name.')
param namespaceName string

@description('Name of the hub device events are routed to (KEEPWATCH_DEVICE_EVENTS_HUB).')
param deviceEventsHubName string = 'device-events'

@description('Name of the hub integration events are sent to (KEEPWATCH_INTEGRATION_EVENTS_HUB).')
param integrationEventsHubName string = 'integration-events'

@description('Consumer group of the `ingest` trigger on the device-events hub (KEEPWATCH_DEVICE_EVENTS_CONSUMER_GROUP).')
param functionsConsumerGroupName string = 'functions'

@description('Partitions per hub: the most function instances that read a hub in parallel. Fixed after creation on Standard.')
@minValue(1)
@maxValue(32)
param partitionCount int = 4

@description('Days a hub keeps events (Standard: at most 7), so ingest can catch up after an outage.')
@minValue(1)
@maxValue(7)
param messageRetentionInDays int = 7

resource namespace 'Microsoft.EventHub/namespaces@2024-01-01' = {
  name: namespaceName
  location: location
  tags: tags
  // Standard: Basic allows only the $Default consumer group (Azure Event Hubs quotas and limits).
  sku: {
    name: 'Standard'
    tier: 'Standard'
    capacity: 1
  }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

resource deviceEventsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: deviceEventsHubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: messageRetentionInDays
  }
}

resource functionsConsumerGroup 'Microsoft.EventHub/namespaces/eventhubs/consumergroups@2024-01-01' = {
  parent: deviceEventsHub
  name: functionsConsumerGroupName
  properties: {
    userMetadata: 'Keepwatch functions: the ingest trigger'
  }
}

resource integrationEventsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' = {
  parent: namespace
  name: integrationEventsHubName
  properties: {
    partitionCount: partitionCount
    messageRetentionInDays: messageRetentionInDays
  }
}

output namespaceName string = namespace.name
// serviceBusEndpoint is https://{namespace}.servicebus.windows.net:443/ (another suffix in sovereign clouds).
// Split on '/', not '//': tree-sitter-bicep 1.1.0 reads a string that starts with // as a comment.
output fullyQualifiedNamespace string = split(split(namespace.properties.serviceBusEndpoint, '/')[2], ':')[0]
output deviceEventsHubName string = deviceEventsHub.name
output deviceEventsHubId string = deviceEventsHub.id
output integrationEventsHubName string = integrationEventsHub.name
output integrationEventsHubId string = integrationEventsHub.id
output functionsConsumerGroupName string = functionsConsumerGroup.name
