import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { healthProvisioning } from '../../../../functions/health/device-provisioning';
import type { DeviceRecord } from '../../../../functions/adapters/table/table-device-store';

const device = (cameras: string[], disabled = false): DeviceRecord => ({ deviceId: 'site-1', secretSha256: 'a'.repeat(64), cameras, createdAtMs: 0, secretSetAtMs: 0, disabled });

describe('healthProvisioning', () => {
  it('a device never provisioned speaks for every camera it reports, none disabled', () => {
    const p = healthProvisioning(undefined);
    assert.deepEqual([p.owns('door'), p.disabled('door')], [true, false]);
  });

  it('a provisioned device owns its cameras only; another camera is disabled for it', () => {
    const p = healthProvisioning(device(['door']));
    assert.deepEqual([p.owns('door'), p.disabled('door'), p.owns('yard'), p.disabled('yard')], [true, false, false, true]);
  });

  it('a revoked device owns nothing and its cameras are disabled', () => {
    const p = healthProvisioning(device(['door'], true));
    assert.deepEqual([p.owns('door'), p.disabled('door')], [false, true]);
  });

  it('a camera whose live pipelines are all deactivated is disabled; one that another pipeline records is not', () => {
    const p = healthProvisioning(device(['door', 'yard', 'gate']), [
      { state: 'inactive', cameraIds: ['door'] },
      { state: 'deactivating', cameraIds: ['yard'] },
      { state: 'inactive', cameraIds: ['gate'] },
      { state: 'active', cameraIds: ['gate'] },
    ]);
    assert.deepEqual([p.disabled('door'), p.disabled('yard'), p.disabled('gate')], [true, true, false]);
    assert.equal(p.owns('door'), true, 'it still speaks for it (its status may still list it while it stops)');
    assert.equal(healthProvisioning(undefined, [{ state: 'inactive', cameraIds: ['door'] }]).disabled('door'), true);
  });
});
