// Keepwatch in Azure (azd entry point): a resource group with storage, the Function App, Event Hubs, the Event
// Grid MQTT broker and monitoring. Plain `resource` declarations only (no registry modules), so it reviews and is
// checked offline (test/unit/infra/). What is deployed and why: infra/README.md.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name; part of the resource group name and of the unique resource token.')
param environmentName string

@minLength(1)
@description('Azure region of every resource (must offer Flex Consumption and the Event Grid MQTT broker).')
@metadata({
  azd: {
    type: 'location'
  }
})
param location string

@description('Default archive retention of cameras without a policy, whole days (KEEPWATCH_RETENTION_DEFAULT = P{n}D; AVA retentionPeriod).')
@minValue(1)
@maxValue(3650)
param retentionDays int = 7

@description('Longest retention a camera policy may set, days (KEEPWATCH_RETENTION_MAX = P{max(retentionDays, this)}D; the API refuses longer). The lifecycle backstop deletes unheld segments older than this + retentionMarginDays; held ones never.')
@minValue(1)
@maxValue(3650)
param longestRetentionDays int = retentionDays

@description('Days the lifecycle backstop waits beyond longestRetentionDays, so it only catches what the retention timer missed.')
@minValue(1)
@maxValue(30)
param retentionMarginDays int = 2

@description('Days a deleted or overwritten segment blob stays recoverable (blob soft delete); every day is billed as stored data.')
@minValue(1)
@maxValue(365)
param softDeleteDays int = 7

@description('Segment container (KEEPWATCH_RECORDINGS_CONTAINER).')
@minLength(3)
@maxLength(63)
param recordingsContainerName string = 'recordings'

@description('Table name prefix (KEEPWATCH_TABLE_PREFIX).')
@minLength(1)
@maxLength(52)
param tablePrefix string = 'kw'

@description('Comma-separated browser origins allowed to play segments (https://viewer.example.com); empty = none. Sets Blob CORS and KEEPWATCH_VIEWER_ORIGINS.')
param viewerOrigins string = ''

@description('HMAC key of playlist URLs, at least 32 random characters (KEEPWATCH_PLAYBACK_TOKEN_SECRET).')
@secure()
@minLength(32)
param playbackTokenSecret string

@description('During a rotation of playbackTokenSecret, the earlier key: URLs it signed keep playing until they expire; empty = none (KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS; docs/security.md "Rotating the playback key").')
@secure()
param playbackTokenPreviousSecret string = ''

@description('The administrator\'s key for the API (x-functions-key header or code query), at least 32 random characters (KEEPWATCH_ADMIN_KEY; docs/security.md "Who may call what").')
@secure()
@minLength(32)
param adminKey string

@description('Application (client) id of the Keepwatch API app registration in Entra ID (docs/security.md "Entra ID"); empty = no bearer tokens, only the admin key.')
param entraApiClientId string = ''

@description('JSON object mapping Entra group object ids to the camera ids their members may see ("*" = all); empty = none (KEEPWATCH_AUTH_CAMERA_GROUPS).')
param authCameraGroups string = ''

@description('Application (client) id of the viewer\'s single-page-application registration in Entra ID (docs/security.md "Entra ID"); needs entraApiClientId; empty = the viewer asks for the admin key (KEEPWATCH_VIEWER_CLIENT_ID).')
param entraViewerClientId string = ''

@description('Lifetime of a playback URL, ISO 8601 PT1M..P1D (KEEPWATCH_PLAYBACK_TTL).')
param playbackTtl string = 'PT1H'

@description('Lifetime of segment SAS URLs, ISO 8601, at least playbackTtl, at most P7D; empty = playbackTtl (KEEPWATCH_SEGMENT_SAS_TTL).')
param segmentSasTtl string = ''

@description('Lifetime of a live playlist URL, ISO 8601 PT1M..P1D: the longest live session on one URL (KEEPWATCH_LIVE_TTL).')
param liveTtl string = 'PT12H'

@description('Lifetime of the create-only upload URLs handed to devices, ISO 8601 PT2M..P1D (KEEPWATCH_DEVICE_SAS_TTL).')
param deviceSasTtl string = 'PT15M'

@description('Longest a device may cache a segment or event and still deliver it, ISO 8601 P1D..P3650D (KEEPWATCH_OFFLINE_HORIZON): segment starts and event times outside [now - this, now + 5 min] are refused.')
param offlineHorizon string = 'P31D'

@description('Longest MP4 export range, ISO 8601 PT1S..P1D (KEEPWATCH_EXPORT_MAX_DURATION).')
param exportMaxDuration string = 'PT1H'

@description('Most stored segment bytes one MP4 export reads (KEEPWATCH_EXPORT_MAX_BYTES).')
@minValue(1)
param exportMaxBytes int = 2147483648

@description('NCRONTAB (6 fields, UTC) of the retention timer (KEEPWATCH_RETENTION_SCHEDULE).')
param retentionSchedule string = '0 5 * * * *'

@description('How long activate/deactivate of a live pipeline wait for the device to report, ISO 8601 PT0S..PT3M (KEEPWATCH_PIPELINE_STATE_WAIT).')
param pipelineStateWait string = 'PT30S'

@description('Base URL put in front of /api in playback URLs (custom domain or proxy); empty = the Function App\'s default host name, never the request\'s Host header (KEEPWATCH_PUBLIC_BASE_URL).')
param publicBaseUrl string = ''

@description('Devices allowed on the MQTT broker: [{ id, thumbprints: [SHA-256 hex of its certificate, ...] }]; see infra/README.md.')
param devices array = []

var abbrs = loadJsonContent('abbreviations.json')
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  'azd-env-name': environmentName
  application: 'keepwatch'
}
var functionAppName = '${abbrs.webSitesFunctions}keepwatch-${resourceToken}'
var deploymentContainerName = 'app-package-${take(functionAppName, 32)}-${take(toLower(uniqueString(functionAppName, resourceToken)), 7)}'
var viewerOriginList = filter(map(split(viewerOrigins, ','), origin => trim(origin)), origin => !empty(origin))
// The built-in viewer (/api/viewer) is served by the Function App itself, so its origin must read segments too, as
// local/stack.ts allows the local host's origin. A Function App's default host name is {name}.azurewebsites.net.
var functionAppOrigin = 'https://${functionAppName}.azurewebsites.net'

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: '${abbrs.resourcesResourceGroups}${environmentName}'
  location: location
  tags: tags
}

module identities 'modules/identities.bicep' = {
  name: 'identities'
  scope: rg
  params: {
    location: location
    tags: tags
    functionsIdentityName: '${abbrs.managedIdentityUserAssignedIdentities}func-${resourceToken}'
    routingIdentityName: '${abbrs.managedIdentityUserAssignedIdentities}mqtt-routing-${resourceToken}'
  }
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  scope: rg
  params: {
    location: location
    tags: tags
    logAnalyticsName: '${abbrs.operationalInsightsWorkspaces}${resourceToken}'
    applicationInsightsName: '${abbrs.insightsComponents}${resourceToken}'
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  scope: rg
  params: {
    location: location
    tags: tags
    storageAccountName: '${abbrs.storageStorageAccounts}${resourceToken}'
    recordingsContainerName: recordingsContainerName
    deploymentContainerName: deploymentContainerName
    tablePrefix: tablePrefix
    viewerOrigins: union([functionAppOrigin], viewerOriginList)
    lifecycleDeleteAfterDays: max(retentionDays, longestRetentionDays) + retentionMarginDays
    softDeleteDays: softDeleteDays
  }
}

module eventHubs 'modules/event-hubs.bicep' = {
  name: 'event-hubs'
  scope: rg
  params: {
    location: location
    tags: tags
    namespaceName: '${abbrs.eventHubNamespaces}${resourceToken}'
  }
}

module mqtt 'modules/event-grid-mqtt.bicep' = {
  name: 'event-grid-mqtt'
  scope: rg
  params: {
    location: location
    tags: tags
    namespaceName: '${abbrs.eventGridNamespaces}${resourceToken}'
    routeTopicName: '${abbrs.eventGridTopics}mqtt-${resourceToken}'
    routingIdentityId: identities.outputs.routingIdentityId
    routingIdentityPrincipalId: identities.outputs.routingIdentityPrincipalId
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
    deviceEventsHubName: eventHubs.outputs.deviceEventsHubName
    functionsPrincipalId: identities.outputs.functionsIdentityPrincipalId
    devices: devices
  }
}

module functionsRoles 'modules/functions-roles.bicep' = {
  name: 'functions-roles'
  scope: rg
  params: {
    principalId: identities.outputs.functionsIdentityPrincipalId
    storageAccountName: storage.outputs.storageAccountName
    eventHubsNamespaceName: eventHubs.outputs.namespaceName
    deviceEventsHubName: eventHubs.outputs.deviceEventsHubName
    integrationEventsHubName: eventHubs.outputs.integrationEventsHubName
    applicationInsightsName: monitoring.outputs.applicationInsightsName
  }
}

module functions 'modules/functions.bicep' = {
  name: 'functions'
  scope: rg
  dependsOn: [
    functionsRoles
  ]
  params: {
    location: location
    tags: tags
    planName: '${abbrs.webServerFarms}${resourceToken}'
    functionAppName: functionAppName
    identityId: identities.outputs.functionsIdentityId
    identityClientId: identities.outputs.functionsIdentityClientId
    blobEndpoint: storage.outputs.blobEndpoint
    tableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    applicationInsightsConnectionString: monitoring.outputs.applicationInsightsConnectionString
    eventHubsFullyQualifiedNamespace: eventHubs.outputs.fullyQualifiedNamespace
    deviceEventsHubName: eventHubs.outputs.deviceEventsHubName
    deviceEventsConsumerGroupName: eventHubs.outputs.functionsConsumerGroupName
    integrationEventsHubName: eventHubs.outputs.integrationEventsHubName
    mqttHostname: mqtt.outputs.mqttHostname
    recordingsContainerName: storage.outputs.recordingsContainerName
    tablePrefix: tablePrefix
    playbackTokenSecret: playbackTokenSecret
    playbackTokenPreviousSecret: playbackTokenPreviousSecret
    adminKey: adminKey
    // Entra ID v2 access tokens (accessTokenAcceptedVersion 2): iss is the tenant's v2 issuer, aud the API's client id.
    authIssuer: empty(entraApiClientId) ? '' : '${environment().authentication.loginEndpoint}${tenant().tenantId}/v2.0'
    authAudience: empty(entraApiClientId) ? '' : '${entraApiClientId},api://${entraApiClientId}'
    authRequiredClaims: empty(entraApiClientId) ? '' : '{"tid":"${tenant().tenantId}"}'
    authCameraGroups: authCameraGroups
    viewerClientId: empty(entraApiClientId) ? '' : entraViewerClientId
    playbackTtl: playbackTtl
    segmentSasTtl: segmentSasTtl
    liveTtl: liveTtl
    deviceSasTtl: deviceSasTtl
    offlineHorizon: offlineHorizon
    viewerOrigins: join(viewerOriginList, ',')
    exportMaxDuration: exportMaxDuration
    exportMaxBytes: exportMaxBytes
    retentionDays: retentionDays
    retentionMaxDays: max(retentionDays, longestRetentionDays)
    retentionSchedule: retentionSchedule
    publicBaseUrl: publicBaseUrl
    pipelineStateWait: pipelineStateWait
  }
}

output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_NAME string = functions.outputs.functionAppName
output KEEPWATCH_API_URL string = '${functions.outputs.functionAppUrl}/api'
output KEEPWATCH_MQTT_HOSTNAME string = mqtt.outputs.mqttHostname
output KEEPWATCH_STORAGE_ACCOUNT string = storage.outputs.storageAccountName
output KEEPWATCH_EVENTHUB_NAMESPACE string = eventHubs.outputs.fullyQualifiedNamespace
