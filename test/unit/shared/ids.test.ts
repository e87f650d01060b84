import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../shared/errors';
import { assertId, isValidId } from '../../../shared/ids';

describe('ids', () => {
  it('accepts 1..32 of [a-z0-9-] and nothing else', () => {
    for (const ok of ['a', 'cam-1', '0', 'a'.repeat(32)]) assert.equal(isValidId(ok), true, ok);
    for (const bad of ['', 'A', 'a'.repeat(33), '../x', 'a/b', 'a.b', 'a_b', 'a b', '#', 42, undefined]) assert.equal(isValidId(bad), false, String(bad));
  });

  it('assertId names kind and value, shortens long values, and has a kind-specific code', () => {
    assert.throws(() => assertId('camera', '../x'), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidCameraId' && e.message.includes('"../x"'));
    assert.throws(
      () => assertId('camera', 'x'.repeat(200)),
      (e: unknown) => e instanceof ValidationError && e.message.includes(`"${'x'.repeat(40)}…"`) && !e.message.includes('x'.repeat(41)),
    );
    assert.throws(() => assertId('device', ''), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidDeviceId');
    assert.equal(assertId('camera', 'cam1'), 'cam1');
  });
});
