import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseMediaErasureQuery } from '../../../../shared/schemas/media-erasure-query';

const q = (o: Record<string, string | string[]>) => new Map(Object.entries(o).map(([k, v]) => [k, Array.isArray(v) ? v : [v]]));
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

describe('parseMediaErasureQuery', () => {
  it('gives the half-open range in epoch ms UTC; the function key may come as code', () => {
    assert.deepEqual(parseMediaErasureQuery(q({ start: '2026-11-21T10:00:00Z', end: '2026-11-21T12:30:00+01:00', code: 'k' })), {
      startMs: Date.UTC(2026, 10, 21, 10),
      endMs: Date.UTC(2026, 10, 21, 11, 30),
    });
  });

  it('refuses a missing, unknown or repeated parameter, naming it', () => {
    assert.match(refusal(() => parseMediaErasureQuery(q({ start: '2026-11-21T10:00:00Z' }))), /^InvalidErasureQuery: .*end/);
    assert.match(refusal(() => parseMediaErasureQuery(q({ start: '2026-11-21T10:00:00Z', end: '2026-11-21T11:00:00Z', camera: 'x' }))), /^InvalidErasureQuery: .*camera/);
    assert.match(refusal(() => parseMediaErasureQuery(q({ start: ['2026-11-21T10:00:00Z', '2026-11-21T10:30:00Z'], end: '2026-11-21T11:00:00Z' }))), /^DuplicateParameter: .*'start'/);
  });

  it('refuses bad date-times, an empty or reversed range and one over 31 days', () => {
    assert.match(refusal(() => parseMediaErasureQuery(q({ start: 'yesterday', end: '2026-11-21T11:00:00Z' }))), /^InvalidDateTime: .*'start'/);
    assert.match(refusal(() => parseMediaErasureQuery(q({ start: '2026-11-21T11:00:00Z', end: '2026-11-21T11:00:00Z' }))), /^InvalidRange: /);
    assert.match(refusal(() => parseMediaErasureQuery(q({ start: '2026-11-01T00:00:00Z', end: '2026-12-02T00:00:01Z' }))), /^RangeTooLong: .*P31D/);
    assert.deepEqual(parseMediaErasureQuery(q({ start: '2026-11-01T00:00:00Z', end: '2026-12-02T00:00:00Z' })).endMs, Date.UTC(2026, 11, 2));
  });
});
