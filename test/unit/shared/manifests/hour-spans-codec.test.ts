import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHourSpans, encodeHourSpans, HOUR_SPANS_MAX_CHARS } from '../../../../shared/manifests/hour-spans-codec';

const H = Date.UTC(2026, 10, 21, 10);

describe('hour spans codec', () => {
  it('round-trips an hour of PT10S segments in start order, about 10 characters each', () => {
    const spans = Array.from({ length: 360 }, (_, i) => ({ startMs: H + i * 10_000 + (i % 7), durationMs: 10_000 - (i % 3) }));
    const text = encodeHourSpans(H, [...spans].reverse())!;
    assert.ok(text.length < 360 * 11, String(text.length));
    assert.deepEqual(decodeHourSpans(H, text), spans);
  });

  it('keeps both of two segments with one start (as the index does), and the empty hour', () => {
    const spans = [{ startMs: H, durationMs: 5 }, { startMs: H, durationMs: 3_600_000 }];
    assert.deepEqual(decodeHourSpans(H, encodeHourSpans(H, spans)!), spans);
    assert.deepEqual(decodeHourSpans(H, encodeHourSpans(H, [])!), []);
  });

  it('gives up beyond one property, and refuses spans outside the hour', () => {
    const many = Array.from({ length: 3_500 }, (_, i) => ({ startMs: H + 3_000_000 + i * 100, durationMs: 1_000_000 }));
    assert.equal(encodeHourSpans(H, many), undefined);
    assert.ok(HOUR_SPANS_MAX_CHARS < 32_768);
    assert.throws(() => encodeHourSpans(H, [{ startMs: H - 1, durationMs: 10 }]), RangeError);
    assert.throws(() => encodeHourSpans(H, [{ startMs: H + 3_600_000, durationMs: 10 }]), RangeError);
    assert.throws(() => encodeHourSpans(H, [{ startMs: H, durationMs: 0 }]), RangeError);
  });

  it('reads a corrupt row as unreadable, not as segments', () => {
    for (const bad of ['x', '0:0', 'zzzzzz:1', '1:1,', '1:1;2:2']) assert.equal(decodeHourSpans(H, bad), undefined, bad);
  });
});
