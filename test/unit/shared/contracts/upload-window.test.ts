import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseUploadWindowCommand, uploadWindowCommand, type UploadWindow } from '../../../../shared/contracts/upload-window';

const T = Date.UTC(2026, 10, 21, 10, 0, 0);
const w: UploadWindow = { cameraId: 'door', recordingId: `${T}-0123456789ab`, startMs: T - 5000, endMs: T + 10_000, final: false, sequence: 2 };

function rejects(raw: unknown, message: RegExp, camera = 'door'): void {
  assert.throws(() => parseUploadWindowCommand(raw, camera), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidCommand' && message.test(e.message), message.source);
}

describe('upload-window command (shared/contracts/upload-window.ts)', () => {
  it('round-trips: what the cloud builds, the agent reads back exactly', () => {
    const cmd = uploadWindowCommand(w, T + 3000);
    assert.equal(cmd.id, `window-${T}-0123456789ab-2`);
    assert.equal(cmd.type, 'command.upload-window');
    assert.deepEqual(parseUploadWindowCommand(JSON.parse(JSON.stringify(cmd)), 'door'), w);
  });

  it('refuses other types, other cameras, empty or over-long windows, bad ids', () => {
    const cmd = uploadWindowCommand(w, T) as Record<string, unknown> & { data: Record<string, unknown> };
    rejects({ ...cmd, type: 'command.delete-everything' }, /unknown type/);
    rejects(cmd, /does not match the topic's camera 'yard'/, 'yard');
    rejects({ ...cmd, data: { ...cmd.data, end: cmd.data.start } }, /must end after it starts/);
    rejects({ ...cmd, data: { ...cmd.data, end: new Date(T + 2 * 3600_000).toISOString() } }, /at most 61 min/);
    rejects({ ...cmd, data: { ...cmd.data, recordingId: '../etc' } }, /recordingId/);
    rejects({ ...cmd, data: { ...cmd.data, start: 'soon' } }, /start/);
    rejects({ ...cmd, data: { ...cmd.data, extra: 1 } }, /unknown key 'extra'/);
    rejects('not an object', /command/);
  });
});
