import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MotionAggregator } from '../../../../edge-agent/motion/motion-aggregator';

const box = { l: 0.1, t: 0.2, w: 0.3, h: 0.4 };
const m = (ptsMs: number) => ({ ptsMs, boxes: [box] });
const still = (ptsMs: number) => ({ ptsMs, boxes: [] });

describe('MotionAggregator (AVA eventAggregationWindow)', () => {
  it('turns motion frames within one window (from the first motion frame) into one signal', () => {
    const a = new MotionAggregator(1000, true);
    assert.deepEqual(a.push(still(0)), []);
    assert.deepEqual(a.push(m(200)), []);
    assert.deepEqual(a.push(m(400)), []);
    assert.deepEqual(a.push(still(600)), []);
    assert.deepEqual(a.push(still(1000)), []);
    assert.deepEqual(a.push(m(1200)), [{ atMs: 200, lastMs: 400, frames: 2, boxes: [box, box] }]);
    assert.deepEqual(a.flush(), [{ atMs: 1200, lastMs: 1200, frames: 1, boxes: [box] }]);
    assert.deepEqual(a.flush(), []);
  });

  it('with PT0S emits one signal per motion frame; without outputMotionRegion the boxes are left out', () => {
    const a = new MotionAggregator(0, false);
    assert.deepEqual(a.push(m(0)), [{ atMs: 0, lastMs: 0, frames: 1, boxes: [] }]);
    assert.deepEqual(a.push(still(200)), []);
    assert.deepEqual(a.push(m(400)), [{ atMs: 400, lastMs: 400, frames: 1, boxes: [] }]);
  });
});
