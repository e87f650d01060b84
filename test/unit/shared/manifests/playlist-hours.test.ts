import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planPlaylistReads } from '../../../../shared/manifests/playlist-hours';

const HOUR = 3_600_000;
const H = Date.UTC(2026, 10, 21, 0);

describe('planPlaylistReads', () => {
  it('24 h ending inside the open hour: 24 manifests of closed hours, one scan of the open hour; the look-back hour has no row, so nothing in it', () => {
    const hours = Array.from({ length: 24 }, (_, i) => ({ hourStartMs: H + i * HOUR, dirty: false, version: 1 }));
    hours.push({ hourStartMs: H + 24 * HOUR, dirty: true, version: 0 });
    const plan = planPlaylistReads(H + 30 * 60_000, H + 24 * HOUR + 30 * 60_000, HOUR, hours, 0);
    assert.equal(plan.manifests.length, 24);
    assert.deepEqual(plan.scans, [{ startMs: H + 24 * HOUR, endMs: H + 25 * HOUR }]);
  });

  it('scans dirty hours and hours without a version, merging neighbours into one run; skips hours without a row', () => {
    const plan = planPlaylistReads(H + HOUR, H + 6 * HOUR, HOUR, [
      { hourStartMs: H, dirty: false, version: 3 },
      { hourStartMs: H + HOUR, dirty: true, version: 2 },
      { hourStartMs: H + 2 * HOUR, dirty: false, version: 0 },
      { hourStartMs: H + 3 * HOUR, dirty: false, version: 1 },
      { hourStartMs: H + 5 * HOUR, dirty: false, version: 1 },
    ], 0);
    assert.deepEqual(plan.manifests, [{ hourStartMs: H, version: 3 }, { hourStartMs: H + 3 * HOUR, version: 1 }, { hourStartMs: H + 5 * HOUR, version: 1 }]);
    assert.deepEqual(plan.scans, [{ startMs: H + HOUR, endMs: H + 3 * HOUR }]);
  });

  it("a clean hour whose row carries its manifest's spans needs no read; one without them reads its manifest", () => {
    const spans = [{ startMs: H + HOUR, durationMs: 10_000 }];
    const plan = planPlaylistReads(H + HOUR, H + 3 * HOUR, HOUR, [{ hourStartMs: H + HOUR, dirty: false, version: 2, spans }, { hourStartMs: H + 2 * HOUR, dirty: false, version: 1 }], 0);
    assert.deepEqual(plan, { fromRows: [{ hourStartMs: H + HOUR, spans }], manifests: [{ hourStartMs: H + 2 * HOUR, version: 1 }], scans: [] });
  });

  it('a camera without a tracking marker (indexed before manifests): every hour without a row is scanned, rows still used', () => {
    const spans = [{ startMs: H + 2 * HOUR, durationMs: 10_000 }];
    const plan = planPlaylistReads(H + HOUR, H + 5 * HOUR, HOUR, [{ hourStartMs: H + 2 * HOUR, dirty: false, version: 1, spans }], undefined);
    assert.deepEqual(plan, {
      fromRows: [{ hourStartMs: H + 2 * HOUR, spans }],
      manifests: [],
      scans: [{ startMs: H, endMs: H + 2 * HOUR }, { startMs: H + 3 * HOUR, endMs: H + 5 * HOUR }],
    });
  });

  it('hours without a row before the marker are scanned, at and after it they hold nothing', () => {
    const plan = planPlaylistReads(H + HOUR, H + 6 * HOUR, HOUR, [{ hourStartMs: H + 4 * HOUR, dirty: true, version: 0 }, { hourStartMs: H + HOUR, dirty: false, version: 2 }], H + 3 * HOUR);
    assert.deepEqual(plan.manifests, [{ hourStartMs: H + HOUR, version: 2 }]);
    assert.deepEqual(plan.scans, [{ startMs: H, endMs: H + HOUR }, { startMs: H + 2 * HOUR, endMs: H + 3 * HOUR }, { startMs: H + 4 * HOUR, endMs: H + 5 * HOUR }]);
  });

  it('a marker of 0 (backfilled): no hour without a row is read', () => {
    assert.deepEqual(planPlaylistReads(H + HOUR, H + 3 * HOUR, HOUR, [], 0), { fromRows: [], manifests: [], scans: [] });
  });

  it('an empty range reads nothing', () => {
    assert.deepEqual(planPlaylistReads(H, H, HOUR, [], undefined), { fromRows: [], manifests: [], scans: [] });
  });
});
