import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ValidationError } from '../../../shared/errors';
import { playableSegments } from '../../../shared/hls/playable-segments';
import { formatIssues, parseWith } from '../../../shared/validation/format-issues';
import { truncateUtf8 } from '../../../shared/truncate-utf8';

describe('playableSegments', () => {
  it('sorts and drops a segment that starts before the previous one ended', () => {
    const s = (startMs: number, durationMs: number) => ({ startMs, durationMs, blobName: `b${startMs}` });
    const { segments, dropped } = playableSegments([s(20, 10), s(0, 10), s(5, 10), s(10, 10), s(40, 0)]);
    assert.deepEqual(segments.map((x) => x.startMs), [0, 10, 20]);
    assert.equal(dropped, 2);
  });
});

describe('truncateUtf8', () => {
  it('keeps short text and cuts long text on a character boundary', () => {
    assert.deepEqual(truncateUtf8('abc', 3), { text: 'abc', truncated: false, bytes: 3 });
    const cut = truncateUtf8('aé€😀', 6); // 1 + 2 + 3 + 4 bytes
    assert.deepEqual(cut, { text: 'aé€', truncated: true, bytes: 10 });
    assert.deepEqual(truncateUtf8('😀😀', 5), { text: '😀', truncated: true, bytes: 8 });
    assert.ok(Buffer.byteLength(truncateUtf8('€'.repeat(100), 50).text) <= 50);
  });
});

describe('parseWith / formatIssues', () => {
  const schema = z.strictObject({ a: z.string(), list: z.array(z.strictObject({ n: z.number() })) });

  it('names every offending key path and unknown keys', () => {
    assert.throws(
      () => parseWith(schema, { a: 1, list: [{ n: 'x' }], extra: true }, 'doc'),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.code === 'InvalidInput' &&
        e.message.startsWith('doc: ') &&
        e.message.includes('a: ') &&
        e.message.includes('list[0].n: ') &&
        e.message.includes("unknown key 'extra'"),
    );
  });

  it('uses the given code and returns the parsed value', () => {
    assert.throws(() => parseWith(schema, null, 'doc', 'InvalidCloudEvent'), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidCloudEvent');
    assert.deepEqual(parseWith(schema, { a: 'x', list: [] }, 'doc'), { a: 'x', list: [] });
    assert.equal(formatIssues([]), '');
  });
});
