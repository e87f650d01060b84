import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WindowBook } from '../../../../shared/evr/window-book';
import type { UploadWindow } from '../../../../shared/contracts/upload-window';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 3, 123);
const w = (sequence: number, endMs: number, extra: Partial<UploadWindow> = {}): UploadWindow => ({ cameraId: 'door', recordingId: '1795276431626-3f2a9c0d1b4e', startMs: T0, endMs, final: false, sequence, ...extra });

describe('WindowBook', () => {
  it('keeps per recording the command with the highest sequence; equal or older ones are stale', () => {
    const book = new WindowBook();
    assert.equal(book.apply(w(0, T0 + 5000)), 'new');
    assert.equal(book.apply(w(2, T0 + 9000, { final: true })), 'updated');
    assert.equal(book.apply(w(1, T0 + 7000)), 'stale', 'a reordered older extension');
    assert.equal(book.apply(w(2, T0 + 9000, { final: true })), 'stale', 'a redelivery');
    assert.deepEqual(book.list().map((x) => [x.sequence, x.endMs, x.final]), [[2, T0 + 9000, true]]);
  });

  it('finds the windows overlapping a half-open range of the same camera only', () => {
    const book = new WindowBook();
    book.apply(w(0, T0 + 5000));
    book.apply(w(0, T0 + 5000, { cameraId: 'yard', recordingId: '1795276431626-aaaaaaaaaaaa' }));
    assert.equal(book.overlapping('door', T0 - 2000, T0).length, 0, 'ends where the window starts');
    assert.equal(book.overlapping('door', T0 + 5000, T0 + 7000).length, 0, 'starts where the window ends');
    assert.equal(book.overlapping('door', T0 + 4999, T0 + 7000).length, 1);
    assert.equal(book.overlapping('gate', T0, T0 + 1000).length, 0);
  });

  it('survives its stored state and keeps forgotten recordings stale', () => {
    const book = new WindowBook();
    book.apply(w(3, T0 + 5000, { final: true }));
    book.forget('1795276431626-3f2a9c0d1b4e');
    assert.equal(book.size, 0);
    const again = new WindowBook(JSON.parse(JSON.stringify(book.state())));
    assert.equal(again.apply(w(3, T0 + 5000, { final: true })), 'stale', 'redelivered after it was forgotten');
    assert.equal(again.size, 0);
  });
});
