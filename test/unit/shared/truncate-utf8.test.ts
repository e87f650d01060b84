import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { truncateUtf8 } from '../../../shared/truncate-utf8';

describe('truncateUtf8', () => {
  it('keeps short text and cuts long text on a character boundary', () => {
    assert.deepEqual(truncateUtf8('abc', 3), { text: 'abc', truncated: false, bytes: 3 });
    const cut = truncateUtf8('aé€😀', 6); // 1 + 2 + 3 + 4 bytes
    assert.deepEqual(cut, { text: 'aé€', truncated: true, bytes: 10 });
    assert.deepEqual(truncateUtf8('😀😀', 5), { text: '😀', truncated: true, bytes: 8 });
    assert.ok(Buffer.byteLength(truncateUtf8('€'.repeat(100), 50).text) <= 50);
  });
});
