import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { createDeps, type FunctionsDeps } from '../../../../functions/deps';
import { retention } from '../../../../functions/retention/retention';
import type { FunctionsSettings } from '../../../../functions/settings';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import type { RecordingRecord } from '../../../../shared/ports/recording-store';
import { recordingHold } from '../../../../shared/recording-hold';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../../shared/time';
import { overlaps, type TimeRange } from '../../../../shared/time-ranges';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { batchContext, seedIndexedArchive, tableRows } from '../../../helpers/functions-fixtures';

/** 10 days of 15-minute segments of cam-e from 00:05 UTC (boundaries at :05, :20, :35, :50); the runs' clock is their end. */
const ARCHIVE_START = Date.UTC(2026, 10, 1, 0, 5);
const SEGMENT_MS = 15 * MINUTE_MS;
const SEGMENTS = 10 * 96;
const NOW = ARCHIVE_START + SEGMENTS * SEGMENT_MS;
/** Policy under test: archive P2D, recordings P7D. */
const ARCHIVE_CUTOFF = NOW - 2 * DAY_MS;
const RECORDINGS_CUTOFF = NOW - 7 * DAY_MS;
const DAY0 = Date.UTC(2026, 10, 1);

/** A complete recording row of cam-e over [startMs, endMs), id `{13-digit start}-{12 hex}` (RECORDING_ID_PATTERN). */
function recording(startMs: number, endMs: number, hex: string): RecordingRecord {
  return {
    id: `${String(startMs).padStart(13, '0')}-${hex}`,
    cameraId: 'cam-e',
    deviceId: 'dev1',
    gateRecordingId: `motion-cam-e-${startMs}`,
    startMs,
    endMs,
    state: 'complete',
    sequence: 2,
    signals: [{ id: `motion-cam-e-${startMs}`, type: 'motion', atMs: startMs + 5000 }],
    signalCount: 1,
    createdAtMs: startMs,
    updatedAtMs: endMs,
  };
}

/** One 2-minute recording a day at 10:10 (inside the 10:05 segment), day 0..9. */
const DAILY = Array.from({ length: 10 }, (_, d) => recording(DAY0 + d * DAY_MS + 10 * HOUR_MS + 10 * MINUTE_MS, DAY0 + d * DAY_MS + 10 * HOUR_MS + 12 * MINUTE_MS, `00000000000${d}`));
/** Day 1, 12:15..12:25: across the 12:20 segment boundary (two segments). */
const STRADDLING = recording(DAY0 + DAY_MS + 12 * HOUR_MS + 15 * MINUTE_MS, DAY0 + DAY_MS + 12 * HOUR_MS + 25 * MINUTE_MS, 'aaaaaaaaaaaa');
/** Day 0, 15:00..15:01, held through the recordings API's hold `rec-{id}`. */
const HELD = recording(DAY0 + 15 * HOUR_MS, DAY0 + 15 * HOUR_MS + MINUTE_MS, 'bbbbbbbbbbbb');
/** Day 0, 00:00..00:02: before the first stored segment (its media never reached the cloud). */
const NO_MEDIA = recording(DAY0, DAY0 + 2 * MINUTE_MS, 'cccccccccccc');
/** Ends exactly at now − P7D (inclusive: expired), inside the segment ending there. */
const AT_CUTOFF = recording(RECORDINGS_CUTOFF - MINUTE_MS, RECORDINGS_CUTOFF, 'dddddddddddd');
/** Ends 1 ms after now − P7D (not expired); reaches into the segment after the cutoff. */
const JUST_AFTER = recording(RECORDINGS_CUTOFF - 30_000, RECORDINGS_CUTOFF + 1, 'eeeeeeeeeeee');
const RECORDINGS = [...DAILY, STRADDLING, HELD, NO_MEDIA, AT_CUTOFF, JUST_AFTER];

interface Seg {
  startMs: number;
  endMs: number;
}
const SEEDED: Seg[] = Array.from({ length: SEGMENTS }, (_, i) => ({ startMs: ARCHIVE_START + i * SEGMENT_MS, endMs: ARCHIVE_START + (i + 1) * SEGMENT_MS }));

/** What one run must leave, computed here from the rules (not with shared/retention/plan-retention.ts). */
function expected(): { segments: Seg[]; recordingIds: string[] } {
  const heldRange: TimeRange = { startMs: HELD.startMs, endMs: HELD.endMs };
  const inRecording = (s: Seg) => RECORDINGS.some((r) => overlaps(s, r));
  const expired = (s: Seg) => s.endMs <= (inRecording(s) ? RECORDINGS_CUTOFF : ARCHIVE_CUTOFF) && !overlaps(s, heldRange);
  const segments = SEEDED.filter((s) => !expired(s));
  const recordingIds = RECORDINGS.filter((r) => !(r.endMs <= RECORDINGS_CUTOFF && r !== HELD && !segments.some((s) => overlaps(s, r))))
    .map((r) => r.id)
    .sort();
  return { segments, recordingIds };
}

describe('retention of EVR recordings on Azurite: archive P2D, recordings P7D over a 10-day archive', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  /** Fresh tables and container: blobs, index rows through the real ingest handler, the policy, the recordings and a recording hold. */
  async function seed(): Promise<{ s: FunctionsSettings; deps: FunctionsDeps }> {
    const { s, deps } = await seedIndexedArchive(azurite.connectionString, NOW, SEEDED.map((g) => ({ cameraId: 'cam-e', startMs: g.startMs, durationMs: SEGMENT_MS, bytes: 1000 })));
    await deps.policies.put('cam-e', { mode: 'evr', retention: { archive: 'P2D', recordings: 'P7D' } }, { nowMs: NOW });
    await deps.recordings.upsert(RECORDINGS);
    await deps.holds.create(recordingHold(HELD, NOW));
    return { s, deps };
  }

  async function state(s: FunctionsSettings) {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(s.recordingsContainer);
    const blobs: string[] = [];
    for await (const b of container.listBlobsFlat()) blobs.push(b.name);
    return {
      blobs: blobs.sort(),
      segments: (await tableRows(azurite.connectionString, s.tables.segments)).map((r) => Number(r.startMs)).sort((a, b) => a - b),
      recordings: (await tableRows(azurite.connectionString, s.tables.recordings)).map((r) => String(r.rowKey)).sort(),
      availability: await tableRows(azurite.connectionString, s.tables.availability),
      journal: await tableRows(azurite.connectionString, s.tables.retention),
    };
  }

  it('one run deletes exactly the expected segments and recording rows; held and young ones stay', async () => {
    const want = expected();
    // The fixture exercises every rule: recording segments older than P2D kept, then gone past P7D, edges, the hold.
    const kept = (r: RecordingRecord) => want.recordingIds.includes(r.id);
    assert.deepEqual(DAILY.map(kept), [false, false, false, true, true, true, true, true, true, true]);
    assert.deepEqual([STRADDLING, HELD, NO_MEDIA, AT_CUTOFF, JUST_AFTER].map(kept), [false, true, false, false, true]);
    assert.ok(want.segments.some((g) => g.endMs <= ARCHIVE_CUTOFF && g.endMs > RECORDINGS_CUTOFF), 'recording segments outlive the archive retention');
    assert.ok(!want.segments.some((g) => g.endMs <= ARCHIVE_CUTOFF && !RECORDINGS.some((r) => overlaps(g, r))), 'no other expired segment stays');

    const { s, deps } = await seed();
    const summary = await retention(undefined, batchContext(), deps);
    assert.deepEqual(summary.failed, []);
    assert.equal(summary.segmentsDeleted, SEGMENTS - want.segments.length);
    assert.equal(summary.recordingsDeleted, RECORDINGS.length - want.recordingIds.length);
    assert.equal(summary.held, 1, 'the held recording keeps its one expired segment');

    const after = await state(s);
    assert.deepEqual(after.segments, want.segments.map((g) => g.startMs), 'exactly the expected index rows remain');
    assert.deepEqual(after.blobs, want.segments.map((g) => segmentBlobName('cam-e', g.startMs)).sort(), 'exactly the expected blobs remain');
    assert.deepEqual(after.recordings, want.recordingIds, 'exactly the expected recording rows remain');
    assert.deepEqual(after.journal, []);
    assert.equal((await deps.cameras.getCamera('cam-e'))?.firstRecordedMs, want.segments[0].startMs);

    const events = (await tableRows(azurite.connectionString, s.tables.events)).filter((r) => r.type === 'retention.completed');
    const data = (JSON.parse(String(events[0].event)) as { data: { recordingsDeleted: number } }).data;
    assert.equal(data.recordingsDeleted, summary.recordingsDeleted, 'the summary event carries recordingsDeleted');

    const again = await retention(undefined, batchContext(), deps);
    assert.equal(again.segmentsDeleted + again.recordingsDeleted, 0, 'a second run finds nothing');
    assert.deepEqual(await state(s), after);

    // One day later: day 3's recording and the one just after the cutoff expire with their segments.
    const later = createDeps(s, { now: () => NOW + DAY_MS });
    const next = await retention(undefined, batchContext(), later);
    assert.deepEqual(next.failed, []);
    const left = (await state(s)).recordings;
    assert.equal(left.includes(DAILY[3].id), false);
    assert.equal(left.includes(JUST_AFTER.id), false);
    assert.equal(left.includes(HELD.id), true, 'still held');
    assert.equal(left.includes(DAILY[4].id), true);
  });

  it('a run that crashed after deleting segments and before the rows: the next run deletes the rows, as one clean run', async () => {
    const clean = await seed();
    const crashed = await seed();
    await retention(undefined, batchContext(), clean.deps);
    const first = await retention(undefined, batchContext(), crashed.deps, {
      hooks: {
        beforeRollupRewrite: () => {
          throw new Error('simulated crash before the rollup rewrite and the recording rows');
        },
      },
    });
    assert.deepEqual(first.failed.map((f) => f.cameraId), ['cam-e']);
    const midway = await state(crashed.s);
    assert.deepEqual(midway.segments, expected().segments.map((g) => g.startMs), 'the segments are gone');
    assert.equal(midway.recordings.length, RECORDINGS.length, 'the rows are not yet');

    const second = await retention(undefined, batchContext(), crashed.deps);
    assert.deepEqual(second.failed, []);
    assert.equal(second.recordingsDeleted, RECORDINGS.length - expected().recordingIds.length);
    assert.deepEqual(await state(crashed.s), await state(clean.s));
  });
});
