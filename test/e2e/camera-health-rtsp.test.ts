import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import mqtt, { type MqttClient } from 'mqtt';
import { startLocalStack, type LocalStack } from '../../local/stack';
import {
  CAMERA_GAP,
  CAMERA_OFFLINE,
  CAMERA_ONLINE,
  DEVICE_OFFLINE,
  DEVICE_ONLINE,
  cameraGapDataSchema,
  cameraHealthSchema,
  cameraOfflineDataSchema,
  cameraOnlineDataSchema,
  deviceOfflineDataSchema,
  type CameraHealth,
} from '../../shared/contracts/camera-health';
import { INTEGRATION_TOPIC_ROOT } from '../../shared/contracts/topics';
import type { IntegrationEvent } from '../../shared/ports/integration-events';
import { killProcessGroup } from '../../local/process-group';
import { waitFor } from '../helpers/wait';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';

const CAMERA = 'cam-health';
const MOUNT = '/person';
/** The budgets: a camera down announced within 30 s, a device gone silent within 60 s. */
const CAMERA_BUDGET_MS = 30_000;
const DEVICE_BUDGET_MS = 60_000;

/** One integration event as the observer received it, with when (this process's clock, the same as the agent's). */
interface Seen {
  event: IntegrationEvent;
  atMs: number;
}

describe('camera health end to end: real RTSP camera → agent status → broker → ingest and health sweep → API and integration events', () => {
  let rtsp: RtspServer;
  let stack: LocalStack;
  let observer: MqttClient;
  const printed: string[] = [];
  const seen: Seen[] = [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'kw-health-'));
  const headers = () => ({ 'x-functions-key': stack.apiKey });

  /** The camera as `GET /api/cameras/{id}` answers, its health checked against the schema. */
  async function camera(): Promise<{ status: number; health?: CameraHealth; stream?: { video: Record<string, unknown> } }> {
    const res = await fetch(`${stack.apiBase}/cameras/${CAMERA}`, { headers: headers() });
    if (res.status !== 200) return { status: res.status };
    const body = (await res.json()) as { health: unknown; stream?: { video: Record<string, unknown> } };
    return { status: 200, health: cameraHealthSchema.parse(body.health), stream: body.stream };
  }

  /** The first event of `type` about `subject` received at or after `sinceMs`, waited for up to `timeoutMs`. */
  function event(type: string, subject: string, sinceMs: number, timeoutMs: number): Promise<Seen> {
    return waitFor(`${type} about ${subject}`, timeoutMs, () => seen.find((s) => s.event.type === type && s.event.subject === subject && s.atMs >= sinceMs));
  }

  const tail = () => printed.filter((l) => /health|status|camera|session/.test(l)).slice(-30).join('\n');

  before(async () => {
    rtsp = await startRtspServer({ mounts: { [MOUNT]: mediaPath('one-by-one-person-detection.mp4') } });
    stack = await startLocalStack({
      dataDir,
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: CAMERA, url: rtsp.urls[MOUNT] }],
      segmentLength: 'PT2S',
      // Retries at most every 3 s, so that the camera records again soon after its server is back.
      agentConfig: { cameraReconnectMaximumDelay: 'PT3S' },
      print: (l) => printed.push(l),
    });
    // The local stack publishes integration events on its broker, under keepwatch-integration/{type}.
    observer = await mqtt.connectAsync(stack.mqttUrl, { username: stack.cloudMqtt.username, password: stack.cloudMqtt.password, clientId: 'health-observer', protocolVersion: 4 });
    observer.on('message', (_topic, payload) => seen.push({ event: JSON.parse(payload.toString()) as IntegrationEvent, atMs: Date.now() }));
    await observer.subscribeAsync(`${INTEGRATION_TOPIC_ROOT}/#`, { qos: 1 });
  });

  after(async () => {
    await observer?.endAsync();
    await stack?.stop();
    await rtsp?.stop();
  });

  it('a recording camera shows recording with its stream info; its device and it are announced online', async () => {
    const up = await waitFor('the camera recording in GET /api/cameras/{id}', 60_000, async () => {
      const c = await camera();
      return c.health?.state === 'recording' ? c : undefined;
    });
    assert.deepEqual(up.stream?.video, { codec: 'h264', profile: 'Main', widthPx: 768, heightPx: 432, fps: 10 }, 'the stream info as already stored');
    assert.ok(up.health?.since && up.health.lastHeard, JSON.stringify(up.health));
    await event(DEVICE_ONLINE, stack.deviceId, 0, 20_000);
    const online = await event(CAMERA_ONLINE, CAMERA, 0, 20_000);
    assert.deepEqual(cameraOnlineDataSchema.parse(online.event.data), { deviceId: stack.deviceId, cameraId: CAMERA, since: up.health!.since });
    const listed = (await (await fetch(`${stack.apiBase}/cameras`, { headers: headers() })).json()) as { cameras: Array<{ id: string; health: CameraHealth }> };
    assert.equal(listed.cameras.find((c) => c.id === CAMERA)?.health.state, 'recording', 'the list shows the same health');
  });

  it('its RTSP server stopped: camera.offline within 30 s with the cause, and the camera shows offline with it', async () => {
    const stoppedMs = Date.now();
    await rtsp.stop();
    const offline = await event(CAMERA_OFFLINE, CAMERA, stoppedMs, 60_000).catch((err: Error) => assert.fail(`${err.message}\n${tail()}`));
    assert.ok(offline.atMs - stoppedMs <= CAMERA_BUDGET_MS, `camera.offline came ${offline.atMs - stoppedMs} ms after the camera went down (budget ${CAMERA_BUDGET_MS} ms)`);
    const data = cameraOfflineDataSchema.parse(offline.event.data);
    assert.equal(data.deviceId, stack.deviceId);
    // The session ended (stream-ended), then each attempt was refused: the newest cause is the one shown.
    assert.ok(['connection-refused', 'stream-ended', 'timeout'].includes(data.cause), `cause ${data.cause}`);
    assert.ok(data.message && data.message.length > 0, 'the cause in words');
    const since = Date.parse(data.since);
    assert.ok(since >= stoppedMs - 2000 && since <= offline.atMs, `since ${data.since}: when the camera first failed`);

    const shown = (await camera()).health!;
    assert.equal(shown.state, 'offline', JSON.stringify(shown));
    assert.ok(['connection-refused', 'stream-ended', 'timeout'].includes(shown.cause!), JSON.stringify(shown));
    assert.equal(shown.since, data.since);
    assert.equal(seen.filter((s) => s.event.type === CAMERA_OFFLINE && s.event.subject === CAMERA).length, 1, 'announced once');
  });

  it('its RTSP server back: camera.online, the camera shows recording, and the outage reaches integrations as camera.gap', async () => {
    const backMs = Date.now();
    rtsp = await startRtspServer({ mounts: { [MOUNT]: mediaPath('one-by-one-person-detection.mp4') }, port: rtsp.port });
    const online = await event(CAMERA_ONLINE, CAMERA, backMs, 60_000).catch((err: Error) => assert.fail(`${err.message}\n${tail()}`));
    assert.ok(Date.parse(cameraOnlineDataSchema.parse(online.event.data).since) >= backMs - 1000);
    assert.equal((await camera()).health?.state, 'recording');
    // The agent reports the outage as a gap (camera-unavailable) once it records again; ingest stores it and forwards it.
    const gap = await event(CAMERA_GAP, CAMERA, backMs, 30_000);
    const g = cameraGapDataSchema.parse(gap.event.data);
    assert.deepEqual([g.deviceId, g.cameraId, g.cause], [stack.deviceId, CAMERA, 'camera-unavailable']);
    assert.ok(Date.parse(g.end) > Date.parse(g.start) && Date.parse(g.end) >= backMs - 1000, `gap ${g.start} .. ${g.end}`);
    assert.equal(gap.event.source, '/keepwatch/ingest');
    // The same gap as GET /api/cameras/{id}/gaps lists it.
    const q = new URLSearchParams({ start: g.start, end: g.end });
    const gaps = (await (await fetch(`${stack.apiBase}/cameras/${CAMERA}/gaps?${q}`, { headers: headers() })).json()) as { gaps: Array<{ start: string; end: string; cause: string }> };
    assert.ok(gaps.gaps.some((x) => x.start === g.start && x.end === g.end && x.cause === g.cause), JSON.stringify(gaps));
  });

  it('the agent killed (its whole process group, as a power cut): device.offline within 60 s, and the camera shows offline (device-offline)', async () => {
    const killedMs = Date.now();
    killProcessGroup(stack.agent.pid, 'SIGKILL');
    const offline = await event(DEVICE_OFFLINE, stack.deviceId, killedMs, 90_000).catch((err: Error) => assert.fail(`${err.message}\n${tail()}`));
    assert.ok(offline.atMs - killedMs <= DEVICE_BUDGET_MS, `device.offline came ${offline.atMs - killedMs} ms after the agent was killed (budget ${DEVICE_BUDGET_MS} ms)`);
    const data = deviceOfflineDataSchema.parse(offline.event.data);
    assert.deepEqual([data.deviceId, data.cameraIds], [stack.deviceId, [CAMERA]]);
    // Its socket closed with the process: the broker published the last will at once (device-offline, not device-silent).
    assert.equal(data.cause, 'device-offline');
    const cameraOffline = await event(CAMERA_OFFLINE, CAMERA, killedMs, 10_000);
    assert.equal(cameraOfflineDataSchema.parse(cameraOffline.event.data).cause, 'device-offline');
    const shown = (await camera()).health!;
    assert.deepEqual([shown.state, shown.cause], ['offline', 'device-offline'], JSON.stringify(shown));
    assert.equal(shown.since, data.since);
  });
});
