import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gapsInWindow, snapToAvailable } from '../../../shared/snap-range';

const H = 3_600_000;
const D = Date.UTC(2026, 10, 21);
const at = (h: number) => D + h * H;
const r = (a: number, b: number) => ({ startMs: at(a), endMs: at(b) });

describe('snapToAvailable (AVA: range partly in a gap → snapped to the available boundary)', () => {
  it("AVA's example: 10:00–13:00 with a 04:00–12:00 hole starts at 12:00", () => {
    assert.deepEqual(snapToAvailable(r(10, 13), [r(0, 4), r(12, 20)]), r(12, 13));
  });

  it('snaps an end that lies in a gap back to the end of the media', () => {
    assert.deepEqual(snapToAvailable(r(10, 13), [r(8, 11)]), r(10, 11));
  });

  it('snaps both edges and keeps inner gaps inside the window', () => {
    assert.deepEqual(snapToAvailable(r(1, 23), [r(2, 5), r(8, 9), r(15, 22)]), r(2, 22));
  });

  it('keeps edges that lie inside media, even when the ranges reach past them', () => {
    assert.deepEqual(snapToAvailable(r(10, 11), [r(0, 24)]), r(10, 11));
  });

  it('returns undefined for a window wholly inside a gap, or no media at all', () => {
    assert.equal(snapToAvailable(r(5, 7), [r(0, 4), r(12, 20)]), undefined);
    assert.equal(snapToAvailable(r(4, 12), [r(0, 4), r(12, 20)]), undefined, 'half-open: touching ranges do not overlap');
    assert.equal(snapToAvailable(r(5, 7), []), undefined);
  });
});

describe('gapsInWindow', () => {
  it('lists leading, inner and trailing gaps inside the window', () => {
    assert.deepEqual(gapsInWindow(r(1, 23), [r(2, 5), r(8, 9), r(15, 22)]), [r(1, 2), r(5, 8), r(9, 15), r(22, 23)]);
  });

  it('is empty when media covers the window, and the whole window when nothing does', () => {
    assert.deepEqual(gapsInWindow(r(3, 4), [r(2, 5)]), []);
    assert.deepEqual(gapsInWindow(r(3, 4), [r(5, 6)]), [r(3, 4)]);
  });
});
