import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import { ACCESS, cameraScopeRule, listingCameras } from '../../../../functions/auth/access';
import { authorize } from '../../../../functions/auth/authorize';
import { UnauthorizedError } from '../../../../shared/errors';

const KEY = 'the-admin-key-1234';
const request = (headers: Record<string, string> = {}, query = '') => new HttpRequest({ method: 'GET', url: `http://127.0.0.1/api/cameras/door/playback${query}`, headers, params: { cameraId: 'door' } });

describe('authorize: the administrator key and the refusals that need no token issuer', () => {
  it("accepts the admin key in x-functions-key or code, for every role's route", async () => {
    for (const access of [ACCESS.viewer, ACCESS.operator, ACCESS.admin, ACCESS.signals]) {
      assert.deepEqual(await authorize(request({ 'x-functions-key': KEY }), '/cameras/{cameraId}/playback', access, { adminKey: KEY }), { kind: 'adminKey' });
      assert.deepEqual(await authorize(request({}, `?code=${KEY}`), '/cameras/{cameraId}/playback', access, { adminKey: KEY }), { kind: 'adminKey' });
    }
  });

  it('refuses a wrong key, any key when none is configured, no credential, and a bearer token when no issuer is configured', async () => {
    const refuse = (req: HttpRequest, settings: { adminKey?: string }, message: RegExp) =>
      assert.rejects(authorize(req, '/cameras/{cameraId}/playback', ACCESS.viewer, settings), (e: unknown) => e instanceof UnauthorizedError && e.code === 'Unauthorized' && message.test(e.message) && !e.message.includes(KEY));
    await refuse(request({ 'x-functions-key': `${KEY}x` }), { adminKey: KEY }, /not accepted/);
    await refuse(request({ 'x-functions-key': KEY }), {}, /not accepted/);
    await refuse(request({}, '?code='), { adminKey: KEY }, /not accepted/);
    await refuse(request(), { adminKey: KEY }, /needs a bearer token .* or the administrator's key/);
    await refuse(request({ authorization: 'Bearer a.b.c' }), { adminKey: KEY }, /no token issuer is configured/);
    await refuse(request({ authorization: 'Basic dXNlcjpwYXNz' }), { adminKey: KEY }, /needs a bearer token/);
  });

  it('camera scope rules: path for {cameraId} routes, listing when declared, else every camera; none for other access kinds', () => {
    assert.equal(cameraScopeRule('/cameras/{cameraId}/playback', ACCESS.viewer), 'path');
    assert.equal(cameraScopeRule('/cameras', listingCameras(ACCESS.viewer)), 'listing');
    assert.equal(cameraScopeRule('/devices/{deviceId}', ACCESS.admin), 'all');
    assert.equal(cameraScopeRule('/cameras/{cameraId}/playlist.m3u8', ACCESS.playbackToken), 'none');
  });
});
