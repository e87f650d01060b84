import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSegmentBlobName, segmentBlobName } from '../../../../shared/contracts/blob-naming';
import { parsePreviewBlobName, previewBlobName, previewHourPrefix } from '../../../../shared/contracts/preview-blob-naming';

const SEG = Date.UTC(2026, 10, 21, 10, 59, 55);
const T = Date.UTC(2026, 10, 21, 11, 0, 2, 500);

describe('preview blob names', () => {
  it('sit under the camera, in the hour of the segment they were decoded from', () => {
    const name = previewBlobName('door-1', SEG, T, 'small');
    assert.equal(name, 'door-1/previews/2026/11/21/10/2026-11-21T10:59:55.000Z/2026-11-21T11:00:02.500Z-small.jpg');
    assert.ok(name.startsWith(previewHourPrefix('door-1', SEG)));
    assert.ok(name.startsWith('door-1/'), "under the camera's prefix");
  });

  it('read back to what made them, and never parse as a segment (nor a segment as a preview)', () => {
    const name = previewBlobName('cam1', SEG, T, 'large');
    assert.deepEqual(parsePreviewBlobName(name), { cameraId: 'cam1', segmentStartMs: SEG, timeMs: T, size: 'large' });
    assert.equal(parseSegmentBlobName(name), undefined);
    assert.equal(parsePreviewBlobName(segmentBlobName('cam1', SEG)), undefined);
  });

  it('refuse names that are almost right', () => {
    const name = previewBlobName('cam1', SEG, T, 'medium');
    assert.equal(parsePreviewBlobName(name.replace('medium', 'huge')), undefined);
    assert.equal(parsePreviewBlobName(name.replace('/10/', '/11/')), undefined, 'hour not the segment\'s');
    assert.equal(parsePreviewBlobName(name.replace('.jpg', '.png')), undefined);
    assert.equal(parsePreviewBlobName(`x/${name}`), undefined);
  });

  it('refuse a bad camera id or time', () => {
    assert.throws(() => previewBlobName('Cam', SEG, T, 'small'), /camera/);
    assert.throws(() => previewBlobName('cam1', SEG, 1.5, 'small'), /epoch ms/);
  });
});
