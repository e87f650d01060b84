import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { InvocationContext } from '@azure/functions';
import { streamInfoFromDescriptions } from '../../../edge-agent/recorder/ffmpeg-stream-info';
import { RETENTION_COMPLETED, RETENTION_SOURCE, retention, type RetentionDeps } from '../../../functions/retention/retention';
import { recordingApiId } from '../../../shared/evr/recording-id';
import { RECORDING_AVAILABLE, RECORDING_STARTED, RECORDING_STOPPED, recordingEvent } from '../../../shared/evr/recording-plan';
import type { IntegrationEvent } from '../../../shared/ports/integration-events';
import type { RecordingRecord } from '../../../shared/ports/recording-store';
import { DIAGNOSTICS, cloudEventSchema, deviceSource, diagnosticsDataSchema, parseDeviceEvent } from '../../../shared/contracts/device-events';
import { EVR_POLICY_SOURCE, RECORDING_ID_PATTERN } from '../../../shared/contracts/upload-window';
import { CAMERA_GAP, CAMERA_OFFLINE, CAMERA_OFFLINE_AFTER_MS, CAMERA_ONLINE, DEVICE_OFFLINE, DEVICE_ONLINE, cameraGapDataSchema } from '../../../shared/contracts/camera-health';
import { announceHealth } from '../../../shared/health/announce-health';
import type { CameraHealthRecord, DeviceHealthSnapshot } from '../../../shared/health/health-records';
import { cameraGapEvent } from '../../../functions/ingest/camera-gap-event';
import { MEDIA_ERASED } from '../../../shared/contracts/media-erasure';
import { mediaErasedEvent } from '../../../functions/erasure/erase-range';
import { ARCHIVE_LIFECYCLE_SOURCE, archiveSessionEvents } from '../../../shared/evr/archive-sessions';

/**
 * docs/events.md, the integration events page, against the code that makes those events: every JSON example must be
 * an event the code could publish, and every type the code publishes must have its example, so the page cannot rot.
 */

/** docs/events.md at the repository root (this file runs from dist/test/unit/repository/). */
const EVENTS_MD = path.resolve(__dirname, '..', '..', '..', '..', 'docs', 'events.md');

/** `type` of ingest's forwarded diagnostics (functions/ingest/ingest.ts; a literal there). */
const CAMERA_DIAGNOSTICS = 'camera.diagnostics';
const INGEST_SOURCE = '/keepwatch/ingest';

/** Every integration event type the functions publish (functions/ingest/ingest.ts, functions/evr/, functions/health/, functions/retention/retention.ts, functions/erasure/erase-range.ts). */
const PUBLISHED_TYPES = [RECORDING_STARTED, RECORDING_AVAILABLE, RECORDING_STOPPED, CAMERA_DIAGNOSTICS, CAMERA_OFFLINE, CAMERA_ONLINE, DEVICE_OFFLINE, DEVICE_ONLINE, CAMERA_GAP, RETENTION_COMPLETED, MEDIA_ERASED];

/** The fenced ```json blocks of a markdown text, parsed; the text of a block that does not parse is a test failure. */
function jsonBlocks(markdown: string): unknown[] {
  return [...markdown.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map((m, i) => {
    try {
      return JSON.parse(m[1]!) as unknown;
    } catch (err) {
      throw new Error(`docs/events.md: JSON block ${i + 1} does not parse: ${(err as Error).message}\n${m[1]}`);
    }
  });
}

/** The examples that are CloudEvents (a `specversion`), as the page shows them. */
function examples(markdown: string): IntegrationEvent[] {
  return jsonBlocks(markdown).filter((b): b is IntegrationEvent => typeof b === 'object' && b !== null && 'specversion' in b);
}

/** Each key path of a JSON value with the type of its value (`data.byCause.age.bytes: number`); arrays by their items. */
function shape(value: unknown, at = ''): string[] {
  if (Array.isArray(value)) return [`${at}: array`, ...value.flatMap((v) => shape(v, `${at}[]`))];
  if (value !== null && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => shape(v, at ? `${at}.${k}` : k));
  return [`${at}: ${value === null ? 'null' : typeof value}`];
}

const doc = readFileSync(EVENTS_MD, 'utf8');
const all = examples(doc);
const ofType = (type: string) => all.filter((e) => e.type === type);

describe('docs/events.md against the integration events the code publishes', () => {
  it('finds the JSON examples and tells a bad block apart', () => {
    assert.deepEqual(examples('text\n```json\n{"specversion":"1.0","type":"a"}\n```\n```json\n{"x":1}\n```\n```sh\nnot json\n```\n'), [{ specversion: '1.0', type: 'a' }]);
    assert.throws(() => jsonBlocks('```json\n{"a":\n```\n'), /JSON block 1 does not parse/);
    assert.deepEqual(shape({ a: { b: 1 }, c: [{ d: 'x' }], e: null }), ['a.b: number', 'c: array', 'c[].d: string', 'e: null']);
  });

  it('has an example, and a row in the summary table, for exactly the types the code publishes', () => {
    assert.deepEqual([...new Set(all.map((e) => e.type))].sort(), [...PUBLISHED_TYPES].sort());
    const table = /^\| `type` \|[\s\S]*?\n\n/m.exec(doc)?.[0] ?? '';
    const rows = [...table.matchAll(/^\| \[`([a-z.]+)`\]/gm)].map((m) => m[1]);
    assert.deepEqual([...rows].sort(), [...PUBLISHED_TYPES].sort(), 'the summary table lists each published type once');
  });

  it('every example is a CloudEvent 1.0 (the schema ingest checks device events with), JSON data, its subject set', () => {
    for (const e of all) {
      const parsed = cloudEventSchema.safeParse(e);
      assert.ok(parsed.success, `${e.id}: ${parsed.success ? '' : parsed.error.message}`);
      assert.deepEqual(Object.keys(e).sort(), ['data', 'datacontenttype', 'id', 'source', 'specversion', 'subject', 'time', 'type'], `${e.id}: attributes`);
      assert.equal(e.datacontenttype, 'application/json');
    }
  });

  it('recording.started/available/stopped are what recordingEvent() makes of the recording they describe', () => {
    for (const type of [RECORDING_STARTED, RECORDING_AVAILABLE, RECORDING_STOPPED]) {
      const examplesOfType = ofType(type);
      assert.ok(examplesOfType.length >= 1, `no ${type} example`);
      for (const e of examplesOfType) {
        const d = e.data as { deviceId: string; cameraId: string; recordingId: string; start: string; end: string; kind?: string; signals: Array<{ id: string; type: string; time: string; label?: string }> };
        if (d.kind === 'archive') continue; // the archive's own lifecycle: the next test
        assert.match(d.recordingId, RECORDING_ID_PATTERN);
        // The API id of a recording opened by its first signal at its start (shared/evr/recording-id.ts).
        assert.equal(d.recordingId, recordingApiId(d.cameraId, d.signals[0]!.id, Date.parse(d.start)), `${e.id}: recordingId`);
        const record: RecordingRecord = {
          id: d.recordingId,
          cameraId: d.cameraId,
          deviceId: d.deviceId,
          gateRecordingId: d.signals[0]!.id,
          startMs: Date.parse(d.start),
          endMs: Date.parse(d.end),
          state: type === RECORDING_STOPPED ? 'complete' : 'recording',
          sequence: 0,
          signals: d.signals.map((s) => ({ id: s.id, type: s.type, atMs: Date.parse(s.time), ...(s.label !== undefined ? { label: s.label } : {}) })),
          signalCount: d.signals.length,
          createdAtMs: Date.parse(d.start),
          updatedAtMs: Date.parse(e.time),
        };
        assert.deepEqual(e, recordingEvent(type, record, Date.parse(e.time)));
        assert.equal(e.source, EVR_POLICY_SOURCE);
      }
    }
  });

  it('the archive lifecycle examples (kind archive) are what archiveSessionEvents() makes of the session they describe', () => {
    const archive = all.filter((e) => (e.data as { kind?: string }).kind === 'archive');
    assert.ok(archive.length >= 1, 'no archive lifecycle example');
    for (const e of archive) {
      const d = e.data as { deviceId: string; cameraId: string; start: string; end: string };
      const session = { startMs: Date.parse(d.start), endMs: Date.parse(d.end) };
      // A stop: the session, then a gap its device reported from its end; a start: its first segment.
      const made = e.type === RECORDING_STOPPED
        ? archiveSessionEvents({ cameraId: d.cameraId, deviceId: d.deviceId, segments: [], gaps: [{ startMs: session.endMs, endMs: session.endMs + 60_000 }], ranges: [session], nowMs: Date.parse(e.time) })
        : archiveSessionEvents({ cameraId: d.cameraId, deviceId: d.deviceId, segments: [{ startMs: session.startMs, durationMs: session.endMs - session.startMs }], gaps: [], ranges: [session], nowMs: Date.parse(e.time) });
      assert.deepEqual(e, made.find((m) => m.type === e.type), `${e.id}`);
      assert.equal(e.source, ARCHIVE_LIFECYCLE_SOURCE);
    }
  });

  it('camera.diagnostics carries a device diagnostics event ingest accepts, plus its device', () => {
    const diagnostics = ofType(CAMERA_DIAGNOSTICS);
    assert.ok(diagnostics.some((e) => (e.data as { kind: string }).kind === 'session-established'), 'an established session is shown');
    assert.ok(diagnostics.some((e) => (e.data as { cause?: string }).cause !== undefined), 'a failed session with its cause is shown');
    for (const e of diagnostics) {
      const { deviceId, ...data } = e.data as { deviceId: string; cameraId: string; video?: string; audio?: string[]; stream?: unknown };
      assert.deepEqual(diagnosticsDataSchema.parse(data), data, `${e.id}: data is the device's diagnostics data, nothing dropped`);
      const device = parseDeviceEvent({ specversion: '1.0', id: e.id, source: deviceSource(deviceId), type: DIAGNOSTICS, subject: data.cameraId, time: e.time, datacontenttype: 'application/json', data }, deviceId, data.cameraId);
      assert.equal(device.kind, DIAGNOSTICS);
      // As functions/ingest/ingest.ts forwards it.
      assert.deepEqual(e, { specversion: '1.0', id: e.id, source: INGEST_SOURCE, type: CAMERA_DIAGNOSTICS, time: e.time, subject: data.cameraId, datacontenttype: 'application/json', data: { deviceId, ...data } });
      if (data.stream !== undefined) assert.deepEqual(data.stream, streamInfoFromDescriptions(data.video!, data.audio ?? []), `${e.id}: stream is what the agent parses from video and audio`);
    }
  });

  it('camera.offline/online and device.offline/online are what announceHealth() makes of the state they describe', () => {
    const one = (type: string) => {
      const [e, ...more] = ofType(type);
      assert.ok(e && more.length === 0, `one ${type} example`);
      return e as IntegrationEvent & { data: Record<string, string> & { cameraIds?: string[] } };
    };
    const snapshot = (deviceId: string, device: DeviceHealthSnapshot['device'], cameras: CameraHealthRecord[] = []): DeviceHealthSnapshot => ({ deviceId, device, cameras: new Map(cameras.map((c) => [c.cameraId, c])) });
    const made = (s: DeviceHealthSnapshot, time: string, type: string) => announceHealth(s, Date.parse(time), () => false).events.find((x) => x.type === type);

    // A camera failing (its device online and heard), for the grace since the cloud first saw the failure.
    const off = one(CAMERA_OFFLINE);
    const offAt = Date.parse(off.time);
    const failing: CameraHealthRecord = {
      deviceId: off.data.deviceId,
      cameraId: off.data.cameraId,
      reportedAtMs: offAt - CAMERA_OFFLINE_AFTER_MS,
      failingSeenMs: offAt - CAMERA_OFFLINE_AFTER_MS,
      report: { state: 'not-recording', sinceMs: Date.parse(off.data.since), cause: off.data.cause as 'connection-refused', message: off.data.message },
      announced: { state: 'online', sinceMs: 0 },
    };
    assert.deepEqual(made(snapshot(off.data.deviceId, { deviceId: off.data.deviceId, state: 'online', stateSinceMs: 0, lastHeardMs: offAt - 1000, announced: { state: 'online', sinceMs: 0 } }, [failing]), off.time, CAMERA_OFFLINE), off);

    const on = one(CAMERA_ONLINE);
    // The same camera back after the outage of the camera.offline example.
    const recording: CameraHealthRecord = { deviceId: on.data.deviceId, cameraId: on.data.cameraId, reportedAtMs: Date.parse(on.time), report: { state: 'recording', sinceMs: Date.parse(on.data.since) }, announced: { state: 'offline', sinceMs: Date.parse(off.data.since) } };
    assert.deepEqual(made(snapshot(on.data.deviceId, { deviceId: on.data.deviceId, state: 'online', stateSinceMs: 0, lastHeardMs: Date.parse(on.time), announced: { state: 'online', sinceMs: 0 } }, [recording]), on.time, CAMERA_ONLINE), on);

    // The last will of a device whose cameras recorded.
    const down = one(DEVICE_OFFLINE);
    const cams = down.data.cameraIds!.map((c): CameraHealthRecord => ({ deviceId: down.data.deviceId, cameraId: c, reportedAtMs: 0, report: { state: 'recording', sinceMs: 0 } }));
    const sinceMs = Date.parse(down.data.since);
    assert.equal(down.data.cause, 'device-offline');
    assert.deepEqual(made(snapshot(down.data.deviceId, { deviceId: down.data.deviceId, state: 'offline', stateSinceMs: sinceMs, lastHeardMs: sinceMs, announced: { state: 'online', sinceMs: 0 } }, cams), down.time, DEVICE_OFFLINE), down);

    const up = one(DEVICE_ONLINE);
    const upSince = Date.parse(up.data.since);
    assert.deepEqual(made(snapshot(up.data.deviceId, { deviceId: up.data.deviceId, state: 'online', stateSinceMs: upSince, lastHeardMs: upSince, announced: { state: 'offline', sinceMs: 0 } }), up.time, DEVICE_ONLINE), up);
  });

  it("camera.gap is what ingest forwards of a device's gap event", () => {
    const [e, ...more] = ofType(CAMERA_GAP);
    assert.ok(e && more.length === 0, 'one camera.gap example');
    const d = cameraGapDataSchema.parse(e.data);
    assert.deepEqual(e, cameraGapEvent(e.id, e.time, { deviceId: d.deviceId, cameraId: d.cameraId, startMs: Date.parse(d.start), endMs: Date.parse(d.end), cause: d.cause, eventId: e.id }));
    // The device's gap event ids are `gap-{cameraId}-{startMs}` (edge-agent/segment-events.ts), which ingest keeps.
    assert.equal(e.id, `gap-${d.cameraId}-${Date.parse(d.start)}`);
  });

  it('retention.completed has the shape of the event a real retention run publishes, and its totals add up', async () => {
    const [e, ...more] = ofType(RETENTION_COMPLETED);
    assert.ok(e && more.length === 0, 'one retention.completed example');
    const published: IntegrationEvent[] = [];
    // A run over no cameras: only the camera list and the event sink are used.
    const deps = {
      cameras: { listCameras: async () => [] },
      integrationEvents: { publish: async (events: readonly IntegrationEvent[]) => void published.push(...events) },
      now: () => Date.parse('2026-11-21T13:05:00.000Z'),
    } as unknown as RetentionDeps;
    const context = new InvocationContext({ invocationId: (e.data as { invocationId: string }).invocationId, functionName: 'retention', logHandler: () => {} });
    await retention(undefined, context, deps);
    assert.equal(published.length, 1);
    const real = published[0]!;
    assert.deepEqual(shape(e), shape(real));
    assert.deepEqual([e.id, e.source, e.type, e.subject], [real.id, RETENTION_SOURCE, RETENTION_COMPLETED, 'retention']);
    const d = e.data as { startedAt: string; segmentsDeleted: number; bytesDeleted: number; byCause: { age: { segments: number; bytes: number }; size: { segments: number; bytes: number } } };
    assert.equal(d.startedAt, e.time, 'the event time is the run start');
    assert.equal(d.segmentsDeleted, d.byCause.age.segments + d.byCause.size.segments);
    assert.equal(d.bytesDeleted, d.byCause.age.bytes + d.byCause.size.bytes);
  });

  it('media.erased is what mediaErasedEvent() makes of the erasure it describes', () => {
    const [e, ...more] = ofType(MEDIA_ERASED);
    assert.ok(e && more.length === 0, 'one media.erased example');
    const d = e.data as { erasureId: string; cameraId: string; requested: { start: string; end: string }; covered: { start: string; end: string }; segments: number; bytes: number; recordingsDeleted: number; requestedAt: string };
    const range = (r: { start: string; end: string }) => ({ startMs: Date.parse(r.start), endMs: Date.parse(r.end) });
    const real = mediaErasedEvent(
      { erasureId: d.erasureId, cameraId: d.cameraId, requested: range(d.requested), covered: range(d.covered), segments: d.segments, bytes: d.bytes, recordingsDeleted: d.recordingsDeleted, requestedAtMs: Date.parse(d.requestedAt), resumed: false },
      Date.parse(e.time),
    );
    assert.deepEqual(e, real);
    assert.ok(Date.parse(d.covered.start) <= Date.parse(d.requested.start) && Date.parse(d.covered.end) >= Date.parse(d.requested.end), 'covered contains requested');
  });
});
