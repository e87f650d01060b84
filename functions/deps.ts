import { ValidationError } from '../shared/errors';
import { entraCredential } from './adapters/identity/entra-credential';
import { noDeviceSessions, type DeviceSessions } from '../shared/ports/device-sessions';
import type { HoldStore } from '../shared/ports/hold-store';
import type { IntegrationEvents } from '../shared/ports/integration-events';
import type { TopologyImporter } from '../shared/pipelines/topology-importer';
import type { RecordingStore } from '../shared/ports/recording-store';
import type { SasSigner } from '../shared/ports/sas-signer';
import type { SegmentIndex } from '../shared/ports/segment-index';
import { BlobPreviewCache } from './adapters/blob/blob-preview-cache';
import { BlobSegmentReader } from './adapters/blob/blob-segment-reader';
import { BlobSegmentStat } from './adapters/blob/blob-segment-stat';
import { BlobSegmentTags } from './adapters/blob/blob-segment-tags';
import { functionsFfmpeg } from './adapters/ffmpeg/ffmpeg-path';
import { CloudMqtt } from './adapters/mqtt/cloud-mqtt';
import { MqttDeviceCommands } from './adapters/mqtt/mqtt-device-commands';
import { TableGateStore } from './adapters/table/table-gate-store';
import { TableSignalStore } from './adapters/table/table-signal-store';
import type { SignalStore } from '../shared/ports/signal-store';
import { BlobBatchDeleter } from './adapters/blob/blob-batch-deleter';
import { BlobExportJobs } from './adapters/blob/blob-export-jobs';
import { BlobManifests } from './adapters/blob/blob-manifests';
import { BlobSegmentHasher } from './adapters/blob/blob-segment-hasher';
import { ServiceSasSigner } from './adapters/blob/service-sas-signer';
import { ensureContainer, ensureTable, storageClients, type StorageClientOptions, type StorageClients } from './adapters/storage/storage-clients';
import { UserDelegationSasSigner } from './adapters/blob/user-delegation-sas-signer';
import { TableAvailabilityStore } from './adapters/table/table-availability-store';
import { TableCameraStore } from './adapters/table/table-camera-store';
import { TableDeadLetterStore } from './adapters/table/table-dead-letter-store';
import { TableDeviceStore } from './adapters/table/table-device-store';
import { TableGapIndex } from './adapters/table/table-gap-index';
import { TableHealthStore } from './adapters/table/table-health-store';
import { TableLiveMarkStore } from './adapters/table/table-live-mark-store';
import { TableLivePresenceStore } from './adapters/table/table-live-presence-store';
import { TableHoldStore } from './adapters/table/table-hold-store';
import { TableManifestHours } from './adapters/table/table-manifest-hours';
import { TableManifestRecordings } from './adapters/table/table-manifest-recordings';
import { integrationEventsSink } from './adapters/integration-events-sink';
import { TablePipelineStore } from './adapters/table/table-pipeline-store';
import { TablePolicyStore } from './adapters/table/table-policy-store';
import { topologyImporter } from './pipelines/topology-importer';
import { TableRecordingStore } from './adapters/table/table-recording-store';
import { ERASURE_JOURNAL_ROW, TableRetentionJournal } from './adapters/table/table-retention-journal';
import { TableSegmentIndex } from './adapters/table/table-segment-index';
import { TableShareStore } from './adapters/table/table-share-store';
import { settings, type FunctionsSettings } from './settings';

/**
 * Everything a handler needs: the service adapters, or the port where there is more than one implementation (signer,
 * integration events, device sessions) or shared code uses the store's types; the handlers' optional last parameter.
 */
export interface FunctionsDeps {
  settings: FunctionsSettings;
  segmentIndex: SegmentIndex;
  availability: TableAvailabilityStore;
  cameras: TableCameraStore;
  deadLetters: TableDeadLetterStore;
  gapIndex: TableGapIndex;
  sasSigner: SasSigner;
  /** Segment bytes for the MP4 export. */
  segmentReader: BlobSegmentReader;
  /**
   * The ffmpeg binary for the MP4 export, resolved on first use (so a missing binary fails the export only).
   * @throws Error when no binary is found (functions/adapters/ffmpeg/ffmpeg-path.ts)
   */
  ffmpegPath(): string;
  /** Decoded preview images, cached in the recordings container (docs/previews.md). */
  previewCache: BlobPreviewCache;
  policies: TablePolicyStore;
  holds: HoldStore;
  segmentBlobs: BlobBatchDeleter;
  retentionJournal: TableRetentionJournal;
  /** The erasure-on-demand journal: the retention journal table, row `erasure` per camera (functions/erasure/erase-range.ts). */
  erasureJournal: TableRetentionJournal;
  integrationEvents: IntegrationEvents;
  /** EVR recordings. */
  recordings: RecordingStore;
  /** EVR signal gate rows, one per camera. */
  gates: TableGateStore;
  /** Signals of cameras that record by signals (EVR, CVR signal recordings), for `GET /cameras/{id}/signals`. */
  signals: SignalStore;
  /** Upload-window commands to devices over MQTT. */
  deviceCommands: MqttDeviceCommands;
  /** Provisioned devices: secret hashes and the cameras each may record (docs/devices.md). */
  devices: TableDeviceStore;
  /** Ends a device's broker sessions on rotation and revocation (the local broker; in Azure nothing, docs/devices.md). */
  deviceSessions: DeviceSessions;
  /** Existence, size and SHA-256 of segment blobs, read with the cloud's identity (device upload-urls). */
  segmentBlobStat: BlobSegmentStat;
  /** The storage lifecycle backstop's tag on segment blobs: eligible once indexed, held under a hold (functions/retention/segment-backstop.ts). */
  segmentBlobTags: BlobSegmentTags;
  /** Evidence export jobs and their bundles, under `_exports/` in the recordings container (functions/exports/). */
  exportJobs: BlobExportJobs;
  /** AVA pipeline topologies and live pipelines per device. */
  pipelines: TablePipelineStore;
  /** Device and camera health from the devices' status (functions/health/). */
  health: TableHealthStore;
  /** Live playlist sequence marks, one per camera watched live (shared/hls/live-window.ts). */
  liveMarks: TableLiveMarkStore;
  /** Live viewers' upload windows on EVR cameras, one per camera (shared/evr/live-presence.ts). */
  livePresence: TableLivePresenceStore;
  /** Share links of camera ranges, checked on every use of a link (functions/shares/). */
  shares: TableShareStore;
  /** AVA topology import (shared/topology/import-topology.ts); swappable for tests. */
  importTopology: TopologyImporter;
  /** Archive hours and the versions of their asset manifests (docs/contracts.md "Asset manifests"). */
  manifestHours: TableManifestHours;
  /** EVR recordings and the versions of their asset manifests (same table). */
  manifestRecordings: TableManifestRecordings;
  /** Asset manifest blobs: create-only writes, reads, listings. */
  manifestBlobs: BlobManifests;
  /** SHA-256 of stored segment bytes, read back (the manifests' hashes). */
  segmentHasher: BlobSegmentHasher;
  /** Current time, epoch ms UTC (swappable so tests can expire tokens). */
  now(): number;
  /** Creates the tables and the recordings container if missing (once per process); handlers need not call it. */
  ensureStorage(): Promise<void>;
}

/** What tests may swap in {@link createDeps}; Azure needs none of it. */
export interface DepsOverrides {
  now?: () => number;
  /** Options of the storage clients: a token credential instead of the settings' one, an https agent (e.g. trusting an emulator's certificate). */
  storage?: StorageClientOptions;
  /** The AVA topology import (tests swap it). */
  importTopology?: TopologyImporter;
  /** The broker's session control (the local stack's broker); default {@link noDeviceSessions}. */
  deviceSessions?: DeviceSessions;
}

/**
 * The composition root of the functions side (adapters depend on the domain, never the reverse): Table and Blob adapters built from
 * the storage settings, either a connection string (account key) or identity-based (Entra ID token; no key anywhere).
 * The playback signer follows: service SAS with an account key, user-delegation SAS with an identity.
 * @throws ValidationError `InvalidSetting` when the connection string has no account key (a SAS connection string can
 *   sign no SAS; use a key or the identity-based settings)
 */
export function createDeps(s: FunctionsSettings, overrides: DepsOverrides = {}): FunctionsDeps {
  const clients = storageClients(s.storage, overrides.storage);
  const now = overrides.now ?? Date.now;
  const tables = {
    segments: clients.tableClient(s.tables.segments),
    cameras: clients.tableClient(s.tables.cameras),
    availability: clients.tableClient(s.tables.availability),
    deadLetters: clients.tableClient(s.tables.deadLetters),
    gaps: clients.tableClient(s.tables.gaps),
    policies: clients.tableClient(s.tables.policies),
    holds: clients.tableClient(s.tables.holds),
    retention: clients.tableClient(s.tables.retention),
    events: clients.tableClient(s.tables.events),
    recordings: clients.tableClient(s.tables.recordings),
    gates: clients.tableClient(s.tables.gates),
    devices: clients.tableClient(s.tables.devices),
    pipelines: clients.tableClient(s.tables.pipelines),
    health: clients.tableClient(s.tables.health),
    liveMarks: clients.tableClient(s.tables.liveMarks),
    manifests: clients.tableClient(s.tables.manifests),
    shares: clients.tableClient(s.tables.shares),
    signals: clients.tableClient(s.tables.signals),
  };
  const container = clients.blobService.getContainerClient(s.recordingsContainer);
  let ffmpegPath: string | undefined;
  // One broker connection for the device commands and (without an integration hub) the integration events.
  // In Azure it authenticates with the managed identity's Entra token (KEEPWATCH_MQTT__credential), locally by password.
  const mqttAuth = s.mqtt.managedIdentity
    ? { credential: entraCredential({ credential: 'managedidentity', clientId: s.mqtt.managedIdentity.clientId }) }
    : { password: s.mqtt.password };
  const cloudMqtt = s.mqtt.url ? new CloudMqtt({ url: s.mqtt.url, username: s.mqtt.username, ...mqttAuth }) : undefined;
  return {
    settings: s,
    segmentIndex: new TableSegmentIndex(tables.segments),
    availability: new TableAvailabilityStore(tables.availability),
    cameras: new TableCameraStore(tables.cameras),
    deadLetters: new TableDeadLetterStore(tables.deadLetters),
    gapIndex: new TableGapIndex(tables.gaps),
    sasSigner: sasSigner(clients, s.recordingsContainer, now),
    segmentReader: new BlobSegmentReader(container),
    ffmpegPath: () => (ffmpegPath ??= functionsFfmpeg(s.ffmpegPath).path),
    previewCache: new BlobPreviewCache(container),
    policies: new TablePolicyStore(tables.policies),
    holds: new TableHoldStore(tables.holds),
    segmentBlobs: new BlobBatchDeleter(container),
    retentionJournal: new TableRetentionJournal(tables.retention),
    erasureJournal: new TableRetentionJournal(tables.retention, ERASURE_JOURNAL_ROW),
    integrationEvents: integrationEventsSink(s.integrationEvents, tables.events, cloudMqtt),
    recordings: new TableRecordingStore(tables.recordings),
    gates: new TableGateStore(tables.gates),
    deviceCommands: new MqttDeviceCommands(cloudMqtt ?? s.mqtt),
    devices: new TableDeviceStore(tables.devices),
    deviceSessions: overrides.deviceSessions ?? noDeviceSessions,
    segmentBlobStat: new BlobSegmentStat(container),
    segmentBlobTags: new BlobSegmentTags(container),
    pipelines: new TablePipelineStore(tables.pipelines),
    health: new TableHealthStore(tables.health),
    liveMarks: new TableLiveMarkStore(tables.liveMarks),
    signals: new TableSignalStore(tables.signals),
    livePresence: new TableLivePresenceStore(tables.liveMarks),
    exportJobs: new BlobExportJobs(container),
    shares: new TableShareStore(tables.shares),
    importTopology: overrides.importTopology ?? topologyImporter,
    manifestHours: new TableManifestHours(tables.manifests),
    manifestRecordings: new TableManifestRecordings(tables.manifests),
    manifestBlobs: new BlobManifests(container),
    segmentHasher: new BlobSegmentHasher(container),
    now,
    ensureStorage: async () => {
      await Promise.all([...Object.values(tables).map(ensureTable), ensureContainer(container)]);
    },
  };
}

/** Service SAS with the account key; user-delegation SAS with a token credential (the key is the identity's). */
function sasSigner(clients: StorageClients, container: string, now: () => number): SasSigner {
  const { accountName, blobEndpoint, auth } = clients;
  if (auth.kind === 'key') return new ServiceSasSigner({ accountName, accountKey: auth.accountKey, blobEndpoint, container });
  if (auth.kind === 'token') return new UserDelegationSasSigner({ keys: clients.blobService, accountName, blobEndpoint, container, now });
  throw new ValidationError('setting KEEPWATCH_STORAGE_CONNECTION_STRING has no AccountKey, which the service SAS signer needs (or use the identity-based KEEPWATCH_STORAGE__* settings for a user-delegation SAS)', undefined, 'InvalidSetting');
}

let cached: FunctionsDeps | undefined;
let processOverrides: DepsOverrides = {};

/**
 * What the process hosting the functions swaps in for every handler's default deps, e.g. the local stack's broker as
 * `deviceSessions` (local/stack.ts). Azure sets none. Rebuilds the deps on next use.
 */
export function setProcessDepsOverrides(o: DepsOverrides): void {
  processOverrides = o;
  cached = undefined;
}

/** The process's deps from {@link settings}, built on first use; rebuilt when the settings were reset. */
export function defaultDeps(): FunctionsDeps {
  const s = settings();
  if (!cached || cached.settings !== s) cached = createDeps(s, processOverrides);
  return cached;
}
