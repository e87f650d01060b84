import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TableClient } from '@azure/data-tables';
import { TransientError } from '../../../../shared/errors';
import { DAY_MS } from '../../../../shared/time';
import { TableSegmentIndex } from '../../../../functions/adapters/table/table-segment-index';
import { createDeps } from '../../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { batchContext, diagnosticsEvent, forwardedByEventGrid, gapEvent, segmentEvent, shuffled, tableRows, testSettings, viaEventGrid } from '../../../helpers/functions-fixtures';

const DAY1 = Date.UTC(2026, 10, 21);
const MIDNIGHT = DAY1 + DAY_MS;

describe('ingest on Azurite', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  /** A batch across midnight with a gap, in every message shape the host may deliver. */
  function mixedBatch(): unknown[] {
    return [
      viaEventGrid(segmentEvent({ startMs: MIDNIGHT - 20_000 })),
      JSON.stringify(viaEventGrid(segmentEvent({ startMs: MIDNIGHT - 10_000 }), { form: 'data-string' })),
      Buffer.from(JSON.stringify(viaEventGrid(segmentEvent({ startMs: MIDNIGHT }), { form: 'data_base64' }))),
      viaEventGrid(segmentEvent({ startMs: MIDNIGHT + 30_000, bytes: 2048 })), // a 20 s gap before it
      forwardedByEventGrid(segmentEvent({ startMs: MIDNIGHT + 40_000 })), // a CloudEvent Event Grid forwarded as it is
      viaEventGrid(segmentEvent({ cameraId: 'cam2', startMs: DAY1 + 3_600_000 })),
    ];
  }

  async function allRows(s: ReturnType<typeof testSettings>) {
    return {
      segments: await tableRows(azurite.connectionString, s.tables.segments),
      availability: await tableRows(azurite.connectionString, s.tables.availability),
      cameras: await tableRows(azurite.connectionString, s.tables.cameras),
      deadLetters: await tableRows(azurite.connectionString, s.tables.deadLetters),
      gaps: await tableRows(azurite.connectionString, s.tables.gaps),
    };
  }

  it('writes one index row per segment, keyed by camera + UTC day and start ms', async () => {
    const s = testSettings(azurite.connectionString);
    const summary = await ingest(mixedBatch(), batchContext(), createDeps(s));
    assert.equal(summary.accepted, 6);
    assert.equal(summary.deadLettered, 0);
    const rows = await tableRows(azurite.connectionString, s.tables.segments);
    assert.deepEqual(
      rows.map((r) => `${r.partitionKey}/${r.rowKey}`),
      [
        `cam1_2026-11-21/${MIDNIGHT - 20_000}`,
        `cam1_2026-11-21/${MIDNIGHT - 10_000}`,
        `cam1_2026-11-22/${MIDNIGHT}`,
        `cam1_2026-11-22/${MIDNIGHT + 30_000}`,
        `cam1_2026-11-22/${MIDNIGHT + 40_000}`,
        `cam2_2026-11-21/${DAY1 + 3_600_000}`,
      ].sort(),
    );
    const gapRow = rows.find((r) => r.rowKey === String(MIDNIGHT + 30_000))!;
    assert.deepEqual(
      { ...gapRow, partitionKey: undefined, rowKey: undefined },
      {
        partitionKey: undefined,
        rowKey: undefined,
        cameraId: 'cam1',
        deviceId: 'dev1',
        start: '2026-11-22T00:00:30.000Z',
        startMs: MIDNIGHT + 30_000,
        durationMs: 10_000,
        bytes: 2048,
        blobName: 'cam1/2026/11/22/00/2026-11-22T00:00:30.000Z.ts',
        sha256: 'a'.repeat(64),
        eventId: `evt-cam1-${MIDNIGHT + 30_000}`,
      },
    );
    assert.equal(typeof gapRow.startMs, 'number', 'numbers come back as numbers (Edm.Double), not bigint');
    assert.doesNotThrow(() => JSON.stringify(rows));
  });

  it('is idempotent: the same batch twice leaves identical rows, and re-merging changes no rollup or camera row', async () => {
    const s = testSettings(azurite.connectionString);
    const deps = createDeps(s);
    await ingest(mixedBatch(), batchContext(), deps);
    const first = await allRows(s);
    const availability = TableClient.fromConnectionString(azurite.connectionString, s.tables.availability, { allowInsecureConnection: true });
    const cameras = TableClient.fromConnectionString(azurite.connectionString, s.tables.cameras, { allowInsecureConnection: true });
    const etagsBefore = [
      (await availability.getEntity('cam1', '2026-11-22')).etag,
      (await cameras.getEntity('cam1', 'camera')).etag,
    ];
    await ingest(mixedBatch(), batchContext(), deps);
    assert.deepEqual(await allRows(s), first);
    const etagsAfter = [
      (await availability.getEntity('cam1', '2026-11-22')).etag,
      (await cameras.getEntity('cam1', 'camera')).etag,
    ];
    assert.deepEqual(etagsAfter, etagsBefore, 'a replayed batch must not even rewrite the rollup and camera rows');
  });

  it('gives the same rows whatever the order: shuffled, split into batches, reversed', async () => {
    const a = testSettings(azurite.connectionString);
    await ingest(mixedBatch(), batchContext(), createDeps(a));
    const b = testSettings(azurite.connectionString);
    const depsB = createDeps(b);
    const batch = shuffled(mixedBatch());
    await ingest(batch.slice(3), batchContext(), depsB);
    await ingest(batch.slice(0, 3).reverse(), batchContext(), depsB);
    assert.deepEqual(await allRows(b), await allRows(a));
  });

  it('writes gap rows with their cause, the same whatever the order and however often delivered', async () => {
    const events = () => [
      viaEventGrid(segmentEvent({ startMs: DAY1 })),
      viaEventGrid(gapEvent({ startMs: DAY1 + 10_000, endMs: DAY1 + 30_000 })),
      viaEventGrid(segmentEvent({ startMs: DAY1 + 30_000 })),
      viaEventGrid(gapEvent({ startMs: DAY1 + 40_000, endMs: DAY1 + 50_000, cause: 'eviction' })),
      viaEventGrid(gapEvent({ startMs: DAY1 - 3 * DAY_MS, endMs: DAY1 - 5000, cause: 'agent-stopped' })), // days long
      viaEventGrid(gapEvent({ cameraId: 'cam2', startMs: DAY1, endMs: DAY1 + 1000, cause: 'agent-restart' }), { topic: 'keepwatch/dev1/events/cam2' }),
    ];
    const a = testSettings(azurite.connectionString);
    const depsA = createDeps(a);
    const summary = await ingest(events(), batchContext(), depsA);
    assert.deepEqual([summary.accepted, summary.deadLettered], [6, 0]);
    const rows = await tableRows(azurite.connectionString, a.tables.gaps);
    assert.deepEqual(
      rows.map((r) => [r.partitionKey, r.rowKey, r.start, r.end, r.cause, r.deviceId]),
      [
        ['cam1', String(DAY1 - 3 * DAY_MS), '2026-11-18T00:00:00.000Z', '2026-11-20T23:59:55.000Z', 'agent-stopped', 'dev1'],
        ['cam1', String(DAY1 + 10_000), '2026-11-21T00:00:10.000Z', '2026-11-21T00:00:30.000Z', 'camera-unavailable', 'dev1'],
        ['cam1', String(DAY1 + 40_000), '2026-11-21T00:00:40.000Z', '2026-11-21T00:00:50.000Z', 'eviction', 'dev1'],
        ['cam2', String(DAY1), '2026-11-21T00:00:00.000Z', '2026-11-21T00:00:01.000Z', 'agent-restart', 'dev1'],
      ],
    );
    // Duplicated, shuffled and split delivery gives identical rows.
    const b = testSettings(azurite.connectionString);
    const depsB = createDeps(b);
    const twice = shuffled([...events(), ...events()]);
    await ingest(twice.slice(0, 5), batchContext(), depsB);
    await ingest(twice.slice(5).reverse(), batchContext(), depsB);
    await ingest(twice.slice(2, 9), batchContext(), depsB);
    assert.deepEqual(await allRows(b), await allRows(a));
    // The index answers range queries, including a gap that began days before the range.
    assert.deepEqual(await depsA.gapIndex.listGaps('cam1', DAY1 - DAY_MS, DAY1 + 20_000), [
      { startMs: DAY1 - 3 * DAY_MS, endMs: DAY1 - 5000, cause: 'agent-stopped' },
      { startMs: DAY1 + 10_000, endMs: DAY1 + 30_000, cause: 'camera-unavailable' },
    ]);
    assert.deepEqual(await depsA.gapIndex.listGaps('cam1', DAY1 + 30_000, DAY1 + 40_000), [], 'a gap ending at the range start and one starting at its end do not overlap it');
    assert.deepEqual(await depsA.gapIndex.listGaps('cam9', 0, DAY1), []);
  });

  it('forwards diagnostics as camera.diagnostics integration events, once per event id; a bad kind is dead-lettered', async () => {
    const s = testSettings(azurite.connectionString);
    const deps = createDeps(s);
    const established = viaEventGrid(diagnosticsEvent({ id: 'diag-1', kind: 'session-established', video: 'h264 (Main), 1920x1080' }));
    const refused = viaEventGrid(diagnosticsEvent({ id: 'diag-2', kind: 'protocol-error', message: 'Connection refused' }));
    const bogus = viaEventGrid(diagnosticsEvent({ id: 'diag-3', kind: 'gremlins' }));
    const summary = await ingest([established, refused, established, bogus], batchContext(), deps);
    assert.deepEqual([summary.accepted, summary.deadLettered], [2, 1]);
    await ingest([refused], batchContext(), deps); // redelivered later
    const rows = await tableRows(azurite.connectionString, s.tables.events);
    assert.deepEqual(
      rows.map((r) => [r.id, r.type, r.subject]),
      [
        ['diag-1', 'camera.diagnostics', 'cam1'],
        ['diag-2', 'camera.diagnostics', 'cam1'],
      ],
    );
    assert.deepEqual(JSON.parse(String(rows[1].event)).data, { deviceId: 'dev1', cameraId: 'cam1', kind: 'protocol-error', message: 'Connection refused' });
    assert.equal((await tableRows(azurite.connectionString, s.tables.deadLetters))[0].reasonCode, 'InvalidEventData');
  });

  it('keeps the smaller event id when one batch reports a segment twice, in either order', async () => {
    const dup = [viaEventGrid(segmentEvent({ startMs: DAY1, id: 'evt-b', bytes: 7 })), viaEventGrid(segmentEvent({ startMs: DAY1, id: 'evt-a', bytes: 7 }))];
    for (const order of [dup, [...dup].reverse()]) {
      const s = testSettings(azurite.connectionString);
      await ingest(order, batchContext(), createDeps(s));
      const rows = await tableRows(azurite.connectionString, s.tables.segments);
      assert.equal(rows.length, 1);
      assert.deepEqual([rows[0].eventId, rows[0].bytes], ['evt-a', 7]);
    }
  });

  it('rolls availability up per camera and UTC day across midnight, keeping the gap', async () => {
    const s = testSettings(azurite.connectionString);
    const deps = createDeps(s);
    await ingest(mixedBatch(), batchContext(), deps);
    const rows = await tableRows(azurite.connectionString, s.tables.availability);
    assert.deepEqual(rows.map((r) => `${r.partitionKey}/${r.rowKey}:${r.rangeCount}:${r.recordedMs}`), [
      'cam1/2026-11-21:1:20000',
      'cam1/2026-11-22:2:30000',
      'cam2/2026-11-21:1:10000',
    ]);
    assert.deepEqual(await deps.availability.listRanges('cam1', DAY1, MIDNIGHT + DAY_MS), [
      { startMs: MIDNIGHT - 20_000, endMs: MIDNIGHT + 10_000 },
      { startMs: MIDNIGHT + 30_000, endMs: MIDNIGHT + 50_000 },
    ]);
    // Filling the gap later joins the ranges.
    await ingest([viaEventGrid(segmentEvent({ startMs: MIDNIGHT + 10_000, durationMs: 20_000 }))], batchContext(), deps);
    assert.deepEqual(await deps.availability.listRanges('cam1', DAY1, MIDNIGHT + DAY_MS), [{ startMs: MIDNIGHT - 20_000, endMs: MIDNIGHT + 50_000 }]);
  });

  it('keeps one camera row with first start, last end and device', async () => {
    const s = testSettings(azurite.connectionString);
    const deps = createDeps(s);
    await ingest(mixedBatch(), batchContext(), deps);
    assert.deepEqual(await deps.cameras.listCameras(), [
      { cameraId: 'cam1', deviceId: 'dev1', firstRecordedMs: MIDNIGHT - 20_000, lastRecordedMs: MIDNIGHT + 50_000 },
      { cameraId: 'cam2', deviceId: 'dev1', firstRecordedMs: DAY1 + 3_600_000, lastRecordedMs: DAY1 + 3_610_000 },
    ]);
    // An older segment widens `first` only; a newer one from another device moves `last` and the device.
    await ingest([viaEventGrid(segmentEvent({ startMs: DAY1 })), viaEventGrid(segmentEvent({ deviceId: 'dev2', startMs: MIDNIGHT + 3_600_000 }))], batchContext(), deps);
    assert.deepEqual(await deps.cameras.getCamera('cam1'), {
      cameraId: 'cam1',
      deviceId: 'dev2',
      firstRecordedMs: DAY1,
      lastRecordedMs: MIDNIGHT + 3_610_000,
    });
  });

  it('dead-letters poison events with the reason while the rest of the batch proceeds', async () => {
    const s = testSettings(azurite.connectionString);
    const deps = createDeps(s);
    const good1 = viaEventGrid(segmentEvent({ startMs: DAY1 }));
    const good2 = viaEventGrid(segmentEvent({ startMs: DAY1 + 10_000 }));
    const badBlob = segmentEvent({ startMs: DAY1 + 20_000 });
    (badBlob.data as Record<string, unknown>).blobName = 'cam1/x.ts';
    const batch = [
      good1,
      Buffer.from('{"specversion": "1.0", '), // malformed JSON
      viaEventGrid(segmentEvent({ startMs: DAY1 + 30_000 }), { topic: 'keepwatch/dev1/status' }), // the retained status topic: ignored, not an error
      viaEventGrid(segmentEvent({ startMs: DAY1 + 35_000 }), { topic: 'other/dev1/events/cam1' }), // wrong topic
      viaEventGrid(segmentEvent({ deviceId: 'dev2', startMs: DAY1 + 40_000 }), { topic: 'keepwatch/dev1/events/cam1' }), // impersonation
      viaEventGrid(badBlob),
      good2,
    ];
    const enqueued = batch.map((_, i) => `2026-11-21T10:00:0${i}.000Z`);
    const context = batchContext({
      enqueuedTimeUtcArray: enqueued,
      sequenceNumberArray: batch.map((_, i) => 500 + i),
      offsetArray: batch.map((_, i) => String(9000 + i)),
      partitionContext: { partitionId: '3', eventHubName: 'device-events', consumerGroup: 'functions' },
    });
    const summary = await ingest(batch, context, deps);
    assert.deepEqual(summary, { accepted: 2, deadLettered: 4, ignored: 1, evr: { evrCameras: 0, decisionsApplied: 0, recordingsAvailable: 0 }, pipelineStates: 0, pipelineCommandsResent: 0, healthEvents: 0, invocationId: context.invocationId });

    const segments = await tableRows(azurite.connectionString, s.tables.segments);
    assert.deepEqual(segments.map((r) => r.rowKey), [String(DAY1), String(DAY1 + 10_000)]);

    const letters = await tableRows(azurite.connectionString, s.tables.deadLetters);
    assert.deepEqual(
      letters.map((l) => [l.partitionKey, l.rowKey, l.reasonCode, l.sequenceNumber, l.offset, l.enqueuedTimeUtc, l.partitionId, l.invocationId]),
      [
        ['2026-11-21', 'p3-s00000000000000000501', 'InvalidJson', '501', '9001', enqueued[1], '3', context.invocationId],
        ['2026-11-21', 'p3-s00000000000000000503', 'InvalidTopic', '503', '9003', enqueued[3], '3', context.invocationId],
        ['2026-11-21', 'p3-s00000000000000000504', 'DeviceMismatch', '504', '9004', enqueued[4], '3', context.invocationId],
        ['2026-11-21', 'p3-s00000000000000000505', 'InvalidBlobName', '505', '9005', enqueued[5], '3', context.invocationId],
      ],
    );
    assert.equal(letters[0].payload, '{"specversion": "1.0", ');
    assert.match(String(letters[2].reasonMessage), /dev2.*dev1|does not match/);
    assert.equal(letters[2].deviceId, 'dev1');
    assert.equal(letters[3].eventId, `evt-cam1-${DAY1 + 20_000}`);
    assert.deepEqual(JSON.parse(String(letters[1].payload)).subject, 'other/dev1/events/cam1');
    assert.ok(context.logs.some((l) => l.level === 'information' && l.args[0] === 'ingest batch done'), 'one summary line');

    // A replay of the same batch rewrites the same dead-letter rows instead of adding new ones.
    await ingest(batch, batchContext(context.triggerMetadata), deps);
    assert.equal((await tableRows(azurite.connectionString, s.tables.deadLetters)).length, 4);
  });

  it('keeps at most 32 KiB of a huge poison payload, recording its real size', async () => {
    const s = testSettings(azurite.connectionString);
    const huge = `{${'x'.repeat(100_000)}`;
    await ingest([huge], batchContext(), createDeps(s));
    const [letter] = await tableRows(azurite.connectionString, s.tables.deadLetters);
    assert.equal(letter.reasonCode, 'InvalidJson');
    assert.equal(Buffer.byteLength(String(letter.payload)), 32 * 1024);
    assert.equal(letter.payloadTruncated, true);
    assert.equal(letter.payloadBytes, 100_001);
    assert.match(String(letter.rowKey), /^h[0-9a-f]{40}$/, 'without Event Hubs metadata the row is keyed by a hash');
  });

  it('throws (so the host replays the batch) when storage is unreachable, and writes nothing half-way', async () => {
    const s = testSettings(azurite.connectionString);
    const deps = createDeps(s);
    const unreachable = TableClient.fromConnectionString(
      azurite.connectionString.replace(`:${azurite.tablePort}/`, ':1/'),
      s.tables.segments,
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    await assert.rejects(
      ingest([viaEventGrid(segmentEvent({ startMs: DAY1 }))], batchContext(), { ...deps, segmentIndex: new TableSegmentIndex(unreachable) }),
      (e: unknown) => e instanceof TransientError,
    );
    assert.deepEqual(await tableRows(azurite.connectionString, s.tables.availability), [], 'rollup waits for the index');
    assert.deepEqual(await tableRows(azurite.connectionString, s.tables.cameras), []);
  });
});
