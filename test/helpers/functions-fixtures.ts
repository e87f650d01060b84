import { randomBytes } from 'node:crypto';
import { InvocationContext } from '@azure/functions';
import { TableClient } from '@azure/data-tables';
import { BlobServiceClient } from '@azure/storage-blob';
import { segmentBlobName } from '../../shared/contracts/blob-naming';
import { ENRICHMENT_CLIENT_NAME, ENRICHMENT_TOPIC, MQTT_EVENT_PUBLISHED } from '../../shared/event-grid-mqtt';
import { toIso } from '../../shared/time';
import { createDeps, type FunctionsDeps } from '../../functions/deps';
import { ingest } from '../../functions/ingest/ingest';
import { storeClaimedBlobs } from './segment-blob-fixtures';
import { parseSettings, type FunctionsSettings } from '../../functions/settings';

/** Playback token secret of the tests (≥ 32 characters). */
export const TEST_SECRET = 'integration-test-playback-secret-0123456789';

/**
 * Settings on the given Azurite with fresh tables (unique prefix) and a fresh recordings container, so tests in one file
 * do not see each other's rows or blobs.
 * The offline horizon is the longest allowed (P3650D): the tests replay archives from fixed dates (2023 to 2026), and
 * the horizon's own tests (test/integration/security/device-claims.test.ts) use the default.
 */
export function testSettings(connectionString: string, extra: Record<string, string> = {}): FunctionsSettings {
  return parseSettings({
    KEEPWATCH_STORAGE_CONNECTION_STRING: connectionString,
    KEEPWATCH_PLAYBACK_TOKEN_SECRET: TEST_SECRET,
    KEEPWATCH_TABLE_PREFIX: `t${randomBytes(5).toString('hex')}`,
    KEEPWATCH_OFFLINE_HORIZON: 'P3650D',
    KEEPWATCH_RECORDINGS_CONTAINER: `rec-${randomBytes(5).toString('hex')}`,
    ...extra,
  });
}

export interface SegmentEventOptions {
  deviceId?: string;
  cameraId?: string;
  startMs: number;
  durationMs?: number;
  bytes?: number;
  id?: string;
  sha256?: string;
}

/** A valid `segment.uploaded` CloudEvent as the agent publishes it. */
export function segmentEvent(o: SegmentEventOptions): Record<string, unknown> {
  const deviceId = o.deviceId ?? 'dev1';
  const cameraId = o.cameraId ?? 'cam1';
  return {
    specversion: '1.0',
    id: o.id ?? `evt-${cameraId}-${o.startMs}`,
    source: `/devices/${deviceId}`,
    type: 'segment.uploaded',
    time: toIso(o.startMs + (o.durationMs ?? 10_000)),
    datacontenttype: 'application/json',
    data: {
      cameraId,
      start: toIso(o.startMs),
      durationMs: o.durationMs ?? 10_000,
      bytes: o.bytes ?? 1000,
      blobName: segmentBlobName(cameraId, o.startMs),
      sha256: o.sha256 ?? 'a'.repeat(64),
    },
  };
}

/**
 * The device event wrapped as Event Grid's MQTT routing delivers it to Event Hubs: an `MQTT.EventPublished` envelope
 * whose `subject` is the topic (default: the event's device and camera), with the routing enrichments the namespace
 * stamps (`kwclient` = the publishing client, default the device the topic names, the only one Event Grid lets publish
 * there; `kwtopic` = the topic); `sender: null` leaves them out, as a namespace without them (or anyone sending to the
 * hub directly) would.
 */
export function viaEventGrid(
  inner: Record<string, unknown>,
  o: { topic?: string; form?: 'data' | 'data-string' | 'data_base64'; id?: string; sender?: string | null } = {},
): Record<string, unknown> {
  const data = inner.data as { cameraId: string };
  const deviceId = String(inner.source).replace('/devices/', '');
  const topic = o.topic ?? `keepwatch/${deviceId}/events/${data.cameraId}`;
  const base = {
    specversion: '1.0',
    id: o.id ?? `eg-${String(inner.id)}`,
    time: '2026-11-21T10:00:10.1234567Z',
    type: MQTT_EVENT_PUBLISHED,
    source: 'kw-namespace',
    subject: topic,
    ...(o.sender === null ? {} : { [ENRICHMENT_CLIENT_NAME]: o.sender ?? (topic.split('/')[1] || deviceId), [ENRICHMENT_TOPIC]: topic }),
  };
  const form = o.form ?? 'data';
  if (form === 'data') return { ...base, data: inner };
  if (form === 'data-string') return { ...base, data: JSON.stringify(inner) };
  return { ...base, data_base64: Buffer.from(JSON.stringify(inner)).toString('base64') };
}

/**
 * A device CloudEvent as Event Grid forwards a structured-mode publish (MQTT 5 content type
 * `application/cloudevents+json`): the event itself, no envelope, plus the routing enrichments of the publishing client
 * (default: the event's device) and its topic (default: that device's events topic of the event's camera).
 */
export function forwardedByEventGrid(inner: Record<string, unknown>, o: { topic?: string; sender?: string } = {}): Record<string, unknown> {
  const deviceId = String(inner.source).replace('/devices/', '');
  const topic = o.topic ?? `keepwatch/${deviceId}/events/${(inner.data as { cameraId: string }).cameraId}`;
  return { ...inner, [ENRICHMENT_CLIENT_NAME]: o.sender ?? deviceId, [ENRICHMENT_TOPIC]: topic };
}

/** An InvocationContext like the host's for an Event Hubs batch; logs are collected in `logs`. */
export function batchContext(triggerMetadata?: Record<string, unknown>): InvocationContext & { logs: Array<{ level: string; args: unknown[] }> } {
  const logs: Array<{ level: string; args: unknown[] }> = [];
  const context = new InvocationContext({
    invocationId: `inv-${randomBytes(4).toString('hex')}`,
    functionName: 'ingest',
    triggerMetadata,
    logHandler: (level, ...args) => logs.push({ level, args }),
  });
  return Object.assign(context, { logs });
}

/** Every row of a table, without the service's `etag`/`timestamp`, sorted by keys: comparable across writes. */
export async function tableRows(connectionString: string, table: string): Promise<Array<Record<string, unknown>>> {
  const client = TableClient.fromConnectionString(connectionString, table, { allowInsecureConnection: true });
  const rows: Array<Record<string, unknown>> = [];
  try {
    for await (const e of client.listEntities<Record<string, unknown>>()) {
      const { etag: _e, timestamp: _t, ...rest } = e as Record<string, unknown>;
      rows.push(rest);
    }
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return [];
    throw err;
  }
  return rows.sort((a, b) => `${a.partitionKey}/${a.rowKey}`.localeCompare(`${b.partitionKey}/${b.rowKey}`));
}

/** Deterministic shuffle (seeded), for order-independence tests. */
export function shuffled<T>(items: readonly T[], seed = 7): T[] {
  const out = [...items];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1_103_515_245 + 12_345) % 2 ** 31;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/** A `gap` device event of camera `cam1` on device `dev1` unless told otherwise. */
export function gapEvent(o: { startMs: number; endMs: number; cause?: string; cameraId?: string; deviceId?: string }): Record<string, unknown> {
  const cameraId = o.cameraId ?? 'cam1';
  return {
    specversion: '1.0',
    id: `gap-${cameraId}-${o.startMs}`,
    source: `/devices/${o.deviceId ?? 'dev1'}`,
    type: 'gap',
    time: toIso(o.endMs),
    datacontenttype: 'application/json',
    data: { cameraId, start: toIso(o.startMs), end: toIso(o.endMs), cause: o.cause ?? 'camera-unavailable' },
  };
}

/** A `diagnostics` device event of camera `cam1` on device `dev1`. */
export function diagnosticsEvent(o: { id: string; kind: string; message?: string; video?: string; audio?: string[]; stream?: unknown; cameraId?: string; time?: string }): Record<string, unknown> {
  const { id, cameraId = 'cam1', time = '2026-11-21T10:00:00.000Z', ...data } = o;
  return {
    specversion: '1.0',
    id,
    source: '/devices/dev1',
    type: 'diagnostics',
    time,
    datacontenttype: 'application/json',
    data: { cameraId, ...data },
  };
}

/** Uploads one small blob per segment under its canonical name (64 at a time), as a seeded archive for retention tests. */
export async function uploadSegmentBlobs(connectionString: string, container: string, segments: ReadonlyArray<{ cameraId: string; startMs: number }>): Promise<void> {
  const client = BlobServiceClient.fromConnectionString(connectionString).getContainerClient(container);
  for (let i = 0; i < segments.length; i += 64) {
    await Promise.all(segments.slice(i, i + 64).map((g) => client.getBlockBlobClient(segmentBlobName(g.cameraId, g.startMs)).uploadData(Buffer.from(`${g.cameraId} ${g.startMs}`))));
  }
}

/**
 * A seeded archive for retention tests: fresh settings with a container of its own, deps whose clock is `nowMs`, one
 * blob per segment and its index, rollup and camera rows written through the real ingest handler (100 events a batch).
 * @throws AssertionError-like Error when ingest does not accept every event
 */
export async function seedIndexedArchive(
  connectionString: string,
  nowMs: number,
  segments: ReadonlyArray<{ cameraId: string; startMs: number; durationMs: number; bytes: number }>,
): Promise<{ s: FunctionsSettings; deps: FunctionsDeps }> {
  const s = testSettings(connectionString, { KEEPWATCH_RECORDINGS_CONTAINER: `rec-${randomBytes(4).toString('hex')}` });
  const deps = createDeps(s, { now: () => nowMs });
  await deps.ensureStorage();
  const events = segments.map((g) => viaEventGrid(segmentEvent({ cameraId: g.cameraId, startMs: g.startMs, durationMs: g.durationMs, bytes: g.bytes })));
  await storeClaimedBlobs(s, events); // each of the claimed size: ingest checks it (functions/ingest/ingest-device-claims.ts)
  for (let i = 0; i < events.length; i += 100) {
    const r = await ingest(events.slice(i, i + 100), batchContext(), deps);
    if (r.accepted !== Math.min(100, events.length - i)) throw new Error(`seeding: ingest accepted ${r.accepted} of ${Math.min(100, events.length - i)} events`);
  }
  return { s, deps };
}

