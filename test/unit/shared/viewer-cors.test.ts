import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { viewerCorsRules } from '../../../shared/viewer-cors';

describe('viewerCorsRules', () => {
  it('no origins, no rule', () => {
    assert.deepEqual(viewerCorsRules([]), []);
  });

  it('one read-only rule for all origins, allowing Range and exposing what hls.js reads', () => {
    const rules = viewerCorsRules(['https://a.example.com', 'http://localhost:5173']);
    assert.equal(rules.length, 1);
    assert.equal(rules[0].allowedOrigins, 'https://a.example.com,http://localhost:5173');
    assert.deepEqual(rules[0].allowedMethods.split(','), ['GET', 'HEAD', 'OPTIONS']);
    assert.ok(rules[0].allowedHeaders.split(',').includes('range'));
    assert.ok(rules[0].exposedHeaders.split(',').includes('content-range'));
  });
});
