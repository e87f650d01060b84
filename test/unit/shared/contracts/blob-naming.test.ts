import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSegmentBlobName, segmentBlobName, segmentBlobNamer, SEGMENT_CONTENT_TYPE, SEGMENT_EXTENSION } from '../../../../shared/contracts/blob-naming';
import { ValidationError } from '../../../../shared/errors';

describe('segmentBlobName', () => {
  it('is {cameraId}/{yyyy}/{MM}/{dd}/{HH}/{startIso}.ts in UTC', () => {
    assert.equal(
      segmentBlobName('door-1', Date.UTC(2026, 10, 21, 9, 5, 7, 42)),
      'door-1/2026/11/21/09/2026-11-21T09:05:07.042Z.ts',
    );
    assert.equal(SEGMENT_EXTENSION, 'ts');
    assert.equal(SEGMENT_CONTENT_TYPE, 'video/mp2t');
  });

  it('sorts lexically in time order', () => {
    const starts = [Date.UTC(2026, 0, 1, 23, 59, 59, 999), Date.UTC(2026, 0, 2), Date.UTC(2026, 0, 2, 0, 0, 0, 1), Date.UTC(2026, 9, 1)];
    const names = starts.map((s) => segmentBlobName('cam1', s));
    assert.deepEqual([...names].sort(), names);
  });

  it('rejects bad camera ids and starts outside 2000..9999 or not integers', () => {
    for (const id of ['../x', 'Cam1', '', 'a'.repeat(33), 'a/b', 'a_b']) {
      assert.throws(() => segmentBlobName(id, Date.UTC(2026, 0, 1)), ValidationError, id);
    }
    for (const ms of [Date.UTC(1999, 11, 31), Date.UTC(10000, 0, 1), 1.5, Number.NaN]) {
      assert.throws(() => segmentBlobName('cam1', ms), ValidationError, String(ms));
    }
  });
});

describe('parseSegmentBlobName', () => {
  it('round-trips what segmentBlobName makes', () => {
    for (const ms of [Date.UTC(2000, 0, 1), Date.UTC(2026, 10, 21, 23, 59, 59, 999), Date.UTC(9999, 11, 31, 23, 0, 0, 1)]) {
      assert.deepEqual(parseSegmentBlobName(segmentBlobName('cam-9', ms)), { cameraId: 'cam-9', startMs: ms });
    }
  });

  it('rejects anything that is not exactly the canonical name', () => {
    const bad = [
      'cam1/2026/11/21/10/2026-11-21T10:00:00.000Z.mp4', // extension
      'cam1/2026/11/21/11/2026-11-21T10:00:00.000Z.ts', // hour folder disagrees
      'cam1/2026/11/22/10/2026-11-21T10:00:00.000Z.ts', // day folder disagrees
      'cam2/2026/11/21/10/2026-11-21T10:00:00.000Z.ts/x',
      'cam1/2026/11/21/10/2026-11-21T10:00:00Z.ts', // no milliseconds
      'cam1/2026/02/31/10/2026-02-31T10:00:00.000Z.ts', // no such day
      '../2026/11/21/10/2026-11-21T10:00:00.000Z.ts',
      '',
    ];
    for (const name of bad) assert.equal(parseSegmentBlobName(name), undefined, name);
  });
});

describe('segmentBlobNamer', () => {
  it('names like segmentBlobName, checking the camera once', () => {
    const name = segmentBlobNamer('cam-1');
    for (const ms of [Date.UTC(2026, 10, 21, 23, 59, 59, 999), Date.UTC(2000, 0, 1), Date.UTC(2026, 0, 1, 0, 0, 0, 7)]) {
      assert.equal(name(ms), segmentBlobName('cam-1', ms));
    }
    assert.throws(() => segmentBlobNamer('../x'), /camera id/);
    assert.throws(() => name(1.5), /not an epoch ms/);
  });
});
