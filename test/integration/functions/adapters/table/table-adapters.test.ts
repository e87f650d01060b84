import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { segmentBlobName } from '../../../../../shared/contracts/blob-naming';
import type { SegmentRecord } from '../../../../../shared/contracts/device-events';
import { DAY_MS } from '../../../../../shared/time';
import { mergeRanges } from '../../../../../shared/time-ranges';
import { createDeps, type FunctionsDeps } from '../../../../../functions/deps';
import { playbackRanges } from '../../../../../functions/playback/playback-ranges';
import { startAzurite, type AzuriteInstance } from '../../../../helpers/azurite';
import { tableRows, testSettings } from '../../../../helpers/functions-fixtures';

const DAY1 = Date.UTC(2026, 10, 21);
const MIDNIGHT = DAY1 + DAY_MS;

function segment(startMs: number, durationMs = 10_000, cameraId = 'cam1', deviceId = 'dev1'): SegmentRecord {
  return { deviceId, cameraId, startMs, durationMs, bytes: 100, blobName: segmentBlobName(cameraId, startMs), sha256: 'f'.repeat(64), eventId: `e-${startMs}` };
}

describe('Table adapters on Azurite', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  async function seeded(segments: SegmentRecord[]): Promise<FunctionsDeps> {
    const deps = createDeps(testSettings(azurite.connectionString));
    await deps.segmentIndex.upsertSegments(segments);
    await deps.availability.mergeSegments(segments);
    return deps;
  }

  describe('segment index', () => {
    it('writes more than 100 rows of one partition (several transactions) and lists them in order', async () => {
      const many = Array.from({ length: 250 }, (_, i) => segment(DAY1 + i * 10_000));
      const deps = await seeded(many);
      const spans = await deps.segmentIndex.listSegmentSpans('cam1', DAY1, DAY1 + DAY_MS);
      assert.equal(spans.length, 250);
      assert.deepEqual(spans.map((s) => s.startMs), many.map((s) => s.startMs));
      assert.deepEqual(spans[7], { startMs: DAY1 + 70_000, durationMs: 10_000, blobName: segmentBlobName('cam1', DAY1 + 70_000), bytes: 100 });
    });

    it('finds a segment that started before the range (even the day before) and reaches into it', async () => {
      const deps = await seeded([segment(MIDNIGHT - 5000), segment(MIDNIGHT + 5000), segment(MIDNIGHT + 15_000, 10_000, 'cam2')]);
      assert.deepEqual((await deps.segmentIndex.listSegmentSpans('cam1', MIDNIGHT, MIDNIGHT + 1)).map((s) => s.startMs), [MIDNIGHT - 5000]);
      assert.deepEqual((await deps.segmentIndex.listSegmentSpans('cam1', MIDNIGHT - 1, MIDNIGHT + 6000)).map((s) => s.startMs), [MIDNIGHT - 5000, MIDNIGHT + 5000]);
      // Half-open: a segment ending exactly at the range start, or starting at its end, is outside.
      assert.deepEqual((await deps.segmentIndex.listSegmentSpans('cam1', MIDNIGHT + 5000, MIDNIGHT + 5001)).map((s) => s.startMs), [MIDNIGHT + 5000]);
      assert.deepEqual(await deps.segmentIndex.listSegmentSpans('cam1', MIDNIGHT + 15_000, MIDNIGHT + 20_000), [], 'other cameras are not listed');
    });

    it('lists nothing for a camera whose tables do not exist yet', async () => {
      const deps = createDeps(testSettings(azurite.connectionString));
      assert.deepEqual(await deps.segmentIndex.listSegmentSpans('cam1', DAY1, DAY1 + 1000), []);
      assert.deepEqual(await deps.availability.listRanges('cam1', DAY1, DAY1 + 1000), []);
      assert.equal(await deps.cameras.getCamera('cam1'), undefined);
      assert.deepEqual(await deps.cameras.listCameras(), []);
    });
  });

  describe('availability rollup', () => {
    it('serialises concurrent merges with ETags: nothing is lost', async () => {
      const deps = createDeps(testSettings(azurite.connectionString));
      // 12 writers, each with its own segment of the same day row, racing.
      const segments = Array.from({ length: 12 }, (_, i) => segment(DAY1 + i * 20_000));
      await Promise.all(segments.map((s) => deps.availability.mergeSegments([s])));
      assert.deepEqual(await deps.availability.listRanges('cam1', DAY1, DAY1 + DAY_MS), mergeRanges(segments.map((s) => ({ startMs: s.startMs, endMs: s.startMs + s.durationMs }))));
    });

    it('chunks a day with thousands of ranges over several properties and reads it back', async () => {
      const s = testSettings(azurite.connectionString);
      const deps = createDeps(s);
      const segments = Array.from({ length: 6000 }, (_, i) => segment(DAY1 + i * 12_000, 10_000)); // 2 s gap after each
      await deps.availability.mergeSegments(segments);
      const [row] = await tableRows(azurite.connectionString, s.tables.availability);
      assert.ok(Number(row.chunkCount) >= 2, `chunkCount ${row.chunkCount}`);
      assert.equal(row.rangeCount, 6000);
      for (let i = 0; i < Number(row.chunkCount); i++) assert.ok(String(row[`r${i}`]).length <= 32_000);
      const ranges = await deps.availability.listRanges('cam1', DAY1, DAY1 + DAY_MS);
      assert.equal(ranges.length, 6000);
      assert.deepEqual(ranges[5999], { startMs: DAY1 + 5999 * 12_000, endMs: DAY1 + 5999 * 12_000 + 10_000 });
    });

    it('merges across midnight when listing, and lists only ranges that overlap the window', async () => {
      const deps = await seeded([segment(MIDNIGHT - 10_000), segment(MIDNIGHT), segment(MIDNIGHT + 60_000)]);
      assert.deepEqual(await deps.availability.listRanges('cam1', DAY1, MIDNIGHT + DAY_MS), [
        { startMs: MIDNIGHT - 10_000, endMs: MIDNIGHT + 10_000 },
        { startMs: MIDNIGHT + 60_000, endMs: MIDNIGHT + 70_000 },
      ]);
      assert.deepEqual(await deps.availability.listRanges('cam1', MIDNIGHT + 20_000, MIDNIGHT + 60_001), [{ startMs: MIDNIGHT + 60_000, endMs: MIDNIGHT + 70_000 }]);
    });
  });

  describe('camera rows', () => {
    it('concurrent writers converge to the widest first/last', async () => {
      const deps = createDeps(testSettings(azurite.connectionString));
      const segments = Array.from({ length: 10 }, (_, i) => segment(DAY1 + i * 60_000));
      await Promise.all(segments.map((s) => deps.cameras.recordSegments([s])));
      assert.deepEqual(await deps.cameras.getCamera('cam1'), { cameraId: 'cam1', deviceId: 'dev1', firstRecordedMs: DAY1, lastRecordedMs: DAY1 + 9 * 60_000 + 10_000 });
    });
  });

  describe('playback ranges (rollup + edge refinement) equal the merged segments a playlist contains', () => {
    // A segment crossing midnight, abutting segments, a gap, odd durations, and one long segment.
    const layout = [
      segment(MIDNIGHT - 25_000),
      segment(MIDNIGHT - 15_000),
      segment(MIDNIGHT - 5000), // crosses midnight, ends 00:00:05
      segment(MIDNIGHT + 5000, 7000),
      segment(MIDNIGHT + 40_000, 3000), // after a gap
      segment(MIDNIGHT + 43_000, 120_000), // 2 min
      segment(MIDNIGHT + 400_000),
    ];
    let deps: FunctionsDeps;
    before(async () => {
      deps = await seeded(layout);
    });

    const windows: Array<[number, number]> = [
      [MIDNIGHT, MIDNIGHT + 3000], // starts at midnight inside a segment that began the day before
      [MIDNIGHT - 20_000, MIDNIGHT + 1], // ends just after midnight
      [MIDNIGHT - 60_000, MIDNIGHT + 500_000], // everything
      [MIDNIGHT + 12_000, MIDNIGHT + 40_000], // starts and ends exactly at segment edges
      [MIDNIGHT + 12_001, MIDNIGHT + 40_001],
      [MIDNIGHT + 100_000, MIDNIGHT + 100_001], // inside the long segment
      [MIDNIGHT + 163_000, MIDNIGHT + 400_000], // between segments: nothing
      [MIDNIGHT - 15_000, MIDNIGHT - 14_999],
    ];
    for (const [startMs, endMs] of windows) {
      it(`window ${new Date(startMs).toISOString()} .. ${new Date(endMs).toISOString()}`, async () => {
        const truth = mergeRanges((await deps.segmentIndex.listSegmentSpans('cam1', startMs, endMs)).map((s) => ({ startMs: s.startMs, endMs: s.startMs + s.durationMs })));
        assert.deepEqual(await playbackRanges(deps, 'cam1', startMs, endMs), truth);
      });
    }

    it('a window starting at midnight reaches back to the start of the segment that crosses it, and no further', async () => {
      assert.deepEqual(await playbackRanges(deps, 'cam1', MIDNIGHT, MIDNIGHT + 3000), [{ startMs: MIDNIGHT - 5000, endMs: MIDNIGHT + 5000 }]);
      assert.deepEqual(await playbackRanges(deps, 'cam1', MIDNIGHT - 16_000, MIDNIGHT + 6000), [{ startMs: MIDNIGHT - 25_000, endMs: MIDNIGHT + 12_000 }]);
    });
  });
});
