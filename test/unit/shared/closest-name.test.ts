import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { closestName, editDistance } from '../../../shared/closest-name';

describe('editDistance', () => {
  it('counts insertions, deletions, substitutions and swapped neighbours as 1 each, ignoring case', () => {
    assert.equal(editDistance('segmentLenght', 'segmentLength'), 1, 'swapped neighbours');
    assert.equal(editDistance('url', 'uri'), 1);
    assert.equal(editDistance('colour', 'color'), 1);
    assert.equal(editDistance('SEGMENTLENGTH', 'segmentLength'), 0);
    assert.equal(editDistance('', 'abc'), 3);
    assert.equal(editDistance('kitten', 'sitting'), 3);
  });
});

describe('closestName', () => {
  const keys = ['deviceId', 'cameras', 'segmentLength', 'localMediaCachePath', 'localMediaCacheMaximumSizeMiB', 'broker', 'upload'];

  it('names the key a typo most likely meant', () => {
    assert.equal(closestName('segmentLenght', keys), 'segmentLength');
    assert.equal(closestName('segmentlength', keys), 'segmentLength');
    assert.equal(closestName('camera', keys), 'cameras');
    assert.equal(closestName('deviceID', keys), 'deviceId');
    assert.equal(closestName('tpc', ['tcp', 'udp', 'http']), 'tcp');
  });

  it('says nothing when no key is near, or the word is a known key', () => {
    assert.equal(closestName('colour', keys), undefined);
    assert.equal(closestName('fps', keys), undefined);
    assert.equal(closestName('broker', keys), undefined);
    assert.equal(closestName('x', []), undefined);
  });
});
