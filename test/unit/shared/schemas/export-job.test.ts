import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseExportJobBody } from '../../../../shared/schemas/export-job';

/** `code: message` of the ValidationError `fn` throws. */
function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof ValidationError, String(err));
    return `${err.code}: ${err.message}`;
  }
  assert.fail('accepted');
}

describe('parseExportJobBody', () => {
  it('takes a range (epoch ms UTC) or a recording id', () => {
    assert.deepEqual(parseExportJobBody({ cameraId: 'door', start: '2026-11-21T10:00:00Z', end: '2026-11-22T10:00:00Z' }), {
      cameraId: 'door',
      startMs: Date.UTC(2026, 10, 21, 10),
      endMs: Date.UTC(2026, 10, 22, 10),
    });
    assert.deepEqual(parseExportJobBody({ cameraId: 'door', recordingId: '1763719200000-0123456789ab' }), { cameraId: 'door', recordingId: '1763719200000-0123456789ab' });
  });

  it('refuses neither or both, unknown keys, bad ids and times, reversed ranges and ranges over 24 h', () => {
    assert.match(refusal(() => parseExportJobBody({ cameraId: 'door' })), /^InvalidExport: .*'start' and 'end'/);
    assert.match(refusal(() => parseExportJobBody({ cameraId: 'door', start: '2026-11-21T10:00:00Z', recordingId: '1763719200000-0123456789ab' })), /^InvalidExport: .*not both/);
    assert.match(refusal(() => parseExportJobBody({ cameraId: 'door', start: '2026-11-21T10:00:00Z', end: '2026-11-21T11:00:00Z', tz: 'UTC' })), /^InvalidExport: .*tz/);
    assert.match(refusal(() => parseExportJobBody({ cameraId: 'Door!', recordingId: '1763719200000-0123456789ab' })), /^InvalidExport: .*cameraId/);
    assert.match(refusal(() => parseExportJobBody({ cameraId: 'door', recordingId: 'x' })), /^InvalidExport: .*recordingId/);
    assert.match(refusal(() => parseExportJobBody({ cameraId: 'door', start: 'now', end: '2026-11-21T11:00:00Z' })), /^InvalidDateTime: /);
    assert.match(refusal(() => parseExportJobBody({ cameraId: 'door', start: '2026-11-21T11:00:00Z', end: '2026-11-21T10:00:00Z' })), /^InvalidRange: /);
    assert.match(refusal(() => parseExportJobBody({ cameraId: 'door', start: '2026-11-21T10:00:00Z', end: '2026-11-22T10:00:00.001Z' })), /^RangeTooLong: /);
    assert.match(refusal(() => parseExportJobBody([])), /^InvalidExport: /);
  });
});
