import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WindowStore } from '../../../../edge-agent/evr/window-store';
import { createLogger } from '../../../../edge-agent/log';
import { UploadWindows } from '../../../../shared/evr/upload-windows';

describe('WindowStore', () => {
  it('keeps the last saved windows whatever a crash left in the temp file, and starts empty from an unreadable file', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-windows-'));
    const store = new WindowStore(dir, createLogger('silent'));
    assert.deepEqual(store.load(), { windows: [], forgotten: {} }, 'no file: nothing held');
    const windows = new UploadWindows();
    windows.apply({ cameraId: 'door', recordingId: '1795276431626-3f2a9c0d1b4e', startMs: 1795276431626, endMs: 1795276441626, final: false, sequence: 1 });
    store.save(windows.state());
    writeFileSync(`${store.file}.tmp`, '{"windows": [ {"torn'); // a save interrupted before its rename
    const restored = new UploadWindows(store.load());
    assert.deepEqual(restored.list().map((w) => [w.recordingId, w.sequence]), [['1795276431626-3f2a9c0d1b4e', 1]]);
    // Entries that are not windows are skipped, the rest kept.
    writeFileSync(store.file, JSON.stringify({ windows: [...windows.state().windows, { cameraId: 'x', recordingId: 'nope', startMs: 1, endMs: 0 }], forgotten: { bad: 'x' } }));
    assert.deepEqual(store.load().windows.length, 1);
    assert.deepEqual(store.load().forgotten, {});
    writeFileSync(store.file, 'not json');
    assert.deepEqual(store.load(), { windows: [], forgotten: {} });
  });
});
