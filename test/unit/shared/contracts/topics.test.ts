import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { cameraEventsTopic, deviceStatusTopic, parseCameraEventsTopic } from '../../../../shared/contracts/topics';

describe('topics', () => {
  it('builds and parses camera event topics', () => {
    assert.equal(cameraEventsTopic('dev1', 'cam1'), 'keepwatch/dev1/events/cam1');
    assert.deepEqual(parseCameraEventsTopic('keepwatch/dev1/events/cam1'), { deviceId: 'dev1', cameraId: 'cam1' });
    assert.equal(deviceStatusTopic('dev1'), 'keepwatch/dev1/status');
  });

  it('rejects other topics', () => {
    for (const t of ['keepwatch/dev1/status', 'keepwatch/dev1/events/cam1/x', 'other/dev1/events/cam1', 'keepwatch/Dev1/events/cam1', 'keepwatch/dev1/events/../x', '']) {
      assert.equal(parseCameraEventsTopic(t), undefined, t);
    }
    assert.throws(() => cameraEventsTopic('dev1', 'a/b'), ValidationError);
  });
});
