import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { SegmentReadBuffer } from '../../../../edge-agent/uploader/segment-read-buffer';

describe('SegmentReadBuffer', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-readbuf-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, bytes: Buffer) => {
    const p = path.join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };

  it('returns exactly each file’s bytes, whether the kept buffer is reused, grown or larger than the file', async () => {
    const reader = new SegmentReadBuffer(1 << 20);
    for (const size of [200_000, 10, 0, 199_999, 500_000, 3]) {
      const bytes = randomBytes(size);
      assert.deepEqual(await reader.read(file(`f${size}.ts`, bytes)), bytes, `${size} bytes`);
    }
  });

  it('reuses one buffer for files that fit it, so a view is only valid until the next read', async () => {
    const reader = new SegmentReadBuffer(1 << 20);
    const first = await reader.read(file('a.ts', Buffer.alloc(1000, 1)));
    const second = await reader.read(file('b.ts', Buffer.alloc(900, 2)));
    assert.equal(first.buffer, second.buffer, 'the same memory');
    assert.equal(first[0], 2, 'the earlier view now shows the later file');
  });

  it('reads a file over its cap into a buffer of its own and keeps the smaller one', async () => {
    const reader = new SegmentReadBuffer(4096);
    const small = await reader.read(file('s.ts', Buffer.alloc(100, 7)));
    const bigBytes = randomBytes(10_000);
    const big = await reader.read(file('big.ts', bigBytes));
    assert.deepEqual(big, bigBytes);
    assert.notEqual(big.buffer, small.buffer);
    assert.equal(small[0], 7, 'the kept buffer was not touched');
    const next = await reader.read(file('s2.ts', Buffer.alloc(50, 9)));
    assert.equal(next.buffer, small.buffer, 'the kept buffer serves the next small file');
  });

  it('throws ENOENT for a file that is gone', async () => {
    await assert.rejects(new SegmentReadBuffer().read(path.join(dir, 'missing.ts')), { code: 'ENOENT' });
  });
});
