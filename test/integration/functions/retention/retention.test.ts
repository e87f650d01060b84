import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { segmentBlobName } from '../../../../shared/contracts/blob-naming';
import type { FunctionsDeps } from '../../../../functions/deps';
import { retention, RETENTION_COMPLETED } from '../../../../functions/retention/retention';
import type { FunctionsSettings } from '../../../../functions/settings';
import { DAY_MS, MINUTE_MS, startOfUtcDay } from '../../../../shared/time';
import { mergeRanges, overlaps, type TimeRange } from '../../../../shared/time-ranges';
import { startAzurite, type AzuriteInstance } from '../../../helpers/azurite';
import { batchContext, seedIndexedArchive, tableRows } from '../../../helpers/functions-fixtures';

const MIB = 1024 * 1024;
/**
 * Size of each seeded segment: its blob is stored at this size, since ingest indexes what storage holds
 * (functions/ingest/ingest-device-claims.ts); small, so two 10-day archives fit an in-memory Azurite.
 */
const SEGMENT_BYTES = 16 * 1024;
/** 10 days of 15-minute segments from 00:05 UTC (so one segment crosses every midnight), SEGMENT_BYTES each. */
const ARCHIVE_START = Date.UTC(2026, 10, 1, 0, 5);
const SEGMENT_MS = 15 * MINUTE_MS;
const SEGMENTS_PER_CAMERA = 10 * 96;
/** The runs' clock: the end of the seeded archive. */
const NOW = ARCHIVE_START + SEGMENTS_PER_CAMERA * SEGMENT_MS;

/** cam-a: default policy (P7D) and a hold inside the expired days; cam-b: P9D, a 5 MiB cap, a hold where the cap would cut. */
const HOLD_A = { startMs: ARCHIVE_START + 1 * DAY_MS + 7 * MINUTE_MS, endMs: ARCHIVE_START + 1 * DAY_MS + 2 * 60 * MINUTE_MS };
const HOLD_B = { startMs: NOW - 4 * DAY_MS, endMs: NOW - 4 * DAY_MS + 30 * MINUTE_MS };
const CAP_B_MIB = 5;

interface Seg {
  cameraId: string;
  startMs: number;
  durationMs: number;
  bytes: number;
}

function seeded(cameraId: string): Seg[] {
  return Array.from({ length: SEGMENTS_PER_CAMERA }, (_, i) => ({ cameraId, startMs: ARCHIVE_START + i * SEGMENT_MS, durationMs: SEGMENT_MS, bytes: SEGMENT_BYTES }));
}
const endOf = (s: Seg) => s.startMs + s.durationMs;
const heldBy = (hold: TimeRange) => (s: Seg) => overlaps({ startMs: s.startMs, endMs: endOf(s) }, hold);

/** The expected survivors, computed here directly from the rules (not with shared/retention/plan-retention.ts). */
function expectedRemaining(): { a: Seg[]; b: Seg[]; ageDeleted: number; sizeDeleted: number } {
  const a = seeded('cam-a').filter((s) => endOf(s) > NOW - 7 * DAY_MS || heldBy(HOLD_A)(s));
  const afterAge = seeded('cam-b').filter((s) => endOf(s) > NOW - 9 * DAY_MS || heldBy(HOLD_B)(s));
  let bytes = afterAge.length * SEGMENT_BYTES;
  const b: Seg[] = [];
  let sizeDeleted = 0;
  for (const s of afterAge) {
    if (bytes > CAP_B_MIB * MIB && !heldBy(HOLD_B)(s)) {
      bytes -= s.bytes;
      sizeDeleted++;
    } else b.push(s);
  }
  const ageDeleted = 2 * SEGMENTS_PER_CAMERA - a.length - afterAge.length;
  return { a, b, ageDeleted, sizeDeleted };
}

describe('retention on Azurite: 10-day archives of 2 cameras', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  /** Fresh tables and container; blobs uploaded, then index, rollup and camera rows through the real ingest handler. */
  async function seed(): Promise<{ s: FunctionsSettings; deps: FunctionsDeps }> {
    const { s, deps } = await seedIndexedArchive(azurite.connectionString, NOW, [...seeded('cam-a'), ...seeded('cam-b')]);
    await deps.policies.put('cam-b', { retention: { archive: 'P9D', maximumSizeMiB: CAP_B_MIB } }, { nowMs: NOW });
    await deps.holds.create({ id: 'hold-a', cameraId: 'cam-a', ...HOLD_A, reason: 'incident', createdAtMs: NOW });
    await deps.holds.create({ id: 'hold-b', cameraId: 'cam-b', ...HOLD_B, createdAtMs: NOW });
    return { s, deps };
  }

  async function blobNames(s: FunctionsSettings): Promise<string[]> {
    const names: string[] = [];
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(s.recordingsContainer);
    for await (const b of container.listBlobsFlat()) names.push(b.name);
    return names.sort();
  }

  /** Everything retention may touch, comparable across two seeded copies. */
  async function state(s: FunctionsSettings) {
    return {
      blobs: await blobNames(s),
      segments: await tableRows(azurite.connectionString, s.tables.segments),
      availability: await tableRows(azurite.connectionString, s.tables.availability),
      cameras: await tableRows(azurite.connectionString, s.tables.cameras),
      journal: await tableRows(azurite.connectionString, s.tables.retention),
    };
  }

  const names = (segs: Seg[]) => segs.map((g) => segmentBlobName(g.cameraId, g.startMs)).sort();

  it('one run deletes exactly the expired and over-cap segments, keeps held ones, rewrites the rollup and first recorded', async () => {
    const { s, deps } = await seed();
    const want = expectedRemaining();
    assert.ok(want.a.some(heldBy(HOLD_A)) && want.a.some((g) => endOf(g) <= NOW - 7 * DAY_MS), 'the hold on cam-a protects expired segments');
    assert.ok(want.sizeDeleted > 0 && want.b.some((g) => heldBy(HOLD_B)(g)), 'the cap cuts cam-b around its hold');

    const context = batchContext();
    const summary = await retention(undefined, context, deps);
    assert.deepEqual(summary.failed, []);
    assert.equal(summary.cameras, 2);
    assert.equal(summary.byCause.age.segments, want.ageDeleted);
    assert.equal(summary.byCause.size.segments, want.sizeDeleted);
    assert.equal(summary.segmentsDeleted, want.ageDeleted + want.sizeDeleted);
    assert.equal(summary.bytesDeleted, (want.ageDeleted + want.sizeDeleted) * SEGMENT_BYTES);
    assert.deepEqual(summary.sizeCapUnmet, []);
    assert.ok(summary.held > 0);

    const after = await state(s);
    assert.deepEqual(after.blobs, names([...want.a, ...want.b]), 'exactly the expected blobs remain');
    assert.deepEqual(
      after.segments.map((r) => `${r.cameraId}/${r.startMs}`).sort(),
      [...want.a, ...want.b].map((g) => `${g.cameraId}/${g.startMs}`).sort(),
      'exactly the expected index rows remain',
    );
    const capB = want.b.reduce((sum, g) => sum + g.bytes, 0);
    assert.ok(capB <= CAP_B_MIB * MIB, `cam-b keeps ${capB / MIB} MiB ≤ ${CAP_B_MIB} MiB`);
    assert.deepEqual(after.journal, [], 'the journal is cleared');

    for (const [cameraId, kept] of [['cam-a', want.a], ['cam-b', want.b]] as const) {
      // The rollup shows exactly the remaining time, and has no row for a day left empty.
      const spans = kept.map((g) => ({ startMs: g.startMs, endMs: endOf(g) }));
      assert.deepEqual(await deps.availability.listRanges(cameraId, ARCHIVE_START - DAY_MS, NOW + DAY_MS), mergeRanges(spans), `${cameraId} rollup`);
      const days = new Set(spans.flatMap((r) => [startOfUtcDay(r.startMs), startOfUtcDay(r.endMs - 1)]).map((d) => new Date(d).toISOString().slice(0, 10)));
      assert.deepEqual(after.availability.filter((r) => r.partitionKey === cameraId).map((r) => r.rowKey), [...days].sort(), `${cameraId} rollup day rows`);
      const camera = await deps.cameras.getCamera(cameraId);
      assert.equal(camera?.firstRecordedMs, kept[0].startMs, `${cameraId} first recorded moved to its earliest remaining segment`);
      assert.equal(camera?.lastRecordedMs, NOW);
    }

    // Ingest's archive lifecycle events of the seeded cameras are in the table too (docs/events.md "Archive lifecycle").
    const events = (await tableRows(azurite.connectionString, s.tables.events)).filter((r) => r.type === RETENTION_COMPLETED);
    assert.equal(events.length, 1);
    assert.equal(events[0].type, RETENTION_COMPLETED);
    const event = JSON.parse(String(events[0].event)) as { data: { segmentsDeleted: number; durationMs: number } };
    assert.equal(event.data.segmentsDeleted, summary.segmentsDeleted);
    const logged = context.logs.find((l) => l.args[0] === 'retention run done');
    assert.ok(logged, 'the summary is logged');

    const again = await retention(undefined, batchContext(), deps);
    assert.equal(again.segmentsDeleted, 0, 'a second run finds nothing to delete');
    assert.deepEqual(await state(s), after, 'and changes nothing');

    await deps.holds.remove('cam-a', 'hold-a');
    const released = await retention(undefined, batchContext(), deps);
    assert.equal(released.byCause.age.segments, want.a.filter((g) => endOf(g) <= NOW - 7 * DAY_MS).length, 'deleting the hold releases its segments');
  });

  it('a run killed after its blob deletes, then run again, ends in the state of one clean run', async () => {
    const clean = await seed();
    const crashed = await seed();
    await retention(undefined, batchContext(), clean.deps, { stepSegments: 100 });

    const crashes: string[] = [];
    const first = await retention(undefined, batchContext(), crashed.deps, {
      stepSegments: 100,
      hooks: {
        afterBlobDeletes: (cameraId, step) => {
          if (step === 1) {
            crashes.push(cameraId);
            throw new Error(`simulated crash of ${cameraId} after the blob deletes of step ${step}`);
          }
        },
      },
    });
    assert.deepEqual(crashes, ['cam-a', 'cam-b']);
    assert.deepEqual(first.failed.map((f) => f.cameraId), ['cam-a', 'cam-b']);
    const midway = await state(crashed.s);
    assert.equal(midway.journal.length, 2, 'each camera left a journal row');
    // Index rows of step 1 still point at deleted blobs until the next run.
    const dangling = midway.segments.filter((r) => !midway.blobs.includes(String(r.blobName)));
    assert.ok(dangling.length > 0 && dangling.length <= 200, `dangling rows: ${dangling.length}`);

    const second = await retention(undefined, batchContext(), crashed.deps, { stepSegments: 100 });
    assert.deepEqual(second.failed, []);
    assert.equal(second.resumed, 200, 'the journalled steps were finished');
    const [a, b] = [await state(clean.s), await state(crashed.s)];
    assert.deepEqual(b, a, 'same blobs, index rows, rollup rows, camera rows; no journal');
    assert.ok(b.segments.every((r) => b.blobs.includes(String(r.blobName))), 'no index row points at a deleted blob');
  });

  it('a run killed with SIGKILL right after deleting blobs, then run again, ends in the state of one clean run', async () => {
    const clean = await seed();
    const killed = await seed();
    await retention(undefined, batchContext(), clean.deps, { stepSegments: 100 });

    const child = spawn(process.execPath, [path.join(__dirname, '../../../helpers/retention-run-child.js')], {
      env: { ...process.env, KEEPWATCH_RETENTION_CHILD: JSON.stringify({ settings: killed.s, nowMs: NOW, stepSegments: 100, killAfterBlobDeletesOfStep: 1 }) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const said = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      child.once('exit', (code) => reject(new Error(`child exited (${code}) before the blob deletes: ${out}`)));
    });
    assert.equal(said, 'blobs-deleted cam-a 1');
    const exited = new Promise((r) => child.once('exit', (_code, signal) => r(signal)));
    child.kill('SIGKILL');
    assert.equal(await exited, 'SIGKILL');

    const midway = await state(killed.s);
    assert.equal(midway.journal.length, 1, 'cam-a left its journal row');
    assert.ok(midway.segments.some((r) => !midway.blobs.includes(String(r.blobName))), 'rows of step 1 point at deleted blobs');
    const rerun = await retention(undefined, batchContext(), killed.deps, { stepSegments: 100 });
    assert.deepEqual(rerun.failed, []);
    assert.equal(rerun.resumed, 100);
    assert.deepEqual(await state(killed.s), await state(clean.s), 'same blobs, index rows, rollup rows, camera rows; no journal');
  });

  it('the next run finishes a crashed pass from its journal even when the policy changed meanwhile', async () => {
    const { s, deps } = await seed();
    const first = await retention(undefined, batchContext(), deps, {
      stepSegments: 100,
      hooks: {
        afterBlobDeletes: (cameraId, step) => {
          if (cameraId === 'cam-a' && step === 2) throw new Error('simulated crash after blob deletes');
        },
        beforeRollupRewrite: (cameraId) => {
          if (cameraId === 'cam-b') throw new Error('simulated crash before the rollup rewrite');
        },
      },
    });
    assert.deepEqual(first.failed.map((f) => f.cameraId), ['cam-a', 'cam-b']);
    // Longer retention now: a re-plan alone would no longer pick the journalled segments or days.
    await deps.policies.put('cam-a', { retention: { archive: 'P3650D' } }, { nowMs: NOW });
    await deps.policies.put('cam-b', { retention: { archive: 'P3650D' } }, { nowMs: NOW });
    const midway = await state(s);
    assert.ok(midway.segments.some((r) => !midway.blobs.includes(String(r.blobName))), 'cam-a has rows pointing at deleted blobs');
    const staleB = await deps.availability.listRanges('cam-b', ARCHIVE_START - DAY_MS, NOW + DAY_MS);
    assert.equal(staleB[0].startMs, ARCHIVE_START, 'cam-b rollup still shows deleted time');

    const second = await retention(undefined, batchContext(), deps);
    assert.deepEqual(second.failed, []);
    assert.equal(second.segmentsDeleted, 0, 'the new policies expire nothing');
    const deletedA = SEGMENTS_PER_CAMERA - expectedRemaining().a.length;
    const deletedB = SEGMENTS_PER_CAMERA - expectedRemaining().b.length;
    assert.ok(deletedA > 200 && deletedA < 300);
    // cam-a: its step 2 (the segments from 200 on); cam-b: its last step again (rows already gone: idempotent).
    assert.equal(second.resumed, deletedA - 200 + (deletedB % 100 || 100), 'the journalled steps were finished');
    const done = await state(s);
    assert.ok(done.segments.every((r) => done.blobs.includes(String(r.blobName))), 'no index row points at a deleted blob');
    assert.deepEqual(done.journal, []);
    for (const cameraId of ['cam-a', 'cam-b']) {
      const rows = done.segments.filter((r) => r.cameraId === cameraId).map((r) => ({ startMs: Number(r.startMs), endMs: Number(r.startMs) + Number(r.durationMs) }));
      assert.deepEqual(await deps.availability.listRanges(cameraId, ARCHIVE_START - DAY_MS, NOW + DAY_MS), mergeRanges(rows), `${cameraId} rollup shows only what remains`);
      assert.equal((await deps.cameras.getCamera(cameraId))?.firstRecordedMs, Math.min(...rows.map((r) => r.startMs)), `${cameraId} first recorded`);
    }
  });
});
