import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { StderrLines } from '../../../../edge-agent/recorder/stderr-lines';

/**
 * A real child writing `count` lines to its stderr, one every `everyMs`, then an unterminated last line, then exiting.
 * @returns each line received with the time it arrived (performance.now(), ms), once the stderr ended
 */
async function receive(count: number, everyMs: number, batchMs?: number): Promise<{ lines: Array<{ line: string; atMs: number }>; viaFifo: boolean }> {
  const lines: Array<{ line: string; atMs: number }> = [];
  const stderr = new StderrLines(['[noise @ '], (line) => lines.push({ line, atMs: performance.now() }));
  const script = `let i = 0; const t = setInterval(() => { process.stderr.write('[noise @ 0x1] packet ' + i + '\\n' + 'line ' + i + '\\n'); if (++i === ${count}) { clearInterval(t); process.stderr.write('last'); } }, ${everyMs});`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'ignore', stderr.stdio] });
  stderr.start(child);
  if (batchMs !== undefined) stderr.batch(batchMs);
  await new Promise((r) => child.once('exit', r));
  stderr.prompt();
  await stderr.ended;
  stderr.close();
  return { lines, viaFifo: typeof stderr.stdio === 'number' };
}

describe('StderrLines (ffmpeg log through a FIFO)', () => {
  it('read at once: every line, in order, as it is written; skipped prefixes never given; the last unterminated line at the end', async () => {
    const { lines, viaFifo } = await receive(20, 10);
    assert.equal(viaFifo, true, 'mkfifo is available here');
    assert.deepEqual(lines.map((l) => l.line), [...Array.from({ length: 20 }, (_, i) => `line ${i}`), 'last']);
    const ticks = new Set(lines.map((l) => Math.round(l.atMs)));
    assert.ok(ticks.size >= 10, `lines arrive as they are written (${ticks.size} distinct arrival times)`);
  });

  it('read in batches: every line, in order, but in a few reads; the rest at once when the child exits', async () => {
    const { lines } = await receive(40, 10, 150);
    assert.deepEqual(lines.map((l) => l.line), [...Array.from({ length: 40 }, (_, i) => `line ${i}`), 'last']);
    // Arrivals cluster into batches: group arrivals less than 5 ms apart.
    const batches = lines.reduce<number[]>((acc, l) => (acc.length && l.atMs - acc[acc.length - 1] < 5 ? [...acc.slice(0, -1), l.atMs] : [...acc, l.atMs]), []);
    assert.ok(batches.length <= 8, `40 lines over about 400 ms arrive in few batches at a 150 ms interval (${batches.length})`);
  });
});
