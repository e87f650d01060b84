import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { parseTarHeader, TAR_BLOCK, tarEnd, tarHeader, tarPadding } from '../../../../shared/export/tar-header';

/** A whole archive of in-memory members, as functions/exports/export-bundle-tar.ts lays it out. */
function archive(members: Array<{ name: string; bytes: Buffer }>): Buffer {
  const mtimeMs = Date.UTC(2026, 10, 21, 10, 0, 0);
  return Buffer.concat([...members.flatMap((m) => [tarHeader({ name: m.name, size: m.bytes.length, mtimeMs }), m.bytes, tarPadding(m.bytes.length)]), tarEnd()]);
}

describe('ustar headers', () => {
  it('writes archives that GNU tar lists and unpacks byte for byte', () => {
    const members = [
      { name: 'manifest.json', bytes: Buffer.from('{"a":1}\n') },
      { name: 'segments/00000_2026-11-21T10-00-00.000Z.ts', bytes: Buffer.alloc(TAR_BLOCK * 2 + 1, 7) },
      { name: 'empty', bytes: Buffer.alloc(0) },
    ];
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-tar-'));
    try {
      writeFileSync(path.join(dir, 'a.tar'), archive(members));
      assert.deepEqual(execFileSync('tar', ['-tf', 'a.tar'], { cwd: dir, encoding: 'utf8' }).trim().split('\n'), members.map((m) => m.name));
      execFileSync('tar', ['-xf', 'a.tar'], { cwd: dir });
      for (const m of members) assert.ok(readFileSync(path.join(dir, m.name)).equals(m.bytes), m.name);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads back what it writes, ends at a zero block, and refuses damaged or foreign headers', () => {
    const h = tarHeader({ name: 'cam1_2026-11-21T10-00-00Z_PT30S.mp4', size: 123_456_789, mtimeMs: 1_700_000_000_000 });
    assert.deepEqual(parseTarHeader(h), { name: 'cam1_2026-11-21T10-00-00Z_PT30S.mp4', size: 123_456_789, mtimeMs: 1_700_000_000_000 });
    assert.equal(parseTarHeader(Buffer.alloc(TAR_BLOCK)), undefined);
    const damaged = Buffer.from(h);
    damaged[3] = damaged[3]! ^ 1;
    assert.throws(() => parseTarHeader(damaged), /checksum/);
    assert.throws(() => parseTarHeader(Buffer.alloc(100)), /512 bytes/);
  });

  it('refuses names that are empty, too long or escape the archive, and sizes a ustar header cannot hold', () => {
    for (const name of ['', 'x'.repeat(101), '/etc/passwd', 'a/../../b']) assert.throws(() => tarHeader({ name, size: 0, mtimeMs: 0 }), RangeError, name);
    assert.throws(() => tarHeader({ name: 'big', size: 8 ** 11, mtimeMs: 0 }), RangeError);
    assert.deepEqual([tarPadding(0).length, tarPadding(1).length, tarPadding(512).length, tarEnd().length], [0, 511, 0, 1024]);
  });
});
