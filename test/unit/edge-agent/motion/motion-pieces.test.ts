import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { boxBlur } from '../../../../edge-agent/motion/box-blur';
import { CELL_PX, changedRegions } from '../../../../edge-agent/motion/changed-regions';
import { matchExposure } from '../../../../edge-agent/motion/exposure-match';
import { rasterizeRegions } from '../../../../edge-agent/motion/region-mask';

const W = 80;
const H = 48;

function image(f: (x: number, y: number) => number, w = W, h = H): Float32Array {
  const a = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) a[y * w + x] = f(x, y);
  return a;
}

describe('boxBlur', () => {
  it('keeps a flat image flat and spreads one bright pixel over a (2r+1)² square', () => {
    assert.ok(boxBlur(image(() => 77), W, H, 2).every((v) => Math.abs(v - 77) < 1e-3));
    const dot = image((x, y) => (x === 40 && y === 20 ? 250 : 0));
    const b = boxBlur(dot, W, H, 2);
    assert.ok(Math.abs(b[20 * W + 40] - 10) < 1e-3); // 250 / 25
    assert.ok(Math.abs(b[22 * W + 42] - 10) < 1e-3);
    assert.equal(b[23 * W + 40], 0);
    assert.deepEqual(Array.from(boxBlur(dot, W, H, 0)), Array.from(dot));
  });
});

describe('rasterizeRegions', () => {
  it('counts the whole frame without zones, only zones when given, never masks', () => {
    assert.ok(rasterizeRegions(W, H, [], []).every((v) => v === 1));
    const leftHalf: Array<[number, number]> = [[0, 0], [0.5, 0], [0.5, 1], [0, 1]];
    const m = rasterizeRegions(W, H, [leftHalf], []);
    assert.equal(m[10 * W + 39], 1);
    assert.equal(m[10 * W + 40], 0);
    const topLeftMask: Array<[number, number]> = [[0, 0], [0.25, 0], [0.25, 0.5], [0, 0.5]];
    const zm = rasterizeRegions(W, H, [leftHalf], [topLeftMask]);
    assert.equal(zm[5 * W + 5], 0);
    assert.equal(zm[30 * W + 5], 1);
    assert.equal(zm[5 * W + 30], 1);
    const sum = (a: Uint8Array) => a.reduce((s, v) => s + v, 0);
    assert.equal(sum(zm), (W * H) / 2 - (W * H) / 8);
  });

  it('follows a non-rectangular polygon (triangle: half of its bounding square)', () => {
    const tri: Array<[number, number]> = [[0, 0], [1, 0], [0, 1]];
    const m = rasterizeRegions(100, 100, [tri], []);
    assert.equal(m[10 * 100 + 10], 1);
    assert.equal(m[90 * 100 + 90], 0);
    assert.ok(Math.abs(m.reduce((s, v) => s + v, 0) - 5000) <= 100);
  });
});

describe('changedRegions', () => {
  const changed = (f: (x: number, y: number) => boolean) => Uint8Array.from(image((x, y) => (f(x, y) ? 1 : 0)));

  it('boxes a changed block in normalised l, t, w, h on the cell grid', () => {
    const boxes = changedRegions(changed((x, y) => x >= 16 && x < 32 && y >= 8 && y < 24), W, H, 0.01);
    assert.deepEqual(boxes, [{ l: 16 / W, t: 8 / H, w: 16 / W, h: 16 / H }]);
  });

  it('ignores scattered noise pixels and regions below the minimum area, and sorts regions largest first', () => {
    assert.deepEqual(changedRegions(changed((x, y) => (x * 7 + y * 13) % 11 === 0), W, H, 0.001), []);
    const small = changed((x, y) => x < CELL_PX && y < CELL_PX); // 64 px = 1.7 % of 3840
    assert.equal(changedRegions(small, W, H, 0.02).length, 0);
    assert.equal(changedRegions(small, W, H, 0.01).length, 1);
    const two = changedRegions(changed((x, y) => (x < 8 && y < 8) || (x >= 48 && x < 72 && y >= 24 && y < 40)), W, H, 0.001);
    assert.equal(two.length, 2);
    assert.ok(two[0].w > two[1].w);
  });
});

describe('matchExposure', () => {
  it('re-lights the background to a darker, gamma-changed exposure and leaves a moving object standing out', () => {
    const bg = image((x, y) => 20 + ((x + y) * 200) / (W + H));
    const darker = (v: number) => 255 * Math.pow(v / 255, 1.4) * 0.6;
    const frame = image((x, y) => (x >= 60 && y < 10 ? 250 : darker(bg[y * W + x])));
    const relit = matchExposure(frame, bg);
    let worst = 0;
    for (let i = 0; i < frame.length; i++) {
      const x = i % W;
      const y = Math.floor(i / W);
      if (!(x >= 60 && y < 10)) worst = Math.max(worst, Math.abs(relit[i] - frame[i]));
    }
    assert.ok(worst < 8, `background off by ${worst} grey levels after matching`);
    assert.ok(frame[5 * W + 70] - relit[5 * W + 70] > 100, 'the object still differs');
  });
});
