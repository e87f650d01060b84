import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assertCameraRejected, parsedCamera } from '../../../helpers/camera-config';
import { MOTION_SENSITIVITY_PRESETS } from '../../../../shared/schemas/motion-detection';

const config = parsedCamera;
const rejects = assertCameraRejected;

describe('agent config: camera motionDetection', () => {
  it('is off when absent; {} gives AVA defaults at 320 px, 5 fps', () => {
    assert.equal(config({}).motionDetection, undefined);
    const m = config({ motionDetection: {} }).motionDetection!;
    assert.equal(m.frameWidth, 320);
    assert.equal(m.frameRate, 5);
    assert.equal(m.params.eventAggregationWindowMs, 1000);
    assert.equal(m.params.pixelThreshold, MOTION_SENSITIVITY_PRESETS.medium.pixelThreshold);
  });

  it('takes the sensitivity, tunables, frame size and rate', () => {
    const m = config({ motionDetection: { sensitivity: 'High', pixelThreshold: 30, eventAggregationWindow: 'PT0S', frameWidth: 160, frameRate: 2 } }).motionDetection!;
    assert.deepEqual([m.frameWidth, m.frameRate, m.params.pixelThreshold, m.params.blurRadius, m.params.eventAggregationWindowMs], [160, 2, 30, MOTION_SENSITIVITY_PRESETS.high.blurRadius, 0]);
  });

  it('rejects bad values naming the key', () => {
    rejects({ motionDetection: { frameWidth: 640 } }, /cameras\[0\]\.motionDetection\.frameWidth/);
    rejects({ motionDetection: { frameWidth: 32 } }, /motionDetection\.frameWidth/);
    rejects({ motionDetection: { frameRate: 10 } }, /motionDetection\.frameRate/);
    rejects({ motionDetection: { frameRate: 2.5 } }, /motionDetection\.frameRate/);
    rejects({ motionDetection: { sensitivity: 'extreme' } }, /motionDetection\.sensitivity: expected low, medium or high/);
    rejects({ motionDetection: { eventAggregationWindow: 'PT1M' } }, /eventAggregationWindow: PT1M is outside PT0S\.\.PT10S/);
    rejects({ motionDetection: { colour: 1 } }, /unknown key 'colour' at cameras\[0\]\.motionDetection/);
  });
});
