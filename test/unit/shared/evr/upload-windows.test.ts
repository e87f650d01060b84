import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UploadWindows } from '../../../../shared/evr/upload-windows';
import type { UploadWindow } from '../../../../shared/contracts/upload-window';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 3, 123);
const w = (sequence: number, endMs: number, extra: Partial<UploadWindow> = {}): UploadWindow => ({ cameraId: 'door', recordingId: '1795276431626-3f2a9c0d1b4e', startMs: T0, endMs, final: false, sequence, ...extra });

describe('UploadWindows', () => {
  it('keeps per recording the command with the highest sequence; equal or older ones are stale', () => {
    const windows = new UploadWindows();
    assert.equal(windows.apply(w(0, T0 + 5000)), 'new');
    assert.equal(windows.apply(w(2, T0 + 9000, { final: true })), 'updated');
    assert.equal(windows.apply(w(1, T0 + 7000)), 'stale', 'a reordered older extension');
    assert.equal(windows.apply(w(2, T0 + 9000, { final: true })), 'stale', 'a redelivery');
    assert.deepEqual(windows.list().map((x) => [x.sequence, x.endMs, x.final]), [[2, T0 + 9000, true]]);
  });

  it('finds the windows overlapping a half-open range of the same camera only', () => {
    const windows = new UploadWindows();
    windows.apply(w(0, T0 + 5000));
    windows.apply(w(0, T0 + 5000, { cameraId: 'yard', recordingId: '1795276431626-aaaaaaaaaaaa' }));
    assert.equal(windows.overlapping('door', T0 - 2000, T0).length, 0, 'ends where the window starts');
    assert.equal(windows.overlapping('door', T0 + 5000, T0 + 7000).length, 0, 'starts where the window ends');
    assert.equal(windows.overlapping('door', T0 + 4999, T0 + 7000).length, 1);
    assert.equal(windows.overlapping('gate', T0, T0 + 1000).length, 0);
  });

  it('survives its stored state and keeps forgotten recordings stale', () => {
    const windows = new UploadWindows();
    windows.apply(w(3, T0 + 5000, { final: true }));
    windows.forget('1795276431626-3f2a9c0d1b4e');
    assert.equal(windows.size, 0);
    const again = new UploadWindows(JSON.parse(JSON.stringify(windows.state())));
    assert.equal(again.apply(w(3, T0 + 5000, { final: true })), 'stale', 'redelivered after it was forgotten');
    assert.equal(again.size, 0);
  });
});
