import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { bearerDeviceSecret, deviceSecretMatches, deviceSecretSha256 } from '../../../shared/device-secret';
import { parseDeviceProvisionBody, parseUploadUrlsBody } from '../../../shared/schemas/device';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { newDeviceSecret } from '../../../functions/devices/device-provisioning';

const SECRET = 'q9G3f0mXK2c7yT1bVnR8sLwPzA4dE6hJ5uIoYtQxWc0';

describe('device secrets', () => {
  it('are 43 base64url characters (256 bits), different each time', () => {
    const a = newDeviceSecret();
    assert.match(a, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(Buffer.from(a, 'base64url').length, 32);
    assert.notEqual(a, newDeviceSecret());
  });

  it('are stored as their hex SHA-256 and matched against it only', () => {
    const stored = deviceSecretSha256(SECRET);
    assert.equal(stored, createHash('sha256').update(SECRET).digest('hex'));
    assert.equal(deviceSecretMatches(SECRET, stored), true);
    assert.equal(deviceSecretMatches(`${SECRET.slice(0, 42)}1`, stored), false);
    assert.equal(deviceSecretMatches('', stored), false);
    for (const corrupt of ['', stored.toUpperCase(), stored.slice(1), `${stored}0`, 'z'.repeat(64)]) assert.equal(deviceSecretMatches(SECRET, corrupt), false, corrupt);
  });

  it('come from an Authorization: Bearer header of the right shape only', () => {
    assert.equal(bearerDeviceSecret(`Bearer ${SECRET}`), SECRET);
    for (const h of [undefined, null, '', SECRET, `Basic ${SECRET}`, `Bearer ${SECRET}x`, `Bearer ${SECRET.slice(1)}`, `bearer  ${SECRET} x`]) assert.equal(bearerDeviceSecret(h), undefined, String(h));
  });
});

describe('device request bodies', () => {
  it('provisioning: ids checked, cameras sorted, duplicates and unknown keys refused', () => {
    assert.deepEqual(parseDeviceProvisionBody({ deviceId: 'dev-1', cameras: ['cam-b', 'cam-a'] }), { deviceId: 'dev-1', cameras: ['cam-a', 'cam-b'] });
    const code = (input: unknown) => {
      try {
        parseDeviceProvisionBody(input);
        return 'accepted';
      } catch (err) {
        return (err as { code: string }).code;
      }
    };
    assert.equal(code({ deviceId: 'Dev', cameras: ['a'] }), 'InvalidDevice');
    assert.equal(code({ deviceId: 'd', cameras: [] }), 'InvalidDevice');
    assert.equal(code({ deviceId: 'd', cameras: ['../a'] }), 'InvalidDevice');
    assert.equal(code({ deviceId: 'd', cameras: ['a'], secret: 'x' }), 'InvalidDevice');
    assert.equal(code({ deviceId: 'd', cameras: ['a', 'a'] }), 'DuplicateCamera');
  });

  it('upload-urls: canonical names with their camera and segment start (epoch ms, checked against the time bounds), in order', () => {
    const aMs = Date.UTC(2026, 10, 21, 10);
    const bMs = Date.UTC(2026, 10, 21, 11);
    const a = segmentBlobName('cam-a', aMs);
    const b = segmentBlobName('cam-b', bMs);
    assert.deepEqual(parseUploadUrlsBody({ blobs: [b, a] }), [{ name: b, cameraId: 'cam-b', startMs: bMs }, { name: a, cameraId: 'cam-a', startMs: aMs }]);
    assert.throws(() => parseUploadUrlsBody({ blobs: [a.toUpperCase()] }), /blobs\[0\].*is not a segment blob name/);
  });
});
