// The storage account of the recordings (Blob) and the index (Table), also used by the Functions host
// (AzureWebJobsStorage: timer locks, Event Hubs checkpoints) and for the Flex Consumption deployment package.
// Shared keys are off: every caller authenticates with Entra ID, and playback SAS are user delegation SAS.

@description('Azure region.')
param location string

@description('Tags put on every resource.')
param tags object

@description('Storage account name: 3-24 lowercase letters and digits.')
@minLength(3)
@maxLength(24)
param storageAccountName string

@description('Container of the segments (KEEPWATCH_RECORDINGS_CONTAINER).')
param recordingsContainerName string

@description('Container the Flex Consumption plan deploys the app package from.')
param deploymentContainerName string

@description('Table name prefix (KEEPWATCH_TABLE_PREFIX); tables are {prefix}{suffix}, see tableSuffixes.')
param tablePrefix string

@description('Browser origins (scheme://host[:port]) allowed to read segments cross-origin; empty = no CORS rule.')
param viewerOrigins array

@description('Days after creation the lifecycle backstop deletes a segment blob tagged keepwatch-backstop=eligible (the longest retention a policy may set + margin).')
@minValue(1)
param lifecycleDeleteAfterDays int

@description('Days after creation the lifecycle rule deletes an evidence export job and its bundle (`_exports/` in the recordings container).')
@minValue(1)
param exportBundleDays int = 7

@description('Days a deleted or overwritten blob stays recoverable (blob and container soft delete).')
@minValue(1)
@maxValue(365)
param softDeleteDays int

// One table per suffix of functions/settings.ts `tables` (test/unit/infra/bicep.test.ts compares the two).
var tableSuffixes = [
  'Segments'
  'Cameras'
  'Availability'
  'DeadLetters'
  'Gaps'
  'Policies'
  'Holds'
  'Retention'
  'Events'
  'Recordings'
  'Gates'
  'Devices'
  'Pipelines'
  'Health'
  'LiveMarks'
  'Manifests'
  'Shares'
  'Signals'
]

// The viewer rule of shared/viewer-cors.ts viewerCorsRules(), as arrays (the ARM shape); the test compares them.
var viewerCorsRule = {
  allowedOrigins: viewerOrigins
  allowedMethods: [
    'GET'
    'HEAD'
    'OPTIONS'
  ]
  allowedHeaders: [
    'range'
    'if-match'
    'if-none-match'
    'if-modified-since'
    'x-ms-version'
    'x-ms-client-request-id'
  ]
  exposedHeaders: [
    'content-length'
    'content-range'
    'content-type'
    'etag'
    'accept-ranges'
    'x-ms-request-id'
  ]
  maxAgeInSeconds: 3600
}

resource storage 'Microsoft.Storage/storageAccounts@2023-05-01' = {
  name: storageAccountName
  location: location
  tags: tags
  kind: 'StorageV2'
  sku: {
    name: 'Standard_LRS'
  }
  properties: {
    accessTier: 'Hot'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    allowCrossTenantReplication: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    supportsHttpsTrafficOnly: true
    publicNetworkAccess: 'Enabled'
  }
}

resource blobService 'Microsoft.Storage/storageAccounts/blobServices@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    cors: {
      corsRules: empty(viewerOrigins) ? [] : [
        viewerCorsRule
      ]
    }
    // Whatever deletes a segment (the retention timer, the backstop, a stolen credential with more rights than a
    // device has) or overwrites one (Put Blob on an existing name makes a soft-deleted snapshot) leaves it recoverable
    // for softDeleteDays (docs/security.md). Versioning is not enabled: no Keepwatch credential overwrites a segment
    // (devices create once, `If-None-Match: *`), and soft delete already keeps what an overwrite or delete removes.
    deleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
    containerDeleteRetentionPolicy: {
      enabled: true
      days: softDeleteDays
    }
  }
}

resource recordingsContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: recordingsContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource deploymentContainer 'Microsoft.Storage/storageAccounts/blobServices/containers@2023-05-01' = {
  parent: blobService
  name: deploymentContainerName
  properties: {
    publicAccess: 'None'
  }
}

resource tableService 'Microsoft.Storage/storageAccounts/tableServices@2023-05-01' = {
  parent: storage
  name: 'default'
}

resource tables 'Microsoft.Storage/storageAccounts/tableServices/tables@2023-05-01' = [for suffix in tableSuffixes: {
  parent: tableService
  name: '${tablePrefix}${suffix}'
}]

// Backstop only: the retention timer (functions/retention/retention.ts) deletes blobs and index rows together, to the hour.
// Lifecycle management runs about once a day and knows nothing of per-camera policies or holds, so it must only
// catch what the timer missed (Azure Storage docs, "Lifecycle management overview"). prefixMatch starts with the
// container name. It never deletes what a hold or a policy keeps (docs/security.md "Holds hold in Azure too"):
// - a filter can only include blobs, so it takes those tagged keepwatch-backstop=eligible (shared/backstop-tag.ts),
//   which ingest sets on each segment it indexes and a hold replaces with `held` on the segments it covers
//   (functions/retention/segment-backstop.ts); an untagged blob (never indexed) is left to the timer and to people;
// - lifecycleDeleteAfterDays is the longest retention a policy may set (KEEPWATCH_RETENTION_MAX, which the API
//   enforces) plus a margin.
resource lifecycle 'Microsoft.Storage/storageAccounts/managementPolicies@2023-05-01' = {
  parent: storage
  name: 'default'
  properties: {
    policy: {
      rules: [
        {
          name: 'segments-retention-backstop'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${recordingsContainerName}/'
              ]
              blobIndexMatch: [
                {
                  name: 'keepwatch-backstop'
                  op: '=='
                  value: 'eligible'
                }
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: lifecycleDeleteAfterDays
                }
              }
            }
          }
        }
        // Evidence export jobs and bundles (functions/adapters/blob/blob-export-jobs.ts): copies for investigators to
        // download, not the archive; the job's status and bundle go together after exportBundleDays.
        {
          name: 'export-bundles-expiry'
          enabled: true
          type: 'Lifecycle'
          definition: {
            filters: {
              blobTypes: [
                'blockBlob'
              ]
              prefixMatch: [
                '${recordingsContainerName}/_exports/'
              ]
            }
            actions: {
              baseBlob: {
                delete: {
                  daysAfterCreationGreaterThan: exportBundleDays
                }
              }
            }
          }
        }
      ]
    }
  }
}

output storageAccountName string = storage.name
output storageAccountId string = storage.id
output blobEndpoint string = storage.properties.primaryEndpoints.blob
output tableEndpoint string = storage.properties.primaryEndpoints.table
output recordingsContainerName string = recordingsContainer.name
output deploymentContainerName string = deploymentContainer.name
