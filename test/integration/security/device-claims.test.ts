import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { createDeps, type FunctionsDeps } from '../../../functions/deps';
import { deviceUploadUrls } from '../../../functions/devices/device-upload-urls';
import { provisionDevice } from '../../../functions/devices/device-provisioning';
import { ingest } from '../../../functions/ingest/ingest';
import { retention } from '../../../functions/retention/retention';
import type { FunctionsSettings } from '../../../functions/settings';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { DAY_MS, MINUTE_MS, toIso } from '../../../shared/time';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { batchContext, diagnosticsEvent, gapEvent, segmentEvent, tableRows, testSettings, viaEventGrid } from '../../helpers/functions-fixtures';
import { storeClaimedBlobs } from '../../helpers/segment-blob-fixtures';

/**
 * docs/security.md "The cloud never deletes on a device's word" and "Segment times are bounded": what a stolen device
 * claims in its events is checked against the cloud's own clock and storage before anything is indexed, so a forged
 * size cannot make retention delete a camera's archive, a page blob is never indexed, and no instant outside
 * [now − KEEPWATCH_OFFLINE_HORIZON (default P31D), now + 5 min] is accepted by upload-urls or ingest. Real Azurite,
 * the real route, ingest and retention handlers; the default offline horizon.
 */
const SEGMENT_MS = 10_000;
const SEGMENT_BYTES = 16 * 1024;

describe('a device\'s claims against the cloud\'s clock and storage', () => {
  let azurite: AzuriteInstance;
  let s: FunctionsSettings;
  let deps: FunctionsDeps;
  let container: ContainerClient;
  let secret: string;
  /** The clock of every handler here: real time, so Azurite's SAS checks and the handlers agree. */
  const now = () => Date.now();

  before(async () => {
    azurite = await startAzurite();
    // The default offline horizon (testSettings widens it for the fixed-date tests).
    s = testSettings(azurite.connectionString, { KEEPWATCH_OFFLINE_HORIZON: 'P31D' });
    deps = createDeps(s, { now });
    await deps.ensureStorage();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(s.recordingsContainer);
    ({ secret } = await provisionDevice(deps.devices, { deviceId: 'dev1', cameras: ['cam1', 'cam2', 'cam3', 'cam4'] }, now()));
  });
  after(async () => {
    await azurite?.stop();
  });

  async function askUrls(blobs: string[]): Promise<{ status: number; code?: string; message?: string; urls: string[] }> {
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/devices/dev1/upload-urls',
      params: { deviceId: 'dev1' },
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: { string: JSON.stringify({ blobs }) },
    });
    const res = await deviceUploadUrls(request, batchContext(), deps);
    const body = res.jsonBody as { error?: { code: string; message: string }; blobs?: Array<{ url?: string }> };
    return { status: res.status ?? 0, code: body.error?.code, message: body.error?.message, urls: (body.blobs ?? []).flatMap((b) => (b.url ? [b.url] : [])) };
  }

  /** PUTs through a create-only URL as the agent does (or as a thief would, with other headers). */
  async function put(url: string, body: Buffer, headers: Record<string, string> = {}): Promise<number> {
    const res = await fetch(url, { method: 'PUT', body, headers: { 'x-ms-blob-type': 'BlockBlob', 'x-ms-version': '2025-11-05', 'if-none-match': '*', ...headers } });
    return res.status;
  }

  /** Every row and blob ingest or retention may touch, to compare before and after. */
  async function state() {
    const blobs: string[] = [];
    for await (const b of container.listBlobsFlat()) blobs.push(`${b.name} ${b.properties.contentLength}`);
    return {
      blobs: blobs.sort(),
      segments: await tableRows(azurite.connectionString, s.tables.segments),
      cameras: await tableRows(azurite.connectionString, s.tables.cameras),
      availability: await tableRows(azurite.connectionString, s.tables.availability),
      gaps: await tableRows(azurite.connectionString, s.tables.gaps),
    };
  }

  const letters = async () => (await tableRows(azurite.connectionString, s.tables.deadLetters)).map((l) => [l.eventId, l.reasonCode]);

  it('a segment.uploaded claiming 1 TiB for a 16 KiB blob is dead-lettered (as one for a blob never uploaded or of another SHA-256), and the size-capped retention run after it deletes nothing', async () => {
    // An honest hour of cam1 under a 1 MiB cap (360 × 16 KiB = 5.6 MiB would exceed it, so 50 segments: 800 KiB fit).
    const t0 = Math.floor((now() - 2 * 3_600_000) / SEGMENT_MS) * SEGMENT_MS;
    const honest = Array.from({ length: 50 }, (_, i) => viaEventGrid(segmentEvent({ cameraId: 'cam1', startMs: t0 + i * SEGMENT_MS, bytes: SEGMENT_BYTES })));
    await storeClaimedBlobs(s, honest);
    assert.equal((await ingest(honest, batchContext(), deps)).accepted, 50);
    await deps.policies.put('cam1', { retention: { archive: 'P7D', maximumSizeMiB: 1 } }, { nowMs: now() });

    // The thief uploads a real 16 KiB segment through its own create-only URL, then claims it holds 1 TiB.
    const forgedStart = t0 + 50 * SEGMENT_MS;
    const name = segmentBlobName('cam1', forgedStart);
    const asked = await askUrls([name]);
    assert.equal(asked.status, 200, JSON.stringify(asked));
    assert.equal(await put(asked.urls[0], Buffer.alloc(SEGMENT_BYTES, 1)), 201);
    const before = await state();
    const forged = viaEventGrid(segmentEvent({ cameraId: 'cam1', startMs: forgedStart, bytes: 2 ** 40, id: 'forged-size' }));
    const summary = await ingest([forged], batchContext(), deps);
    assert.deepEqual([summary.accepted, summary.deadLettered], [0, 1]);
    assert.deepEqual(await letters(), [['forged-size', 'SegmentSizeMismatch']]);

    // Nor can it announce a segment it never uploaded, or one whose SHA-256 is not its blob's.
    const unsent = viaEventGrid(segmentEvent({ cameraId: 'cam1', startMs: forgedStart + SEGMENT_MS, bytes: SEGMENT_BYTES, id: 'never-uploaded' }));
    const otherHash = viaEventGrid(segmentEvent({ cameraId: 'cam1', startMs: t0, bytes: SEGMENT_BYTES, id: 'other-hash', sha256: 'b'.repeat(64) }));
    assert.equal((await ingest([unsent, otherHash], batchContext(), deps)).deadLettered, 2);
    assert.deepEqual((await letters()).sort(), [['forged-size', 'SegmentSizeMismatch'], ['never-uploaded', 'SegmentBlobMissing'], ['other-hash', 'SegmentHashMismatch']]);

    const run = await retention(undefined, batchContext(), deps);
    assert.deepEqual(run.failed, []);
    assert.deepEqual([run.byCause.size.segments, run.byCause.age.segments], [0, 0], 'nothing deleted');
    assert.deepEqual(await state(), before, 'every blob and row as before the forged event');
  });

  it('a page blob created through a create-only URL (a SAS cannot restrict the blob type) is never indexed and nothing is deleted', async () => {
    const start = Math.floor((now() - 3_600_000) / SEGMENT_MS) * SEGMENT_MS;
    const name = segmentBlobName('cam2', start);
    const asked = await askUrls([name]);
    assert.equal(asked.status, 200);
    // 1 TiB declared, nothing written: Azurite, like Azure, creates it through the `c` URL.
    assert.equal(await put(asked.urls[0], Buffer.alloc(0), { 'x-ms-blob-type': 'PageBlob', 'x-ms-blob-content-length': String(2 ** 40) }), 201);
    const props = await container.getBlobClient(name).getProperties();
    assert.deepEqual([props.blobType, props.contentLength], ['PageBlob', 2 ** 40]);
    const before = await state();
    const summary = await ingest([viaEventGrid(segmentEvent({ cameraId: 'cam2', startMs: start, bytes: 2 ** 40, id: 'page-blob' }))], batchContext(), deps);
    assert.deepEqual([summary.accepted, summary.deadLettered], [0, 1]);
    assert.deepEqual((await letters()).filter(([id]) => id === 'page-blob'), [['page-blob', 'SegmentBlobType']]);
    assert.deepEqual(await state(), before);
  });

  it('upload-urls signs nothing for a start more than 31 days old or more than 5 min ahead (9999 included); within the window it signs', async () => {
    const t = now();
    const at = (ms: number) => segmentBlobName('cam3', Math.floor(ms / 1000) * 1000);
    for (const [what, ms] of [
      ['6 min ahead', t + 6 * MINUTE_MS],
      ['32 days old', t - 32 * DAY_MS],
      ['9999', Date.UTC(9999, 11, 31, 23, 59, 50)],
      ['2000', Date.UTC(2000, 0, 1)],
    ] as const) {
      const r = await askUrls([at(t - 60_000), at(ms)]);
      assert.deepEqual([r.status, r.code, r.urls.length], [400, 'TimeOutOfRange', 0], what);
      assert.match(r.message!, /segment start .* (in the past|in the future): accepted /, what);
    }
    const ok = await askUrls([at(t - 30 * DAY_MS), at(t + 4 * MINUTE_MS)]);
    assert.deepEqual([ok.status, ok.urls.length], [200, 2]);
  });

  it('ingest dead-letters every instant outside the window (segment start, gap end, diagnostics time, a segment ending after its blob was created); the camera row keeps its times', async () => {
    const t = Math.floor(now() / 1000) * 1000;
    const good = viaEventGrid(segmentEvent({ cameraId: 'cam4', startMs: t - 60_000, bytes: SEGMENT_BYTES, id: 'in-window' }));
    const future = viaEventGrid(segmentEvent({ cameraId: 'cam4', startMs: Date.UTC(9999, 11, 31, 23, 0), bytes: SEGMENT_BYTES, id: 'year-9999' }));
    const old = viaEventGrid(segmentEvent({ cameraId: 'cam4', startMs: t - 40 * DAY_MS, bytes: SEGMENT_BYTES, id: 'forty-days-old' }));
    // Stored now, but claims to end an hour from now: its blob was created before the segment ended.
    const early = viaEventGrid(segmentEvent({ cameraId: 'cam4', startMs: t + 4 * MINUTE_MS, durationMs: 3_600_000, bytes: SEGMENT_BYTES, id: 'ends-after-upload' }));
    const gap = viaEventGrid(gapEvent({ cameraId: 'cam4', startMs: t, endMs: t + DAY_MS })); // ends tomorrow
    const diag = viaEventGrid(diagnosticsEvent({ id: 'diag-9999', cameraId: 'cam4', kind: 'session-established', time: '9999-01-01T00:00:00.000Z', video: 'h264' }));
    // The blobs exist (a device with a connection string, or a URL signed before), so only the times are wrong.
    await storeClaimedBlobs(s, [good, future, old, early]);
    const summary = await ingest([good, future, old, early, gap, diag], batchContext(), deps);
    assert.deepEqual([summary.accepted, summary.deadLettered], [1, 5]);
    const reasons = Object.fromEntries((await tableRows(azurite.connectionString, s.tables.deadLetters)).filter((l) => l.cameraId === 'cam4').map((l) => [l.eventId, l.reasonCode]));
    assert.deepEqual(reasons, {
      'year-9999': 'TimeOutOfRange',
      'forty-days-old': 'TimeOutOfRange',
      'ends-after-upload': 'TimeOutOfRange',
      [`gap-cam4-${t}`]: 'TimeOutOfRange',
      'diag-9999': 'TimeOutOfRange',
    });
    const camera = await deps.cameras.getCamera('cam4');
    assert.deepEqual(camera && [toIso(camera.firstRecordedMs), toIso(camera.lastRecordedMs)], [toIso(t - 60_000), toIso(t - 60_000 + SEGMENT_MS)]);
    assert.deepEqual(await deps.gapIndex.listGaps('cam4', 0, Date.UTC(9999, 11, 31)), []);
  });

  it('a gap whose range lies before the window is accepted on its event time (an agent reporting segments refused as too old) and changes no segment, camera or availability row; one sent long ago, or starting before 1970, is not', async () => {
    const t = Math.floor(now() / 1000) * 1000;
    const old = t - 40 * DAY_MS;
    const expired = viaEventGrid({ ...gapEvent({ cameraId: 'cam1', startMs: old, endMs: old + SEGMENT_MS, cause: 'expired-offline' }), time: toIso(t) });
    const staleEvent = viaEventGrid(gapEvent({ cameraId: 'cam1', startMs: old + SEGMENT_MS, endMs: old + 2 * SEGMENT_MS, cause: 'eviction' })); // its time: 40 days ago
    const before1970 = viaEventGrid({ ...gapEvent({ cameraId: 'cam1', startMs: -10_000, endMs: 10_000, cause: 'expired-offline' }), time: toIso(t) });
    const before = await state();
    const summary = await ingest([expired, staleEvent, before1970], batchContext(), deps);
    assert.deepEqual([summary.accepted, summary.deadLettered], [1, 2]);
    const reasons = (await letters()).filter(([id]) => [`gap-cam1-${old + SEGMENT_MS}`, 'gap-cam1--10000'].includes(String(id)));
    assert.deepEqual(reasons.sort(), [['gap-cam1--10000', 'TimeOutOfRange'], [`gap-cam1-${old + SEGMENT_MS}`, 'TimeOutOfRange']]);
    assert.deepEqual(await deps.gapIndex.listGaps('cam1', old - DAY_MS, old + DAY_MS), [{ startMs: old, endMs: old + SEGMENT_MS, cause: 'expired-offline' }]);
    const { gaps: _gaps, ...rest } = await state();
    const { gaps: _before, ...restBefore } = before;
    assert.deepEqual(rest, restBefore, 'every blob, segment, camera and availability row as before');
  });
});
