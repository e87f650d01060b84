// The Function App identity's roles, each on the narrowest scope that works. Nothing else is granted.
// GUIDs: Microsoft's built-in roles list (test/helpers/azure-built-in-roles.ts; test/unit/infra/bicep.test.ts checks each one).

@description('Principal (object) id of the Function App identity.')
param principalId string

@description('Storage account of recordings, index, host state and deployment package.')
param storageAccountName string

@description('Event Hubs namespace name.')
param eventHubsNamespaceName string

@description('Hub the ingest trigger reads.')
param deviceEventsHubName string

@description('Hub the functions send integration events to.')
param integrationEventsHubName string

@description('Application Insights component the host sends telemetry to.')
param applicationInsightsName string

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' existing = {
  name: storageAccountName
}

resource eventHubsNamespace 'Microsoft.EventHub/namespaces@2024-01-01' existing = {
  name: eventHubsNamespaceName
}

resource deviceEventsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: eventHubsNamespace
  name: deviceEventsHubName
}

resource integrationEventsHub 'Microsoft.EventHub/namespaces/eventhubs@2024-01-01' existing = {
  parent: eventHubsNamespace
  name: integrationEventsHubName
}

resource applicationInsights 'Microsoft.Insights/components@2020-02-02' existing = {
  name: applicationInsightsName
}

// Segments, batch delete and user delegation keys (playback SAS, account scope). Owner rather than Contributor
// because the host's identity-based AzureWebJobsStorage (locks, checkpoints) and the Flex deployment package on the
// same account use it, as in the azd Flex Consumption template (Azure-Samples/functions-quickstart-typescript-azd,
// infra/app/rbac.bicep).
resource blobDataOwner 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    // Storage Blob Data Owner
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'b7e6dc6d-f1e8-4753-8033-0f276bb0955b')
  }
}

// The index tables (segments, cameras, availability, ...).
resource tableDataContributor 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(storage.id, principalId, '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  scope: storage
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    // Storage Table Data Contributor
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3')
  }
}

// Receive on device-events only: the functions never send there (only Event Grid's routing identity does).
resource deviceEventsReceiver 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(deviceEventsHub.id, principalId, 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde')
  scope: deviceEventsHub
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    // Azure Event Hubs Data Receiver
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', 'a638d3c7-ab3a-418d-83e6-5f17a39d4fde')
  }
}

// Send on integration-events only.
resource integrationEventsSender 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(integrationEventsHub.id, principalId, '2b629674-e913-4c01-ae53-ef4638d8f975')
  scope: integrationEventsHub
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    // Azure Event Hubs Data Sender
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '2b629674-e913-4c01-ae53-ef4638d8f975')
  }
}

// Application Insights with local auth disabled accepts telemetry only from identities with this role.
resource metricsPublisher 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(applicationInsights.id, principalId, '3913510d-42f4-4e42-8a64-420c390055eb')
  scope: applicationInsights
  properties: {
    principalId: principalId
    principalType: 'ServicePrincipal'
    // Monitoring Metrics Publisher
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '3913510d-42f4-4e42-8a64-420c390055eb')
  }
}
