// The Function App on Flex Consumption (Node 22) with its user-assigned identity and every app setting the code
// reads (functions/settings.ts header table + TRIGGER_SETTINGS). Connections are identity-based: no keys, no
// connection strings. test/unit/infra/bicep.test.ts compares the settings below with what the code reads.

@description('Azure region.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Flex Consumption plan name.')
param planName string

@description('Function App name.')
param functionAppName string

@description('Resource id of the Function App identity.')
param identityId string

@description('Client id of the Function App identity (for __clientId settings).')
param identityClientId string

@description('Blob endpoint of the storage account, https://{account}.blob.core.windows.net/.')
param blobEndpoint string

@description('Table endpoint of the storage account, https://{account}.table.core.windows.net/.')
param tableEndpoint string

@description('Container the app package is deployed from.')
param deploymentContainerName string

@description('Application Insights connection string (no key use: local auth is disabled).')
param applicationInsightsConnectionString string

@description('Fully qualified Event Hubs namespace, {namespace}.servicebus.windows.net.')
param eventHubsFullyQualifiedNamespace string

@description('Device-events hub name.')
param deviceEventsHubName string

@description('Consumer group of the ingest trigger.')
param deviceEventsConsumerGroupName string

@description('Integration-events hub name.')
param integrationEventsHubName string

@description('MQTT hostname of the Event Grid namespace.')
param mqttHostname string

@description('Segment container (KEEPWATCH_RECORDINGS_CONTAINER).')
param recordingsContainerName string

@description('Table name prefix (KEEPWATCH_TABLE_PREFIX).')
param tablePrefix string

@description('HMAC key of playlist URLs, at least 32 characters (KEEPWATCH_PLAYBACK_TOKEN_SECRET).')
@secure()
@minLength(32)
param playbackTokenSecret string

@description('During a rotation, the earlier playback key: URLs it signed keep playing until they expire; empty = none (KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS).')
@secure()
param playbackTokenPreviousSecret string

@description('The administrator\'s key, accepted on every API route in x-functions-key or code; at least 32 characters (KEEPWATCH_ADMIN_KEY; docs/security.md "Who may call what").')
@secure()
@minLength(32)
param adminKey string

@description('OpenID Connect issuer of bearer tokens, e.g. https://login.microsoftonline.com/{tenant}/v2.0; empty = bearer tokens refused (KEEPWATCH_AUTH_ISSUER).')
param authIssuer string

@description('Comma-separated accepted token audiences, required with authIssuer (KEEPWATCH_AUTH_AUDIENCE).')
param authAudience string

@description('JSON object of required claims, e.g. {"tid":"<tenant id>"}; empty = none (KEEPWATCH_AUTH_REQUIRED_CLAIMS).')
param authRequiredClaims string

@description('JSON object mapping Entra group object ids to camera ids or "*"; empty = no mapping (KEEPWATCH_AUTH_CAMERA_GROUPS).')
param authCameraGroups string

@description('Client id of the viewer at the issuer (an Entra SPA registration); empty = the viewer asks for the admin key (KEEPWATCH_VIEWER_CLIENT_ID).')
param viewerClientId string

@description('ISO 8601 lifetime of a playback URL, PT1M..P1D (KEEPWATCH_PLAYBACK_TTL).')
param playbackTtl string

@description('ISO 8601 lifetime of segment SAS URLs, empty = the playback TTL (KEEPWATCH_SEGMENT_SAS_TTL).')
param segmentSasTtl string

@description('ISO 8601 lifetime of a live playlist URL, PT1M..P1D (KEEPWATCH_LIVE_TTL).')
param liveTtl string

@description('ISO 8601 lifetime of the create-only upload URLs handed to devices, PT2M..P1D (KEEPWATCH_DEVICE_SAS_TTL).')
param deviceSasTtl string

@description('ISO 8601 longest a device may cache a segment or event and still deliver it, P1D..P3650D (KEEPWATCH_OFFLINE_HORIZON).')
param offlineHorizon string

@description('Comma-separated viewer origins (KEEPWATCH_VIEWER_ORIGINS).')
param viewerOrigins string

@description('ISO 8601 longest MP4 export range (KEEPWATCH_EXPORT_MAX_DURATION).')
param exportMaxDuration string

@description('Most stored segment bytes one MP4 export reads (KEEPWATCH_EXPORT_MAX_BYTES).')
param exportMaxBytes int

@description('Default archive retention in whole days (KEEPWATCH_RETENTION_DEFAULT = P{n}D).')
param retentionDays int

@description('Longest retention a camera policy may set, whole days (KEEPWATCH_RETENTION_MAX = P{n}D); the lifecycle backstop waits this plus a margin.')
@minValue(1)
@maxValue(3650)
param retentionMaxDays int

@description('NCRONTAB schedule of the retention timer, UTC (KEEPWATCH_RETENTION_SCHEDULE).')
param retentionSchedule string

@description('ISO 8601 time activate/deactivate wait for the device to report, PT0S..PT3M (KEEPWATCH_PIPELINE_STATE_WAIT).')
param pipelineStateWait string

@description('Public base URL of playback links (custom domain or proxy); empty = the app\'s default host name, never the request\'s Host header (KEEPWATCH_PUBLIC_BASE_URL).')
param publicBaseUrl string

@description('Most instances the app scales out to.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 100

@description('Memory per instance, MB (2048 leaves room for ffmpeg during MP4 export).')
@allowed([
  512
  2048
  4096
])
param instanceMemoryMB int = 2048

resource plan 'Microsoft.Web/serverfarms@2024-04-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    name: 'FC1'
    tier: 'FlexConsumption'
  }
  properties: {
    reserved: true
  }
}

resource functionApp 'Microsoft.Web/sites@2024-04-01' = {
  name: functionAppName
  location: location
  // azd deploys the `api` service of azure.yaml to the resource carrying this tag.
  tags: union(tags, {
    'azd-service-name': 'api'
  })
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: {
      '${identityId}': {}
    }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${blobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        maximumInstanceCount: maximumInstanceCount
        instanceMemoryMB: instanceMemoryMB
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
  }
}

// Flex Consumption takes the runtime from functionAppConfig: FUNCTIONS_WORKER_RUNTIME and
// FUNCTIONS_EXTENSION_VERSION must not be set here.
resource appSettings 'Microsoft.Web/sites/config@2024-04-01' = {
  parent: functionApp
  name: 'appsettings'
  properties: {
    // The host's own storage (timer locks, Event Hubs checkpoints), through the identity.
    AzureWebJobsStorage__blobServiceUri: blobEndpoint
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

    // Recordings and index, through the user-assigned identity (functions/settings.ts parseStorageSettings): Entra ID
    // tokens for Blob and Table, user-delegation SAS for playback (Storage Blob Data Owner grants the delegation key).
    KEEPWATCH_STORAGE__blobServiceUri: blobEndpoint
    KEEPWATCH_STORAGE__tableServiceUri: tableEndpoint
    KEEPWATCH_STORAGE__credential: 'managedidentity'
    KEEPWATCH_STORAGE__clientId: identityClientId
    KEEPWATCH_RECORDINGS_CONTAINER: recordingsContainerName
    KEEPWATCH_TABLE_PREFIX: tablePrefix

    // Event Hubs: the ingest trigger's connection `KEEPWATCH_EVENTHUB` (identity form) and its hub and group;
    // integration events are sent through the same connection.
    KEEPWATCH_EVENTHUB__fullyQualifiedNamespace: eventHubsFullyQualifiedNamespace
    KEEPWATCH_EVENTHUB__credential: 'managedidentity'
    KEEPWATCH_EVENTHUB__clientId: identityClientId
    KEEPWATCH_DEVICE_EVENTS_HUB: deviceEventsHubName
    KEEPWATCH_DEVICE_EVENTS_CONSUMER_GROUP: deviceEventsConsumerGroupName
    KEEPWATCH_INTEGRATION_EVENTS_HUB: integrationEventsHubName

    // Commands from the cloud to devices go through the Event Grid MQTT broker (TLS, port 8883).
    KEEPWATCH_MQTT_URL: 'mqtts://${mqttHostname}:8883'
    // The cloud's MQTT client name (prefix of its MQTT client ids).
    KEEPWATCH_MQTT_USERNAME: 'keepwatch-cloud'
    // Event Grid takes no passwords: the functions authenticate with the identity's Entra token (MQTT 5 OAUTH2-JWT),
    // allowed to publish device commands by the EventGrid TopicSpaces Publisher role (event-grid-mqtt.bicep).
    KEEPWATCH_MQTT__credential: 'managedidentity'
    KEEPWATCH_MQTT__clientId: identityClientId

    // Playback, export, retention (functions/settings.ts; empty values mean "the code's default").
    KEEPWATCH_PLAYBACK_TOKEN_SECRET: playbackTokenSecret
    KEEPWATCH_PLAYBACK_TOKEN_SECRET_PREVIOUS: playbackTokenPreviousSecret
    KEEPWATCH_PLAYBACK_TTL: playbackTtl
    KEEPWATCH_SEGMENT_SAS_TTL: segmentSasTtl
    KEEPWATCH_LIVE_TTL: liveTtl
    KEEPWATCH_DEVICE_SAS_TTL: deviceSasTtl
    KEEPWATCH_OFFLINE_HORIZON: offlineHorizon
    KEEPWATCH_VIEWER_ORIGINS: viewerOrigins
    KEEPWATCH_EXPORT_MAX_DURATION: exportMaxDuration
    KEEPWATCH_EXPORT_MAX_BYTES: string(exportMaxBytes)
    KEEPWATCH_RETENTION_DEFAULT: 'P${retentionDays}D'
    KEEPWATCH_RETENTION_MAX: 'P${retentionMaxDays}D'
    KEEPWATCH_RETENTION_SCHEDULE: retentionSchedule
    // Playback URLs are built on this, never on the request's Host header (functions/http/public-base-url.ts).
    KEEPWATCH_PUBLIC_BASE_URL: empty(publicBaseUrl) ? 'https://${functionApp.properties.defaultHostName}' : publicBaseUrl

    // Who may call the API (functions/auth/, docs/security.md "Who may call what"): every route is anonymous at the
    // host and authorized by the app, with a bearer token of the issuer or the administrator's key.
    KEEPWATCH_ADMIN_KEY: adminKey
    KEEPWATCH_AUTH_ISSUER: authIssuer
    KEEPWATCH_AUTH_AUDIENCE: authAudience
    KEEPWATCH_AUTH_REQUIRED_CLAIMS: authRequiredClaims
    KEEPWATCH_AUTH_CAMERA_GROUPS: authCameraGroups
    // The viewer signs people in at the issuer (authorization code + PKCE; docs/viewer.md "Sign-in").
    KEEPWATCH_VIEWER_CLIENT_ID: viewerClientId

    // AVA live pipeline lifecycle (docs/contracts.md "AVA live pipelines").
    KEEPWATCH_PIPELINE_STATE_WAIT: pipelineStateWait

    // Asset manifests: an archive hour's manifest is written this long after the hour ends (docs/contracts.md "Asset manifests").
    KEEPWATCH_MANIFEST_GRACE: 'PT10M'
  }
}

output functionAppName string = functionApp.name
output functionAppUrl string = 'https://${functionApp.properties.defaultHostName}'
