import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { unpackBundle } from '../../../admin/export-bundle-reader';
import { TAR_BLOCK, tarEnd, tarHeader, tarPadding } from '../../../shared/export/tar-header';

const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-unpack-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function tar(members: Array<{ name: string; bytes: Buffer }>): Buffer {
  return Buffer.concat([...members.flatMap((m) => [tarHeader({ name: m.name, size: m.bytes.length, mtimeMs: 0 }), m.bytes, tarPadding(m.bytes.length)]), tarEnd()]);
}
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('unpackBundle', () => {
  it('unpacks every member with its size and SHA-256, in archive order', async () => {
    const members = [
      { name: 'manifest.json', bytes: Buffer.from('{}') },
      { name: 'segments/a.ts', bytes: Buffer.alloc(1024 * 1024 + 3, 9) },
    ];
    const file = path.join(dir, 'ok.tar');
    writeFileSync(file, tar(members));
    const out = await unpackBundle(file, path.join(dir, 'ok'));
    assert.deepEqual(out.map((m) => [m.name, m.bytes, m.sha256]), members.map((m) => [m.name, m.bytes.length, sha(m.bytes)]));
    assert.ok(readFileSync(out[1]!.path).equals(members[1]!.bytes));
  });

  it('refuses a member cut short, a repeated name and a damaged header', async () => {
    const whole = tar([{ name: 'a.ts', bytes: Buffer.alloc(2000, 1) }]);
    writeFileSync(path.join(dir, 'cut.tar'), whole.subarray(0, TAR_BLOCK + 1000));
    await assert.rejects(unpackBundle(path.join(dir, 'cut.tar'), path.join(dir, 'cut')), /a\.ts is cut short \(1000 of 2000 bytes\)/);
    writeFileSync(path.join(dir, 'twice.tar'), tar([{ name: 'a', bytes: Buffer.from('1') }, { name: 'a', bytes: Buffer.from('2') }]));
    await assert.rejects(unpackBundle(path.join(dir, 'twice.tar'), path.join(dir, 'twice')), /repeated or escapes/);
    const damaged = Buffer.from(whole);
    damaged[10] = 0x41;
    writeFileSync(path.join(dir, 'damaged.tar'), damaged);
    await assert.rejects(unpackBundle(path.join(dir, 'damaged.tar'), path.join(dir, 'damaged')), /checksum/);
  });
});
