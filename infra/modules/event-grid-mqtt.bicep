// Event Grid namespace with the MQTT broker. Each device is an MQTT client authenticated by its X.509 certificate
// thumbprint (infra/README.md "MQTT authentication"); its authentication name is its device id, so the topic
// templates below (${client.authenticationName}) confine it to keepwatch/{its id}/... (shared/contracts/topics.ts):
// publish events, status and signals; subscribe to its own commands; nothing else. The Function App's identity is a
// client too, by Microsoft Entra token (MQTT 5 OAUTH2-JWT), allowed by RBAC to publish device commands only.
// Routing: every publish → custom topic (CloudEvents 1.0) → event subscription → the device-events hub, all with
// the routing identity, which is the only identity allowed to send to that hub. Every routed message carries two
// routing enrichments, from what the broker authenticated: kwclient (the client's authentication name) and kwtopic
// (the topic it published on). Ingest takes device and camera from these only and dead-letters a message without
// them (shared/event-grid-mqtt.ts, functions/ingest/ingest-decode.ts, docs/security.md).

@description('Azure region.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Event Grid namespace name.')
param namespaceName string

@description('Name of the Event Grid custom topic MQTT messages are routed to.')
param routeTopicName string

@description('Resource id of the user-assigned identity Event Grid routes and delivers with.')
param routingIdentityId string

@description('Principal (object) id of that identity, for its role assignments.')
param routingIdentityPrincipalId string

@description('Event Hubs namespace name (in this resource group).')
param eventHubsNamespaceName string

@description('Name of the device-events hub routed messages are delivered to.')
param deviceEventsHubName string

@description('Principal (object) id of the Function App identity: an MQTT client by Microsoft Entra token (OAUTH2-JWT, MQTT 5) that publishes device commands.')
param functionsPrincipalId string

@description('Devices allowed to connect: [{ id: \'site-1\', thumbprints: [\'<SHA-256 hex of the device certificate>\', \'<next one, for rotation>\'], disabled: false }]. id is the device id ([a-z0-9-]{1,32}) and the MQTT authentication name; disabled: true refuses its connections and ends its sessions (revocation, docs/devices.md).')
param devices array = []

@description('MQTT sessions one device id may hold at once (the agent uses one).')
@minValue(1)
@maxValue(100)
param maximumClientSessionsPerAuthenticationName int = 1

@description('Hours a disconnected persistent session (QoS 1 subscriptions) is kept (1..8).')
@minValue(1)
@maxValue(8)
param maximumSessionExpiryInHours int = 8

resource eventHubsNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource deviceEventsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: eventHubsNamespace
  name: deviceEventsHubName
}

resource routeTopic 'Microsoft.EventGrid/topics@2025-02-15' = {
  name: routeTopicName
  location: location
  tags: tags
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${routingIdentityId}': {}
    }
  }
  properties: {
    inputSchema: 'CloudEventSchemaV1_0'
    disableLocalAuth: true
    minimumTlsVersionAllowed: '1.2'
    publicNetworkAccess: 'Enabled'
  }
}

// The routing identity publishes the namespace's MQTT messages into the custom topic...
resource routingTopicSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(routeTopic.id, routingIdentityPrincipalId, 'd5a91429-5739-47e2-a06b-3470a27159e7')
  scope: routeTopic
  properties: {
    principalId: routingIdentityPrincipalId
    principalType: 'ServicePrincipal'
    // EventGrid Data Sender
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'd5a91429-5739-47e2-a06b-3470a27159e7')
  }
}

// ...and the topic's subscription delivers them to the device-events hub (scope: that hub only).
resource routingHubSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deviceEventsHub.id, routingIdentityPrincipalId, '2b629674-e913-4c01-ae53-ef4638d8f975')
  scope: deviceEventsHub
  properties: {
    principalId: routingIdentityPrincipalId
    principalType: 'ServicePrincipal'
    // Azure Event Hubs Data Sender
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2b629674-e913-4c01-ae53-ef4638d8f975')
  }
}

resource toDeviceEventsHub 'Microsoft.EventGrid/topics/eventSubscriptions@2025-02-15' = {
  parent: routeTopic
  name: 'device-events-hub'
  dependsOn: [
    routingHubSender
  ]
  properties: {
    eventDeliverySchema: 'CloudEventSchemaV1_0'
    deliveryWithResourceIdentity: {
      identity: {
        type: 'UserAssigned'
        userAssignedIdentity: routingIdentityId
      }
      destination: {
        endpointType: 'EventHub'
        properties: {
          resourceId: deviceEventsHub.id
        }
      }
    }
    // The functions' own device commands are published on this namespace too, and routing takes every publish:
    // keep them out of device-events, where ingest would only dead-letter them.
    filter: {
      advancedFilters: [
        {
          operatorType: 'StringNotContains'
          key: 'subject'
          values: [
            '/commands/'
          ]
        }
      ]
    }
    retryPolicy: {
      maxDeliveryAttempts: 30
      eventTimeToLiveInMinutes: 1440
    }
  }
}

resource namespace 'Microsoft.EventGrid/namespaces@2025-02-15' = {
  name: namespaceName
  location: location
  tags: tags
  sku: {
    name: 'Standard'
    capacity: 1
  }
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${routingIdentityId}': {}
    }
  }
  dependsOn: [
    routingTopicSender
  ]
  properties: {
    minimumTlsVersionAllowed: '1.2'
    publicNetworkAccess: 'Enabled'
    topicSpacesConfiguration: {
      state: 'Enabled'
      maximumClientSessionsPerAuthenticationName: maximumClientSessionsPerAuthenticationName
      maximumSessionExpiryInHours: maximumSessionExpiryInHours
      routeTopicResourceId: routeTopic.id
      routingIdentityInfo: {
        type: 'UserAssigned'
        userAssignedIdentity: routingIdentityId
      }
      // Keys: lower-case alphanumerics, at most 20 characters; values: what the broker authenticated (Event Grid docs,
      // "Enrichments for MQTT routed messages"). shared/event-grid-mqtt.ts ENRICHMENT_CLIENT_NAME, ENRICHMENT_TOPIC.
      routingEnrichments: {
        dynamic: [
          {
            key: 'kwclient'
            value: '\${client.authenticationName}'
          }
          {
            key: 'kwtopic'
            value: '\${mqtt.message.topicName}'
          }
        ]
      }
    }
  }
}

// All Keepwatch devices; the per-device confinement comes from ${client.authenticationName} in the templates.
resource devicesGroup 'Microsoft.EventGrid/namespaces/clientGroups@2025-02-15' = {
  parent: namespace
  name: 'keepwatch-devices'
  properties: {
    description: 'Keepwatch edge agents (client attribute role = device)'
    query: 'attributes.role = \'device\''
  }
}

resource devicePublishSpace 'Microsoft.EventGrid/namespaces/topicSpaces@2025-02-15' = {
  parent: namespace
  name: 'device-publish'
  properties: {
    description: 'What a device may publish: its own events, status and signals (shared/contracts/topics.ts)'
    topicTemplates: [
      'keepwatch/\${client.authenticationName}/events/#'
      'keepwatch/\${client.authenticationName}/status'
      'keepwatch/\${client.authenticationName}/signals/#'
    ]
  }
}

resource deviceCommandsSpace 'Microsoft.EventGrid/namespaces/topicSpaces@2025-02-15' = {
  parent: namespace
  name: 'device-commands'
  properties: {
    description: 'What a device may subscribe to: its own commands'
    topicTemplates: [
      'keepwatch/\${client.authenticationName}/commands/#'
    ]
  }
}

// What the Function App publishes: commands to any device's cameras (shared/contracts/topics.ts cameraCommandsTopic). No client
// group is bound to it, so devices never match it; the Function App reaches it only through the role below.
resource cloudCommandsSpace 'Microsoft.EventGrid/namespaces/topicSpaces@2025-02-15' = {
  parent: namespace
  name: 'cloud-commands'
  properties: {
    description: 'Device commands the Keepwatch functions publish (keepwatch/{deviceId}/commands/{cameraId})'
    topicTemplates: [
      'keepwatch/+/commands/+'
    ]
  }
}

// Entra ID clients are authorised by Azure RBAC, not client groups: the Function App identity may publish on the
// commands space only (scope: that topic space). Integration events go to the integration-events hub in Azure
// (KEEPWATCH_INTEGRATION_EVENTS_HUB), so no MQTT topic is granted for them.
resource functionsCommandsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(cloudCommandsSpace.id, functionsPrincipalId, 'a12b0b94-b317-4dcd-84a8-502ce99884c6')
  scope: cloudCommandsSpace
  properties: {
    principalId: functionsPrincipalId
    principalType: 'ServicePrincipal'
    // EventGrid TopicSpaces Publisher
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'a12b0b94-b317-4dcd-84a8-502ce99884c6')
  }
}

resource devicesPublish 'Microsoft.EventGrid/namespaces/permissionBindings@2025-02-15' = {
  parent: namespace
  name: 'devices-publish'
  properties: {
    clientGroupName: devicesGroup.name
    topicSpaceName: devicePublishSpace.name
    permission: 'Publisher'
  }
}

resource devicesSubscribe 'Microsoft.EventGrid/namespaces/permissionBindings@2025-02-15' = {
  parent: namespace
  name: 'devices-subscribe-commands'
  properties: {
    clientGroupName: devicesGroup.name
    topicSpaceName: deviceCommandsSpace.name
    permission: 'Subscriber'
  }
}

resource deviceClients 'Microsoft.EventGrid/namespaces/clients@2025-02-15' = [for device in devices: {
  parent: namespace
  name: device.id
  properties: {
    authenticationName: device.id
    description: 'Keepwatch device ${device.id}'
    state: (device.?disabled ?? false) ? 'Disabled' : 'Enabled'
    attributes: {
      role: 'device'
    }
    clientCertificateAuthentication: {
      validationScheme: 'ThumbprintMatch'
      allowedThumbprints: device.thumbprints
    }
  }
}]

output mqttHostname string = namespace.properties.topicSpacesConfiguration.hostname
output namespaceName string = namespace.name
