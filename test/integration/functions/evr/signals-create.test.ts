import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { provisionDevice } from '../../../../functions/devices/device-provisioning';
import { ingest } from '../../../../functions/ingest/ingest';
import { parseDeviceProvisionBody } from '../../../../shared/schemas/device';
import { parseSettings } from '../../../../functions/settings';
import { parseRecordingPolicy } from '../../../../shared/schemas/recording-policy';
import { startTestHost, type TestHost } from '../../../helpers/test-host';
import { evrPolicy, recordedEvent } from '../../../helpers/evr-fixtures';
import { batchContext, tableRows, viaEventGrid } from '../../../helpers/functions-fixtures';

const API_KEY = 'signals-test-key-0123456789';
const T = Date.UTC(2026, 11, 1, 8);

describe('POST /api/cameras/{cameraId}/signals (local host on Azurite)', () => {
  let t: TestHost;
  let deps: FunctionsDeps;
  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'sig' });
    deps = createDeps(parseSettings(process.env));
    await deps.policies.put('door', parseRecordingPolicy(evrPolicy()), { nowMs: T });
    // The camera's device is known from its first device event (a segment.recorded before the signal).
    await ingest([viaEventGrid(recordedEvent({ deviceId: 'dev1', cameraId: 'door', startMs: T - 20_000 }))], batchContext(), deps);
    await deps.cameras.recordSegments([{ cameraId: 'lobby', deviceId: 'dev1', startMs: T - 20_000, durationMs: 10_000 }]);
  });
  after(async () => {
    await deps?.deviceCommands.close();
    await t?.stop();
  });

  const post = (cameraId: string, body: string) =>
    fetch(`${t.api}/cameras/${cameraId}/signals`, { method: 'POST', headers: { 'x-functions-key': API_KEY, 'content-type': 'application/json' }, body });
  const rows = async () => ({
    gates: await tableRows(t.azurite.connectionString, deps.settings.tables.gates),
    recordings: await tableRows(t.azurite.connectionString, deps.settings.tables.recordings),
  });

  it('bad bodies are 400 naming the keys, unknown cameras 404, and nothing is written', async () => {
    const before = await rows();
    const cases: Array<[string, string, number, string, RegExp]> = [
      ['door', '{"type":"door","colour":"red"}', 400, 'InvalidSignal', /colour/],
      ['door', '{"time":"2026-12-01T08:00:00.000Z"}', 400, 'InvalidSignal', /type/],
      ['door', '{"type":"door","time":"yesterday"}', 400, 'InvalidSignal', /time/],
      ['door', '{"type":"door","confidence":2}', 400, 'InvalidSignal', /confidence/],
      ['door', '', 400, 'MissingBody', /body/],
      ['door', '{"type":', 400, 'InvalidJson', /JSON/],
      ['Door!', '{"type":"door"}', 400, 'InvalidCameraId', /camera/],
      ['nobody', '{"type":"door"}', 404, 'CameraNotFound', /nobody/],
    ];
    for (const [cameraId, body, status, code, message] of cases) {
      const res = await post(cameraId, body);
      const answer = (await res.json()) as { error: { code: string; message: string; details?: unknown } };
      assert.equal(res.status, status, body);
      assert.equal(answer.error.code, code, body);
      assert.match(`${answer.error.message} ${JSON.stringify(answer.error.details ?? '')}`, message, body);
    }
    assert.deepEqual(await rows(), before);
  });

  it('PUT policy with gate values out of range is a 400 through HTTP, and the stored policy stays', async () => {
    const bad = evrPolicy() as { evr: { signalGate: Record<string, string> } };
    bad.evr.signalGate.activationSignalOffset = '-PT2M';
    const res = await fetch(`${t.api}/cameras/door/policy`, { method: 'PUT', headers: { 'x-functions-key': API_KEY }, body: JSON.stringify(bad) });
    assert.equal(res.status, 400);
    const answer = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(answer.error.code, 'InvalidPolicy');
    assert.match(answer.error.message, /activationSignalOffset/);
    assert.equal((await deps.policies.get('door'))?.document.evr?.signalGate.activationSignalOffset, '-PT5S');
  });

  it('a camera only a provisioned device records (a live pipeline just activated, no segment yet) takes signals; a revoked device\'s does not', async () => {
    await deps.policies.put('gate', parseRecordingPolicy(evrPolicy()), { nowMs: T });
    await deps.policies.put('yard', parseRecordingPolicy(evrPolicy()), { nowMs: T });
    await provisionDevice(deps.devices, parseDeviceProvisionBody({ deviceId: 'dev-gate', cameras: ['gate'] }), T);
    await provisionDevice(deps.devices, parseDeviceProvisionBody({ deviceId: 'dev-yard', cameras: ['yard'] }), T);
    await deps.devices.revoke('dev-yard');
    const res = await post('gate', JSON.stringify({ type: 'door', time: '2026-12-01T08:00:00.000Z', id: 'gate-1' }));
    assert.equal(res.status, 202, await res.clone().text());
    assert.equal(((await res.json()) as { recording: boolean }).recording, true);
    assert.equal((await deps.gates.get('gate'))?.deviceId, 'dev-gate', 'the gate row names the provisioned device');
    const revoked = await post('yard', JSON.stringify({ type: 'door', id: 'yard-1' }));
    assert.equal(revoked.status, 404);
    assert.equal(await deps.gates.get('yard'), undefined);
  });

  it('a CVR camera: 202 with recording false, nothing stored', async () => {
    const res = await post('lobby', JSON.stringify({ type: 'door', time: '2026-12-01T08:00:00.000Z', id: 'lobby-1' }));
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { id: 'lobby-1', cameraId: 'lobby', type: 'door', time: '2026-12-01T08:00:00.000Z', recording: false });
    assert.equal(await deps.gates.get('lobby'), undefined);
  });

  it('an HTTP door signal opens, once the camera records past it, a recording starting 5 s before it (offset -PT5S)', async () => {
    const res = await post('door', JSON.stringify({ type: 'door', time: '2026-12-01T08:00:00.000Z', id: 'door-http-1', properties: { state: 'open' } }));
    assert.equal(res.status, 202);
    assert.deepEqual(await res.json(), { id: 'door-http-1', cameraId: 'door', type: 'door', time: '2026-12-01T08:00:00.000Z', recording: true });
    assert.deepEqual(await deps.recordings.list('door', { startMs: T - 60_000, endMs: T + 60_000 }), [], 'held until the media clock passes it');
    const again = await post('door', JSON.stringify({ type: 'door', time: '2026-12-01T08:00:00.000Z', id: 'door-http-1' }));
    assert.equal(again.status, 202, 'a retry with the same id is accepted and changes nothing');
    await ingest([viaEventGrid(recordedEvent({ deviceId: 'dev1', cameraId: 'door', startMs: T }))], batchContext(), deps);
    const recs = await deps.recordings.list('door', { startMs: T - 60_000, endMs: T + 60_000 });
    assert.deepEqual(recs.map((r) => [r.startMs, r.endMs, r.gateRecordingId, r.deviceId, r.signalCount]), [[T - 5000, T + 10_000, 'door-http-1', 'dev1', 1]]);
  });
});
