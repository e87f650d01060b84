import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pointInPolygon, signalCounts } from '../../../../shared/evr/signal-filter';

const square: Array<[number, number]> = [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]];

describe('signalCounts (recording-policy signalFilterSchema rules)', () => {
  it('counts every signal when the filter list is empty', () => {
    assert.equal(signalCounts({ type: 'door' }, []), true);
  });

  it('matches on type, label and minimumConfidence', () => {
    const filters = [{ type: 'door' }, { type: 'inference', label: 'person', minimumConfidence: 0.6 }];
    assert.equal(signalCounts({ type: 'door' }, filters), true);
    assert.equal(signalCounts({ type: 'motion' }, filters), false);
    assert.equal(signalCounts({ type: 'inference', label: 'person', confidence: 0.6 }, filters), true);
    assert.equal(signalCounts({ type: 'inference', label: 'person', confidence: 0.59 }, filters), false);
    assert.equal(signalCounts({ type: 'inference', label: 'car', confidence: 0.9 }, filters), false);
    assert.equal(signalCounts({ type: 'inference', label: 'person' }, filters), false, 'no confidence: does not count');
  });

  it('needs a box centre inside the zone when the filter has one', () => {
    const filters = [{ type: 'motion', zone: square }];
    assert.equal(signalCounts({ type: 'motion', boxes: [{ l: 0.1, t: 0.1, w: 0.1, h: 0.1 }] }, filters), true);
    assert.equal(signalCounts({ type: 'motion', boxes: [{ l: 0.6, t: 0.6, w: 0.1, h: 0.1 }, { l: 0.2, t: 0.3, w: 0.05, h: 0.05 }] }, filters), true);
    assert.equal(signalCounts({ type: 'motion', boxes: [{ l: 0.4, t: 0.4, w: 0.4, h: 0.4 }] }, filters), false, 'centre (0.6, 0.6) outside');
    assert.equal(signalCounts({ type: 'motion' }, filters), false, 'no boxes: does not count');
  });

  it('pointInPolygon handles a concave polygon', () => {
    const l: Array<[number, number]> = [[0, 0], [1, 0], [1, 0.2], [0.2, 0.2], [0.2, 1], [0, 1]];
    assert.equal(pointInPolygon(0.1, 0.9, l), true);
    assert.equal(pointInPolygon(0.6, 0.6, l), false);
    assert.equal(pointInPolygon(0.6, 0.1, l), true);
  });
});
