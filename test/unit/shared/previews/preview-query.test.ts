import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parsePreviewQuery, parseThumbnailsQuery } from '../../../../shared/previews/preview-query';

const q = (params: Record<string, string>) => new URLSearchParams(params);

describe('parsePreviewQuery', () => {
  it('reads time (any zone) and size; medium when size is absent; no time = the latest', () => {
    assert.deepEqual(parsePreviewQuery(q({ time: '2026-11-21T10:00:01.250Z', size: 'small' })), { timeMs: Date.UTC(2026, 10, 21, 10, 0, 1, 250), size: 'small' });
    assert.deepEqual(parsePreviewQuery(q({ time: '2026-11-21T11:00:00+01:00' })), { timeMs: Date.UTC(2026, 10, 21, 10), size: 'medium' });
    assert.deepEqual(parsePreviewQuery(q({ size: 'large' })), { size: 'large' });
  });

  it('ignores the function key and a signed URL\'s token', () => {
    assert.deepEqual(parsePreviewQuery(q({ size: 'small', code: 'k', start: 'x', sig: 'y' })), { size: 'small' });
  });

  it('refuses a bad time or size with InvalidPreviewQuery naming each', () => {
    const err = (params: Record<string, string>) => {
      try {
        parsePreviewQuery(q(params));
      } catch (e) {
        assert.ok(e instanceof ValidationError);
        return e;
      }
      assert.fail('accepted');
    };
    const size = err({ size: 'huge' });
    assert.equal(size.code, 'InvalidPreviewQuery');
    assert.match(size.message, /^preview query: size: .*small.*medium.*large/);
    assert.match(err({ time: '2026-11-21 10:00' }).message, /time: expected an ISO 8601 date-time with a time zone/);
    assert.match(err({ time: '2026-02-31T10:00:00Z' }).message, /time: expected an ISO 8601/);
    assert.match(err({ time: 'now', size: 'tiny' }).message, /2 problems:\n {2}time: .*\n {2}size: /);
  });
});

describe('parseThumbnailsQuery', () => {
  const start = '2026-11-21T10:00:00Z';
  it('reads the range, interval (default PT1M) and size (default small)', () => {
    assert.deepEqual(parseThumbnailsQuery(q({ start, end: '2026-11-21T11:00:00Z' })), {
      startMs: Date.UTC(2026, 10, 21, 10),
      endMs: Date.UTC(2026, 10, 21, 11),
      intervalMs: 60_000,
      size: 'small',
    });
    assert.equal(parseThumbnailsQuery(q({ start, end: '2026-11-21T11:00:00Z', interval: 'PT10S', size: 'medium' })).intervalMs, 10_000);
  });

  it('refuses missing or reversed ends, ranges over a day, intervals out of PT2S..PT1H or making over 1440 thumbnails', () => {
    assert.throws(() => parseThumbnailsQuery(q({ start })), /end: /);
    assert.throws(() => parseThumbnailsQuery(q({ start, end: start })), /end: must be after start/);
    assert.throws(() => parseThumbnailsQuery(q({ start, end: '2026-11-22T10:00:01Z' })), /more than the maximum P1D/);
    assert.throws(() => parseThumbnailsQuery(q({ start, end: '2026-11-21T11:00:00Z', interval: 'PT1S' })), /interval: PT1S is outside PT2S\.\.PT1H/);
    assert.throws(() => parseThumbnailsQuery(q({ start, end: '2026-11-21T11:00:00Z', interval: 'PT2H' })), /interval: PT2H is outside/);
    assert.throws(() => parseThumbnailsQuery(q({ start, end: '2026-11-22T09:00:00Z', interval: 'PT10S' })), /more than 1440 thumbnails/);
    assert.throws(() => parseThumbnailsQuery(q({ start, end: '2026-11-21T11:00:00Z', interval: 'soon' })), /interval: expected a positive ISO 8601 duration/);
  });
});
