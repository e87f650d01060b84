import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { assertTimeZone, exportFileName } from '../../../../shared/export/export-file-name';

const T = Date.UTC(2026, 10, 21, 10, 0, 0, 250);

describe('exportFileName', () => {
  it('UTC by default, to the second, with the ISO 8601 duration', () => {
    assert.equal(exportFileName('cam1', T, 30_000), 'cam1_2026-11-21T10-00-00Z_PT30S.mp4');
    assert.equal(exportFileName('door-2', T, 3_600_000), 'door-2_2026-11-21T10-00-00Z_PT1H.mp4');
  });

  it('local time with the offset of the zone at that instant', () => {
    assert.equal(exportFileName('cam1', T, 30_000, 'Europe/Berlin'), 'cam1_2026-11-21T11-00-00+01-00_PT30S.mp4');
    assert.equal(exportFileName('cam1', Date.UTC(2026, 6, 1, 10), 30_000, 'Europe/Berlin'), 'cam1_2026-07-01T12-00-00+02-00_PT30S.mp4', 'summer time');
    assert.equal(exportFileName('cam1', T, 30_000, 'America/St_Johns'), 'cam1_2026-11-21T06-30-00-03-30_PT30S.mp4');
    assert.equal(exportFileName('cam1', T, 30_000, 'UTC'), 'cam1_2026-11-21T10-00-00+00-00_PT30S.mp4');
    assert.equal(exportFileName('cam1', Date.UTC(2026, 10, 21, 23, 30), 30_000, 'Asia/Tokyo'), 'cam1_2026-11-22T08-30-00+09-00_PT30S.mp4', 'next local day');
  });
});

describe('assertTimeZone', () => {
  it('accepts IANA zones and refuses anything else, naming tz', () => {
    assert.equal(assertTimeZone('Europe/Berlin'), 'Europe/Berlin');
    for (const bad of ['Mars/Olympus', 'Europe/Berlin; rm -rf', '../etc']) {
      assert.throws(() => assertTimeZone(bad), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidTimeZone' && /'tz'/.test(e.message), bad);
    }
  });
});
