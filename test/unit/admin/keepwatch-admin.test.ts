import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { keepwatchAdmin } from '../../../admin/keepwatch-admin';

/** Runs the CLI in-process; its exit code and what it wrote. */
async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await keepwatchAdmin(argv, (t) => (out += t), (t) => (err += t));
  return { code, out, err };
}

describe('keepwatch-admin', () => {
  it('lists its commands on --help (exit 0) and without a command (exit 2, on stderr)', async () => {
    const help = await cli('--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /keepwatch-admin verify-export FILE/);
    const none = await cli();
    assert.deepEqual([none.code, none.out], [2, '']);
    assert.match(none.err, /verify-export/);
  });

  it('refuses an unknown command and bad verify-export usage with exit 2, naming the problem', async () => {
    const unknown = await cli('rebuild-everything');
    assert.equal(unknown.code, 2);
    assert.match(unknown.err, /unknown command 'rebuild-everything'/);
    assert.equal((await cli('verify-export')).code, 2);
    assert.equal((await cli('verify-export', 'a.tar', 'b.tar')).code, 2);
    assert.match((await cli('verify-export', '--frobnicate', 'a.tar')).err, /frobnicate/);
    const help = await cli('verify-export', '--help');
    assert.equal(help.code, 0);
    assert.match(help.out, /framemd5/);
  });

  it('reports a file that is not a bundle as not verified (exit 1)', async () => {
    const r = await cli('verify-export', __filename, '--ffmpeg', '/nonexistent/ffmpeg');
    assert.equal(r.code, 1);
    assert.match(r.out, /FAIL {2}not a readable bundle: .*checksum/);
    assert.match(r.out, /^NOT VERIFIED$/m);
  });
});
