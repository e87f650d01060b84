import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import { BlobServiceClient } from '@azure/storage-blob';
import { createDeps } from '../../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';
import { recordingHoldCreate } from '../../../../functions/recordings/recording-hold-create';
import { recordingHoldDelete } from '../../../../functions/recordings/recording-hold-delete';
import { retention } from '../../../../functions/retention/retention';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../../../shared/time';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { batchContext, segmentEvent, testSettings, viaEventGrid } from '../../../helpers/functions-fixtures';

/** 10 days of 1-hour segments of cam-r; the runs' clock is their end; default retention P7D. */
const ARCHIVE_START = Date.UTC(2026, 10, 1);
const SEGMENTS = 240;
const NOW = ARCHIVE_START + SEGMENTS * HOUR_MS;
/** A recording on day 2 (long expired), 10:20..10:50, inside the segment starting 10:00. */
const REC_START = ARCHIVE_START + DAY_MS + 10 * HOUR_MS + 20 * MINUTE_MS;
const REC_ID = `${REC_START}-0123456789ab`;

describe('retention keeps the segments of a held recording', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  it('a held recording survives the run that expires its day; released, the next run deletes it', async () => {
    const s = testSettings(azurite.connectionString, { KEEPWATCH_RECORDINGS_CONTAINER: `rec-${randomBytes(4).toString('hex')}` });
    const deps = createDeps(s, { now: () => NOW });
    await deps.ensureStorage();
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(s.recordingsContainer);
    const starts = Array.from({ length: SEGMENTS }, (_, i) => ARCHIVE_START + i * HOUR_MS);
    const events = starts.map((ms) => viaEventGrid(segmentEvent({ cameraId: 'cam-r', startMs: ms, durationMs: HOUR_MS, bytes: 1000 })));
    for (let i = 0; i < events.length; i += 100) await ingest(events.slice(i, i + 100), batchContext(), deps);
    await deps.recordings.upsert([
      {
        id: REC_ID, cameraId: 'cam-r', deviceId: 'dev1', gateRecordingId: 'motion-cam-r-1', startMs: REC_START, endMs: REC_START + 30 * MINUTE_MS,
        state: 'complete', sequence: 2, signals: [], signalCount: 1, createdAtMs: REC_START, updatedAtMs: REC_START,
      },
    ]);
    const params = { cameraId: 'cam-r', recordingId: REC_ID };
    const url = `http://localhost/api/cameras/cam-r/recordings/${REC_ID}/hold`;
    const held = await recordingHoldCreate(new HttpRequest({ method: 'POST', url, params }), batchContext(), deps);
    assert.equal(held.status, 201);

    const heldSegment = ARCHIVE_START + DAY_MS + 10 * HOUR_MS;
    const remaining = async () => (await deps.segmentIndex.listSegmentSpans('cam-r', ARCHIVE_START, NOW)).map((x) => x.startMs);
    const blobExists = (ms: number) => container.getBlockBlobClient(segmentBlobName('cam-r', ms)).exists();

    const run = await retention(undefined, batchContext(), deps);
    assert.deepEqual(run.failed, []);
    const expired = starts.filter((ms) => ms + HOUR_MS <= NOW - 7 * DAY_MS);
    assert.equal(run.byCause.age.segments, expired.length - 1, 'every expired segment but the held one');
    const kept = await remaining();
    assert.ok(kept.includes(heldSegment), 'the held recording keeps its segment row');
    assert.equal(await blobExists(heldSegment), true, 'and its blob');
    assert.equal(kept.includes(heldSegment - HOUR_MS) || kept.includes(heldSegment + HOUR_MS), false, 'its neighbours went');
    const rec = await deps.recordings.get('cam-r', REC_ID);
    assert.ok(rec, 'the recording row is untouched');

    const released = await recordingHoldDelete(new HttpRequest({ method: 'DELETE', url, params }), batchContext(), deps);
    assert.equal(released.status, 204);
    const next = await retention(undefined, batchContext(), deps);
    assert.equal(next.byCause.age.segments, 1, 'released, its segment expires');
    assert.equal((await remaining()).includes(heldSegment), false);
    assert.equal(await blobExists(heldSegment), false);
  });
});
