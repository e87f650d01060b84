import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseShareBody, SHARE_DEFAULT_EXPIRES_IN_MS } from '../../../../shared/schemas/share';

const START = '2026-11-21T10:00:00Z';
const END = '2026-11-21T10:05:00Z';

function rejects(input: unknown, code: string, pattern?: RegExp): void {
  assert.throws(() => parseShareBody(input), (e: unknown) => e instanceof ValidationError && e.code === code && (!pattern || pattern.test(e.message)));
}

describe('share body', () => {
  it('parses the range, expiresIn (default PT24H) and label', () => {
    assert.deepEqual(parseShareBody({ start: START, end: END }), { startMs: Date.UTC(2026, 10, 21, 10), endMs: Date.UTC(2026, 10, 21, 10, 5), expiresInMs: SHARE_DEFAULT_EXPIRES_IN_MS });
    assert.deepEqual(parseShareBody({ start: START, end: END, expiresIn: 'P7D', label: 'insurer' }), {
      startMs: Date.UTC(2026, 10, 21, 10),
      endMs: Date.UTC(2026, 10, 21, 10, 5),
      expiresInMs: 7 * 86_400_000,
      label: 'insurer',
    });
    assert.equal(parseShareBody({ start: START, end: END, expiresIn: 'PT1M' }).expiresInMs, 60_000);
  });

  it('refuses a bad shape, range, or lifetime, naming what is wrong', () => {
    rejects({ start: START }, 'InvalidShare', /end/);
    rejects({ start: START, end: END, colour: 'red' }, 'InvalidShare', /colour/);
    rejects({ start: 'yesterday', end: END }, 'InvalidDateTime', /start/);
    rejects({ start: END, end: START }, 'InvalidRange');
    rejects({ start: START, end: '2026-11-22T10:00:01Z' }, 'RangeTooLong');
    rejects({ start: START, end: END, expiresIn: 'P8D' }, 'InvalidDuration', /P7D/);
    rejects({ start: START, end: END, expiresIn: 'PT59S' }, 'InvalidDuration', /PT1M/);
    rejects({ start: START, end: END, expiresIn: 'soon' }, 'InvalidDuration');
    rejects({ start: START, end: END, label: 'x'.repeat(257) }, 'InvalidShare', /label/);
  });
});
