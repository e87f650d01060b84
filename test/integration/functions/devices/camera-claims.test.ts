import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CLAIM_GRACE_MS } from '../../../../functions/adapters/table/table-device-store';
import { bindCamerasToDevice, provisionDevice } from '../../../../functions/devices/device-provisioning';
import { localDeviceStore } from '../../../../local/local-devices';
import { ConflictError } from '../../../../shared/errors';
import type { TableDeviceStore } from '../../../../functions/adapters/table/table-device-store';
import { parseDeviceProvisionBody } from '../../../../shared/schemas/device';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';

const T = Date.UTC(2026, 10, 22, 4);

/** A camera belongs to one device, even when two provisionings or activations race (Azurite). */
describe('camera claims: one owner per camera under concurrency', () => {
  let azurite: AzuriteInstance;
  let tableNo = 0;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });
  const store = (): TableDeviceStore => localDeviceStore(azurite.connectionString, `claims${++tableNo}`);
  const provision = (s: TableDeviceStore, deviceId: string, cameras: string[], nowMs = T) => provisionDevice(s, parseDeviceProvisionBody({ deviceId, cameras }), nowMs);
  const owners = async (s: TableDeviceStore, cameraId: string) => (await s.list()).filter((d) => !d.disabled && d.cameras.includes(cameraId)).map((d) => d.deviceId);
  const isCameraOwned = (r: PromiseSettledResult<unknown>) => r.status === 'rejected' && r.reason instanceof ConflictError && r.reason.code === 'CameraOwned';

  it('eight devices provisioned at once with the same camera: exactly one gets it, the others are refused and leave nothing', async () => {
    const s = store();
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => provision(s, `dev-${i}`, ['cam-race', `cam-own-${i}`])));
    const won = results.flatMap((r, i) => (r.status === 'fulfilled' ? [`dev-${i}`] : []));
    assert.equal(won.length, 1, `winners: ${won.join(', ')}`);
    assert.equal(results.filter(isCameraOwned).length, 7, JSON.stringify(results.filter((r) => r.status === 'rejected').map((r) => String((r as PromiseRejectedResult).reason))));
    assert.deepEqual(await owners(s, 'cam-race'), won);
    assert.deepEqual((await s.list()).map((d) => d.deviceId), won, 'the refused devices have no row');
    // The refused devices' other cameras were not kept claimed: another device can have them.
    const loser = Number(won[0] === 'dev-0' ? 1 : 0);
    await provision(s, 'dev-late', [`cam-own-${loser}`]);
    assert.deepEqual(await owners(s, `cam-own-${loser}`), ['dev-late']);
  });

  it('two live pipelines giving two devices the same camera at once: one binding wins, the other is 409 CameraOwned', async () => {
    const s = store();
    await provision(s, 'site-a', ['a1']);
    await provision(s, 'site-b', ['b1']);
    const results = await Promise.allSettled([bindCamerasToDevice(s, 'site-a', ['shared-cam'], T), bindCamerasToDevice(s, 'site-b', ['shared-cam'], T)]);
    assert.equal(results.filter((r) => r.status === 'fulfilled' && r.value === true).length, 1, JSON.stringify(results));
    assert.equal(results.filter(isCameraOwned).length, 1);
    assert.equal((await owners(s, 'shared-cam')).length, 1);
    // The winner binding the same camera again is a no-op; the loser stays refused.
    const winner = (await owners(s, 'shared-cam'))[0];
    assert.equal(await bindCamerasToDevice(s, winner, ['shared-cam'], T), true);
    await assert.rejects(bindCamerasToDevice(s, winner === 'site-a' ? 'site-b' : 'site-a', ['shared-cam'], T), (e: ConflictError) => e.code === 'CameraOwned' && e.message.includes(winner));
  });

  it('a claim whose device has no row yet (a provisioning in flight) holds; one left behind by a failed provisioning is free after the grace time', async () => {
    const s = store();
    assert.deepEqual(await s.claimCameras('in-flight', ['porch'], T), ['porch']);
    await assert.rejects(provision(s, 'other', ['porch'], T + 1000), (e: ConflictError) => e.code === 'CameraOwned' && e.message.includes('in-flight'));
    assert.deepEqual((await s.list()).map((d) => d.deviceId), [], 'the refused provisioning left no row');
    await provision(s, 'other', ['porch'], T + CLAIM_GRACE_MS);
    assert.deepEqual(await owners(s, 'porch'), ['other']);
  });

  it('a claim a live device holds without listing the camera (a binding that failed midway) is free after the grace time', async () => {
    const s = store();
    await provision(s, 'site-c', ['c1']);
    assert.deepEqual(await s.claimCameras('site-c', ['hall'], T), ['hall']); // claimed; the row write never came
    await assert.rejects(provision(s, 'site-d', ['hall'], T + 1000), (e: ConflictError) => e.code === 'CameraOwned' && e.message.includes('site-c'));
    await provision(s, 'site-d', ['hall'], T + CLAIM_GRACE_MS);
    assert.deepEqual(await owners(s, 'hall'), ['site-d']);
  });

  it('a camera may be called "device": listing devices skips the claim rows', async () => {
    const s = store();
    await provision(s, 'box-1', ['device', 'yard']);
    assert.deepEqual((await s.list()).map((d) => [d.deviceId, d.cameras]), [['box-1', ['device', 'yard']]]);
    await assert.rejects(provision(s, 'box-2', ['device']), (e: ConflictError) => e.code === 'CameraOwned');
    await provision(s, 'box-3', ['porch']);
    assert.deepEqual((await s.list()).map((d) => d.deviceId), ['box-1', 'box-3']);
  });

  it('a revoked or re-provisioned device frees the cameras it no longer records', async () => {
    const s = store();
    await provision(s, 'old-box', ['door']);
    await assert.rejects(provision(s, 'new-box', ['door']), (e: ConflictError) => e.code === 'CameraOwned');
    assert.equal(await s.revoke('old-box'), true);
    await provision(s, 'new-box', ['door']);
    assert.deepEqual(await owners(s, 'door'), ['new-box']);
    // The revoked id provisioned again with other cameras does not take back its old ones, and keeps its new one.
    await provision(s, 'old-box', ['yard']);
    await assert.rejects(provision(s, 'yard-box', ['yard']), (e: ConflictError) => e.code === 'CameraOwned' && e.message.includes('old-box'));
    await assert.rejects(provision(s, 'third-box', ['door']), (e: ConflictError) => e.code === 'CameraOwned' && e.message.includes('new-box'));
    assert.equal(await s.revoke('new-box'), true);
    await provision(s, 'third-box', ['door']);
    assert.deepEqual(await owners(s, 'door'), ['third-box']);
    // A removed row re-provisioned under the same id (the local stack's own device) keeps working with its camera.
    assert.equal(await s.remove('third-box'), true);
    await provision(s, 'third-box', ['door', 'porch']);
    assert.deepEqual(await owners(s, 'door'), ['third-box']);
    await assert.rejects(provision(s, 'porch-box', ['porch']), (e: ConflictError) => e.code === 'CameraOwned' && e.message.includes('third-box'));
    await assert.rejects(provision(s, 'third-box', ['gate']), (e: ConflictError) => e.code === 'DeviceExists');
    await provision(s, 'fourth-box', ['gate']);
    assert.deepEqual(await owners(s, 'gate'), ['fourth-box'], 'a refused DeviceExists provisioning claimed nothing');
  });
});
