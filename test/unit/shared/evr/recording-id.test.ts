import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { recordingApiId } from '../../../../shared/evr/recording-id';
import { RECORDING_ID_PATTERN } from '../../../../shared/contracts/upload-window';

describe('recordingApiId', () => {
  it('is {13-digit start}-{12 hex of sha256(camera \\n gate id)}', () => {
    const id = recordingApiId('door', 'sig-1', 1_795_276_426_626);
    const hash = createHash('sha256').update('door\nsig-1').digest('hex').slice(0, 12);
    assert.equal(id, `1795276426626-${hash}`);
    assert.match(id, RECORDING_ID_PATTERN);
  });

  it('pads small starts, differs per camera and gate id, rejects bad starts', () => {
    assert.equal(recordingApiId('a', 'x', 5).slice(0, 14), '0000000000005-');
    assert.notEqual(recordingApiId('a', 'x', 5), recordingApiId('b', 'x', 5));
    assert.notEqual(recordingApiId('a', 'x', 5), recordingApiId('a', 'y', 5));
    assert.throws(() => recordingApiId('a', 'x', -1), RangeError);
    assert.throws(() => recordingApiId('a', 'x', 1.5), RangeError);
    assert.throws(() => recordingApiId('a', 'x', 1e13), RangeError);
  });
});
