import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { fileNamePatternProblems, renderFileName } from '../../../../shared/schemas/file-name-pattern';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 3, 123);

describe('file sink fileNamePattern', () => {
  it("renders AVA's System.Runtime.DateTime (yyyyMMddTHHmmssZ), PreciseDateTime, camera and recording ids, and appends .mp4", () => {
    const v = { startMs: T0, cameraId: 'door', recordingId: '1795276431626-3f2a9c0d1b4e' };
    assert.equal(renderFileName('evr-${cameraId}-${System.Runtime.DateTime}', v), 'evr-door-20261121T100003Z.mp4');
    assert.equal(renderFileName('${System.Runtime.PreciseDateTime}.mp4', v), '20261121T100003.123Z.mp4');
    assert.equal(renderFileName('${recordingId}', v), '1795276431626-3f2a9c0d1b4e.mp4');
  });

  it('refuses unknown variables, patterns without a variable and path separators, naming them', () => {
    assert.match(fileNamePatternProblems('x-${System.TopologyName}').join(), /unknown variable \$\{System\.TopologyName\}/);
    assert.match(fileNamePatternProblems('clip').join(), /uses no variable/);
    assert.match(fileNamePatternProblems('../${cameraId}').join(), /without '\/'/);
    assert.deepEqual(fileNamePatternProblems('a-${cameraId}'), []);
    assert.throws(() => renderFileName('x', { startMs: T0, cameraId: 'a', recordingId: 'b' }), ValidationError);
  });
});
