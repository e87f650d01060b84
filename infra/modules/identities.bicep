// The two user-assigned managed identities of a Keepwatch deployment. Each gets its roles where the resource it
// acts on is declared (functions-roles.bicep, event-grid-mqtt.bicep), so every grant sits next to its reason.

@description('Azure region of the identities.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Name of the Function App identity (blob, table, Event Hubs and Application Insights access).')
param functionsIdentityName string

@description('Name of the identity Event Grid uses to route MQTT messages to its topic and on to the device-events hub.')
param routingIdentityName string

resource functionsIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: functionsIdentityName
  location: location
  tags: tags
}

resource routingIdentity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: routingIdentityName
  location: location
  tags: tags
}

output functionsIdentityId string = functionsIdentity.id
output functionsIdentityClientId string = functionsIdentity.properties.clientId
output functionsIdentityPrincipalId string = functionsIdentity.properties.principalId
output routingIdentityId string = routingIdentity.id
output routingIdentityPrincipalId string = routingIdentity.properties.principalId
