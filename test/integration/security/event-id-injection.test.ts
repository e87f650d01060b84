import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDeps } from '../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../helpers/segment-blob-fixtures';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { ENRICHMENT_CLIENT_NAME, ENRICHMENT_TOPIC, MQTT_EVENT_PUBLISHED } from '../../../shared/event-grid-mqtt';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { deviceCloudEvent, deviceEventTypes, hasSample, sampleEventData } from '../../helpers/device-event-types';
import { HOSTILE_IDS } from '../../helpers/hostile-ids';
import { batchContext, forwardedByEventGrid, tableRows, testSettings } from '../../helpers/functions-fixtures';

/**
 * docs/security.md: device events whose device or camera id (in the CloudEvent, the MQTT topic Event Grid routed, or
 * the blob name) is hostile are dead-lettered by ingest and index nothing. Event types come from the schemas
 * (test/helpers/device-event-types.ts), so a type added later is probed too.
 */
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

/** Routed by Event Grid from a publish on `topic` by the device that topic names (its routing enrichments). */
function viaTopic(topic: string, inner: Record<string, unknown>): Record<string, unknown> {
  const sender = { [ENRICHMENT_CLIENT_NAME]: topic.split('/')[1], [ENRICHMENT_TOPIC]: topic };
  return { specversion: '1.0', id: `eg-${String(inner.id)}`, time: '2026-11-21T10:00:10.1234567Z', type: MQTT_EVENT_PUBLISHED, source: 'kw-namespace', subject: topic, data: inner, ...sender };
}

/** Forwarded as it is (structured mode) from a publish by dev1 on its camera cam1's topic. */
const plain = (inner: Record<string, unknown>) => forwardedByEventGrid(inner, { sender: 'dev1', topic: 'keepwatch/dev1/events/cam1' });

describe('device events with hostile ids are dead-lettered', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  const types = deviceEventTypes();

  it('the schemas define the event types of CVR, gaps, diagnostics and EVR (the harness covers them all)', () => {
    for (const t of ['segment.uploaded', 'segment.recorded', 'gap', 'diagnostics', 'signal']) assert.ok(types.includes(t), `${t} in ${types.join(', ')}`);
  });

  it('control: a valid event of every known type, plain and via Event Grid, is not dead-lettered', async () => {
    const s = testSettings(azurite.connectionString);
    const batch = types.filter(hasSample).flatMap((type, i) => {
      const e = deviceCloudEvent({ id: `ok-${i}`, type, deviceId: 'dev1', data: sampleEventData(type, 'cam1', T0 + i * 10_000) });
      return [plain(e), viaTopic('keepwatch/dev1/events/cam1', { ...e, id: `ok-eg-${i}` })];
    });
    const summary = await ingest(batch, batchContext(), createDeps(s));
    assert.equal(summary.deadLettered, 0);
  });

  it('hostile camera ids (data, topic), device ids (source, topic) and blob names: every one dead-lettered, nothing indexed', async () => {
    const s = testSettings(azurite.connectionString);
    const batch: unknown[] = [];
    let n = 0;
    for (const type of types) {
      for (const bad of HOSTILE_IDS) {
        const id = () => `bad-${n++}`;
        // hostile camera id inside the data, plain CloudEvent and routed on the valid topic of camera cam1
        batch.push(plain(deviceCloudEvent({ id: id(), type, deviceId: 'dev1', data: sampleEventData(type, bad, T0) })));
        batch.push(viaTopic('keepwatch/dev1/events/cam1', deviceCloudEvent({ id: id(), type, deviceId: 'dev1', data: sampleEventData(type, bad, T0) })));
        // hostile device id in the source
        batch.push(plain(deviceCloudEvent({ id: id(), type, deviceId: bad, data: sampleEventData(type, 'cam1', T0) })));
        // hostile ids in the routed topic, with a payload that would be valid on a valid topic
        batch.push(viaTopic(`keepwatch/dev1/events/${bad}`, deviceCloudEvent({ id: id(), type, deviceId: 'dev1', data: sampleEventData(type, 'cam1', T0) })));
        batch.push(viaTopic(`keepwatch/${bad}/events/cam1`, deviceCloudEvent({ id: id(), type, deviceId: bad, data: sampleEventData(type, 'cam1', T0) })));
      }
    }
    const good = segmentBlobName('cam1', T0);
    for (const blobName of [`../${good}`, `cam2/${good.slice(5)}`, `/${good}`, good.replace(/\//g, '%2F'), `${good}/../../cam2/x.ts`, `http://evil.example/${good}`, `${good}?comp=list`, good.toUpperCase(), `${good}\u0000`]) {
      batch.push(plain(deviceCloudEvent({ id: `blob-${n++}`, type: 'segment.uploaded', deviceId: 'dev1', data: { ...sampleEventData('segment.uploaded', 'cam1', T0), blobName } })));
    }
    const summary = await ingest(batch, batchContext(), createDeps(s));
    assert.deepEqual({ accepted: summary.accepted, deadLettered: summary.deadLettered }, { accepted: 0, deadLettered: batch.length });
    for (const table of [s.tables.segments, s.tables.availability, s.tables.cameras, s.tables.gaps, s.tables.events, s.tables.recordings]) {
      assert.deepEqual(await tableRows(azurite.connectionString, table), [], `${table} is empty`);
    }
    const letters = await tableRows(azurite.connectionString, s.tables.deadLetters);
    assert.equal(letters.length, batch.length, 'one dead-letter row per message, with its reason');
    assert.ok(letters.every((r) => typeof r.reasonCode === 'string' && typeof r.reasonMessage === 'string'));
  });

  it("a provisioned device's events for a camera it was not provisioned for are dead-lettered CameraNotOwned (every type, plain and routed); its own cameras and unprovisioned devices are indexed", async () => {
    const s = testSettings(azurite.connectionString);
    const deps = createDeps(s);
    await deps.devices.create({ deviceId: 'dev1', secretSha256: 'b'.repeat(64), cameras: ['cam1'], createdAtMs: T0, secretSetAtMs: T0, disabled: false });
    const typed = types.filter(hasSample);
    const foreign = typed.flatMap((type, i) => {
      const e = deviceCloudEvent({ id: `foreign-${i}`, type, deviceId: 'dev1', data: sampleEventData(type, 'cam2', T0 + i * 10_000) });
      return [forwardedByEventGrid(e, { sender: 'dev1', topic: 'keepwatch/dev1/events/cam2' }), viaTopic('keepwatch/dev1/events/cam2', { ...e, id: `foreign-eg-${i}` })];
    });
    const own = typed.map((type, i) => plain(deviceCloudEvent({ id: `own-${i}`, type, deviceId: 'dev1', data: sampleEventData(type, 'cam1', T0 + i * 10_000) })));
    const unprovisioned = typed.map((type, i) => forwardedByEventGrid(deviceCloudEvent({ id: `other-${i}`, type, deviceId: 'dev2', data: sampleEventData(type, 'cam9', T0 + i * 10_000) }), { sender: 'dev2', topic: 'keepwatch/dev2/events/cam9' }));
    const summary = await ingest([...foreign, ...own, ...unprovisioned], batchContext(), deps);
    assert.equal(summary.deadLettered, foreign.length);
    const letters = await tableRows(azurite.connectionString, s.tables.deadLetters);
    assert.deepEqual(new Set(letters.map((r) => r.reasonCode)), new Set(['CameraNotOwned']));
    const cameras = new Set((await tableRows(azurite.connectionString, s.tables.segments)).map((r) => String(r.cameraId)));
    assert.deepEqual([...cameras].sort(), ['cam1', 'cam9'], 'nothing of cam2 indexed');

    // Revoked (DELETE /api/devices/dev1 keeps a tombstone): none of its events is indexed, not even for its own camera.
    assert.equal(await deps.devices.revoke('dev1'), true);
    assert.equal(await deps.devices.revoke('dev1'), false, 'already revoked');
    const after = typed.map((type, i) => plain(deviceCloudEvent({ id: `revoked-${i}`, type, deviceId: 'dev1', data: sampleEventData(type, 'cam1', T0 + (100 + i) * 10_000) })));
    const revoked = await ingest(after, batchContext(), deps);
    assert.equal(revoked.deadLettered, after.length);
  });
});
