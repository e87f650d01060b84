import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, it } from 'node:test';
import { parseSmapsRollup, treeMemory } from '../../../bench/process-tree-memory';

// The recording benchmark's memory per camera (docs/benchmarks.md "Recording overhead") is read this way.
describe('process tree memory (bench/process-tree-memory.ts)', () => {
  it('reads Rss and Pss from a smaps_rollup text, in bytes', () => {
    const text = [
      '55d0c0a00000-7ffd5e9f1000 ---p 00000000 00:00 0                          [rollup]',
      'Rss:               51236 kB',
      'Pss:               14823 kB',
      'Pss_Anon:           6020 kB',
      'Shared_Clean:      44012 kB',
    ].join('\n');
    assert.deepEqual(parseSmapsRollup(text), { rssBytes: 51236 * 1024, pssBytes: 14823 * 1024 });
    assert.equal(parseSmapsRollup('Rss:  12 kB\n'), undefined, 'no Pss line: not a smaps_rollup text');
    assert.equal(parseSmapsRollup(''), undefined);
  });

  it('lists each process of a tree with its memory, and drops a child once it has exited', async () => {
    const child = spawn('sleep', ['30'], { stdio: 'ignore' });
    try {
      const procs = treeMemory([process.pid]);
      const own = procs.find((p) => p.pid === process.pid);
      const sleeper = procs.find((p) => p.pid === child.pid);
      assert.ok(own && own.rssBytes >= own.pssBytes && own.pssBytes > 0, JSON.stringify(own));
      assert.equal(sleeper?.comm, 'sleep');
      assert.ok(sleeper.rssBytes > 0);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
    assert.ok(!treeMemory([process.pid]).some((p) => p.pid === child.pid), 'an exited child is not listed');
  });
});
