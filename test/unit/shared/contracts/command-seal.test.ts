import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { commandSealKey, deviceCommandSealKey, openSealedJson, sealJson } from '../../../../shared/contracts/command-seal';
import { deviceSecretSha256 } from '../../../../shared/device-secret';
import { ValidationError } from '../../../../shared/errors';
import { parsePipelineCommand, pipelineActivateCommand } from '../../../../shared/contracts/pipeline-commands';

const SECRET = 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8s9T0u1V';
const IV = Buffer.from('000102030405060708090a0b', 'hex');
const CAMERAS = [{ id: 'lobby', url: 'rtsp://192.0.2.1/s', username: 'admin', password: 'hunter2' }];
const unreadable = (e: unknown) => e instanceof ValidationError && e.code === 'SealedCommandUnreadable';

describe('command seal (shared/contracts/command-seal.ts)', () => {
  it('the cloud (from the stored hash) and the device (from its secret) derive the same key; other devices and secrets another', () => {
    const cloud = commandSealKey(deviceSecretSha256(SECRET), 'site-1');
    assert.deepEqual(deviceCommandSealKey(SECRET, 'site-1'), cloud);
    assert.equal(cloud.length, 32);
    assert.notDeepEqual(deviceCommandSealKey(SECRET, 'site-2'), cloud);
    assert.notDeepEqual(deviceCommandSealKey(`${SECRET.slice(0, -1)}W`, 'site-1'), cloud);
    assert.throws(() => commandSealKey('xyz', 'site-1'), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidSealKey');
  });

  it('round-trips JSON; the text holds nothing of it in clear', () => {
    const key = deviceCommandSealKey(SECRET, 'site-1');
    const sealed = sealJson(CAMERAS, key, IV, 'cmd-1');
    assert.match(sealed, /^v1\.[A-Za-z0-9_-]+$/);
    assert.doesNotMatch(Buffer.from(sealed.slice(3), 'base64url').toString('latin1'), /hunter2|admin|rtsp/);
    assert.deepEqual(openSealedJson(sealed, key, 'cmd-1'), CAMERAS);
    assert.throws(() => sealJson(CAMERAS, key, Buffer.alloc(8), 'cmd-1'), /12 bytes/);
  });

  it('refuses another key, another command id, a changed byte, a cut or malformed text', () => {
    const key = deviceCommandSealKey(SECRET, 'site-1');
    const sealed = sealJson(CAMERAS, key, IV, 'cmd-1');
    assert.throws(() => openSealedJson(sealed, deviceCommandSealKey(SECRET, 'site-2'), 'cmd-1'), unreadable);
    assert.throws(() => openSealedJson(sealed, key, 'cmd-2'), unreadable);
    const bytes = Buffer.from(sealed.slice(3), 'base64url');
    for (const i of [0, 12, bytes.length - 1]) {
      const flipped = Buffer.from(bytes);
      flipped[i] ^= 1;
      assert.throws(() => openSealedJson(`v1.${flipped.toString('base64url')}`, key, 'cmd-1'), unreadable, `byte ${i}`);
    }
    for (const bad of [sealed.slice(0, 20), sealed.replace('v1.', 'v2.'), 'v1.', 'v1.***', '']) assert.throws(() => openSealedJson(bad, key, 'cmd-1'), unreadable, bad);
  });

  it('an activate command sealed with it: cameraIds in clear, the cameras only for the device; a command naming other ids than it seals is refused', () => {
    const key = deviceCommandSealKey(SECRET, 'site-1');
    const command = pipelineActivateCommand('lobby', 2, CAMERAS, { segmentLength: 'PT30S' }, 0, (c, id) => sealJson(c, key, IV, id));
    const data = command.data as Record<string, unknown>;
    assert.deepEqual([data.cameraIds, data.cameras, typeof data.sealedCameras], [['lobby'], undefined, 'string']);
    const parsed = parsePipelineCommand(command, (s, id) => openSealedJson(s, key, id));
    assert.ok(parsed.kind === 'activate');
    assert.deepEqual(parsed.cameras, CAMERAS);
    assert.throws(() => parsePipelineCommand({ ...command, data: { ...data, cameraIds: ['hall'] } }, (s, id) => openSealedJson(s, key, id)), unreadable);
    // Moved into another command (another generation, so another id): the additional data no longer matches.
    const moved = { ...command, id: 'pipeline-lobby-3-activate', data: { ...data, generation: 3 } };
    assert.throws(() => parsePipelineCommand(moved, (s, id) => openSealedJson(s, key, id)), unreadable);
    // Both forms, or neither, are not a command.
    assert.throws(() => parsePipelineCommand({ ...command, data: { ...data, cameras: CAMERAS } }), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidCommand');
    assert.throws(() => parsePipelineCommand({ ...command, data: { ...data, cameraIds: undefined } }), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidCommand');
  });
});
