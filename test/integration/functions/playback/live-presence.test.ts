import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { liveGrantQuery } from '../../../../functions/playback/live-token';
import { livePlaylist } from '../../../../functions/playback/live-playlist';
import { startLocalBroker, type LocalBroker } from '../../../../local/broker';
import { parseUploadWindowCommand } from '../../../../shared/contracts/upload-window';
import { parseRecordingPolicy } from '../../../../shared/schemas/recording-policy';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { collect } from '../../../helpers/evr-fixtures';
import { batchContext, segmentEvent, testSettings, viaEventGrid } from '../../../helpers/functions-fixtures';
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const CLOUD = { username: 'cloud', password: 'cloud-secret' };
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * A live viewer on an EVR camera keeps its agent uploading: each live playlist reload opens or extends an upload
 * window, sent as the EVR `command.upload-window` over the real local broker to the camera's device; a CVR camera's
 * reloads send nothing. Handlers on Azurite, the clock swapped.
 */
describe('live presence on EVR cameras (Azurite, local broker)', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  let deps: FunctionsDeps;
  let clockMs = T0;
  let sub: Awaited<ReturnType<typeof collect>>;

  /** One reload of the live playlist of `cameraId` at the current clock (a fresh token each time). */
  async function reload(cameraId: string): Promise<number> {
    const query = liveGrantQuery({ cameraId, expiresMs: clockMs + 3_600_000 }, deps.settings.playbackTokenSecret);
    const url = `http://127.0.0.1:7071/api/cameras/${cameraId}/live.m3u8?${query}`;
    const res = await livePlaylist(new HttpRequest({ method: 'GET', url, params: { cameraId } }), new InvocationContext({ functionName: 'live-playlist' }), deps);
    return res.status ?? 0;
  }
  /** The commands received so far for `cameraId`, parsed as the agent parses them. */
  const commands = (cameraId: string) => sub.messages.filter((m) => m.topic === `keepwatch/dev1/commands/${cameraId}`).map((m) => ({ id: m.body.id, window: parseUploadWindowCommand(m.body, cameraId) }));
  /** Waits for the broker to deliver what was sent (a PUBACK-awaited publish is at the broker; give delivery 300 ms). */
  const settle = () => new Promise((r) => setTimeout(r, 300));

  before(async () => {
    azurite = await startAzurite();
    broker = await startLocalBroker({ port: 0, devices: { dev1: 'pw' }, cloudClients: { [CLOUD.username]: CLOUD.password }, onMessage: () => {} });
    const s = testSettings(azurite.connectionString, { KEEPWATCH_MQTT_URL: broker.url, KEEPWATCH_MQTT_USERNAME: CLOUD.username, KEEPWATCH_MQTT_PASSWORD: CLOUD.password });
    deps = createDeps(s, { now: () => clockMs });
    await deps.ensureStorage();
    // Both cameras of dev1 recorded once (their camera rows name the device); door is EVR, yard CVR.
    const events = ['door', 'yard'].map((cameraId) => viaEventGrid(segmentEvent({ cameraId, startMs: T0 - 20_000, durationMs: 2000 })));
    assert.equal((await ingest(events, batchContext(), deps)).accepted, 2);
    await deps.policies.put('door', parseRecordingPolicy({ mode: 'evr', retention: { archive: 'P7D' }, evr: { signals: [{ type: 'door' }] } }), { nowMs: T0 });
    sub = await collect(broker.url, 'keepwatch/dev1/commands/+', CLOUD);
  });

  after(async () => {
    await sub?.client.endAsync();
    await deps?.deviceCommands.close();
    await broker?.close();
    await azurite?.stop();
  });

  it('a CVR camera: reloads send no command', async () => {
    assert.equal(await reload('yard'), 200);
    await settle();
    assert.deepEqual(commands('yard'), []);
  });

  it('an EVR camera: the first reload opens a window [now − 10 s, now + 60 s) on its device; reloads within 30 s of its end extend it', async () => {
    clockMs = T0;
    assert.equal(await reload('door'), 200);
    await settle();
    const [open] = commands('door');
    assert.ok(open, 'a command was sent to dev1 for door');
    assert.deepEqual({ start: open.window.startMs, end: open.window.endMs, final: open.window.final, sequence: open.window.sequence }, { start: T0 - 10_000, end: T0 + 60_000, final: false, sequence: 0 });
    assert.match(open.window.recordingId, /^\d{13}-[0-9a-f]{12}$/);
    // A viewer reloading every 2 s: nothing new until less than 30 s are left, then one extension.
    for (clockMs = T0 + 2000; clockMs <= T0 + 30_000; clockMs += 2000) assert.equal(await reload('door'), 200);
    await settle();
    assert.equal(commands('door').length, 1, 'no command while more than 30 s are left');
    clockMs = T0 + 32_000;
    // Two viewers reload at the same moment: one extension is sent, not two.
    assert.deepEqual(await Promise.all([reload('door'), reload('door')]), [200, 200]);
    await settle();
    const sent = commands('door');
    assert.equal(sent.length, 2, JSON.stringify(sent));
    assert.deepEqual(
      { id: sent[1].window.recordingId, start: sent[1].window.startMs, end: sent[1].window.endMs, sequence: sent[1].window.sequence },
      { id: open.window.recordingId, start: T0 - 10_000, end: T0 + 92_000, sequence: 1 },
    );
  });

  it('nobody watching, the window runs out; the next viewer opens a new one', async () => {
    const before = commands('door');
    clockMs = T0 + 200_000;
    assert.equal(await reload('door'), 200);
    await settle();
    const after = commands('door');
    assert.equal(after.length, before.length + 1);
    const fresh = after.at(-1)!.window;
    assert.notEqual(fresh.recordingId, before.at(-1)!.window.recordingId);
    assert.deepEqual([iso(fresh.startMs), iso(fresh.endMs), fresh.sequence], [iso(clockMs - 10_000), iso(clockMs + 60_000), 0]);
  });

  it('an unauthenticated reload sends nothing', async () => {
    const before = commands('door').length;
    clockMs = T0 + 400_000;
    const url = `http://127.0.0.1:7071/api/cameras/door/live.m3u8?expires=${clockMs + 60_000}&kid=${'A'.repeat(11)}&sig=${'A'.repeat(43)}`;
    const res = await livePlaylist(new HttpRequest({ method: 'GET', url, params: { cameraId: 'door' } }), new InvocationContext({ functionName: 'live-playlist' }), deps);
    assert.equal(res.status, 401);
    await settle();
    assert.equal(commands('door').length, before);
  });
});
