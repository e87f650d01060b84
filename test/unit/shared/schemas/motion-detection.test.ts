import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { MOTION_SENSITIVITY_PRESETS, parseMotionSettings } from '../../../../shared/schemas/motion-detection';

function rejects(doc: unknown, pattern: RegExp): void {
  assert.throws(() => parseMotionSettings(doc, "camera 'door-1' motion"), (e: unknown) => e instanceof ValidationError && pattern.test(e.message));
}

describe('motion detection settings (shared/schemas/motion-detection.ts)', () => {
  it('defaults to AVA medium, PT1S aggregation, boxes on, whole frame', () => {
    assert.deepEqual(parseMotionSettings({}), {
      ...MOTION_SENSITIVITY_PRESETS.medium,
      eventAggregationWindowMs: 1000,
      outputMotionRegion: true,
      zones: [],
      masks: [],
    });
  });

  it('maps each sensitivity to its tunables (case as AVA/LVA write it) and lets each be set directly', () => {
    assert.equal(parseMotionSettings({ sensitivity: 'High' }).pixelThreshold, MOTION_SENSITIVITY_PRESETS.high.pixelThreshold);
    assert.ok(MOTION_SENSITIVITY_PRESETS.low.pixelThreshold > MOTION_SENSITIVITY_PRESETS.medium.pixelThreshold);
    assert.ok(MOTION_SENSITIVITY_PRESETS.medium.minimumChangedArea > MOTION_SENSITIVITY_PRESETS.high.minimumChangedArea);
    const p = parseMotionSettings({ sensitivity: 'low', pixelThreshold: 12, minimumChangedArea: 0.05, eventAggregationWindow: 'PT0S' });
    assert.equal(p.pixelThreshold, 12);
    assert.equal(p.minimumChangedArea, 0.05);
    assert.equal(p.blurRadius, MOTION_SENSITIVITY_PRESETS.low.blurRadius);
    assert.equal(p.eventAggregationWindowMs, 0);
  });

  it('names the key of every bad value', () => {
    rejects({ sensitivity: 'extreme' }, /camera 'door-1' motion: sensitivity: expected low, medium or high/);
    rejects({ eventAggregationWindow: 'PT11S' }, /eventAggregationWindow: PT11S is outside PT0S\.\.PT10S/);
    rejects({ eventAggregationWindow: '1s' }, /eventAggregationWindow: "1s" is not an ISO 8601 duration/);
    rejects({ pixelThreshold: 0 }, /pixelThreshold/);
    rejects({ minimumChangedArea: 0 }, /minimumChangedArea/);
    rejects({ zones: [[[0, 0], [1, 1]]] }, /zones\[0\]: expected a polygon of at least 3/);
    rejects({ masks: [[[0, 0], [1.2, 0], [0, 1]]] }, /masks\[0\]\[1\]\[0\]/);
    rejects({ outputMotionRegion: 'true' }, /outputMotionRegion/);
    rejects({ threshold: 3 }, /unknown key 'threshold'/);
  });
});
