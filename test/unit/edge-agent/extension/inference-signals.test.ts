import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferenceSignals } from '../../../../edge-agent/extension/inference-signals';
import { retryAfterMs } from '../../../../edge-agent/extension/retry-after';

describe('inferenceSignals (AVA inference schema → inference signals)', () => {
  it('maps entity, classification, motion and event inferences; index follows the reply order', () => {
    const { signals, skipped } = inferenceSignals({
      inferences: [
        { type: 'entity', subtype: 'vehicleDetection', entity: { tag: { value: 'car', confidence: 0.93 }, box: { l: 0.1, t: 0.2, w: 0.3, h: 0.4 } } },
        { type: 'text', text: { value: 'ABC123' } },
        { type: 'classification', classification: { tag: { value: 'person', confidence: 0.5 } } },
        { type: 'motion', motion: { box: { l: 0.48954, t: 0.140741, w: 0.075, h: 0.058824 } } },
        { type: 'event', event: { name: 'lineCrossing', properties: { direction: 'in' } } },
      ],
    });
    assert.deepEqual(signals, [
      { index: 0, label: 'car', confidence: 0.93, boxes: [{ l: 0.1, t: 0.2, w: 0.3, h: 0.4 }], properties: { subtype: 'vehicleDetection' } },
      { index: 2, label: 'person', confidence: 0.5 },
      { index: 3, label: 'motion', boxes: [{ l: 0.48954, t: 0.140741, w: 0.075, h: 0.058824 }] },
      { index: 4, label: 'lineCrossing', properties: { direction: 'in' } },
    ]);
    assert.deepEqual(skipped, ["inferences[1]: type 'text' gives no signal"]);
  });

  it('clips boxes to the frame, drops an impossible confidence, cuts long labels', () => {
    const { signals } = inferenceSignals({ inferences: [{ type: 'entity', entity: { tag: { value: 'x'.repeat(300), confidence: 7 }, box: { l: -0.1, t: 0.9, w: 0.5, h: 0.5 } } }] });
    assert.equal(signals[0].label!.length, 128);
    assert.equal(signals[0].confidence, undefined);
    const b = signals[0].boxes![0];
    assert.ok(b.l === 0 && b.t === 0.9 && Math.abs(b.w - 0.4) < 1e-9 && Math.abs(b.h - 0.1) < 1e-9, JSON.stringify(b));
  });

  it('skips malformed entries and bodies with a reason', () => {
    assert.deepEqual(inferenceSignals({ nope: 1 }), { signals: [], skipped: ['reply: expected {"inferences": [...]}'] });
    assert.deepEqual(inferenceSignals({ inferences: [1, { type: 'entity', entity: {} }, { type: 'event', event: {} }] }).skipped, [
      'inferences[0]: expected an object with a type',
      'inferences[1]: entity without tag.value',
      'inferences[2]: event without name',
    ]);
  });
});

describe('retryAfterMs (RFC 9110 Retry-After)', () => {
  const now = Date.UTC(2026, 10, 21, 10, 0, 0);
  it('reads delay-seconds and HTTP-dates', () => {
    assert.equal(retryAfterMs('3', now), 3000);
    assert.equal(retryAfterMs('Sat, 21 Nov 2026 10:00:05 GMT', now), 5000);
    assert.equal(retryAfterMs('Sat, 21 Nov 2026 09:00:00 GMT', now), 0);
  });
  it('gives undefined for a missing or unreadable header', () => {
    for (const h of [undefined, null, '', 'soon', '-1', '1.5']) assert.equal(retryAfterMs(h, now), undefined, String(h));
  });
});
