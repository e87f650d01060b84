import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { killOrphanFfmpeg, processesWritingInto } from '../../../edge-agent/recorder/orphan-ffmpeg';
import { FFMPEG } from '../../helpers/ffmpeg';

/** A real ffmpeg writing 1 s segments of a test pattern into `dir`, as a recorder session does. */
function ffmpegInto(dir: string): ChildProcess {
  return spawn(FFMPEG, ['-hide_banner', '-v', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=5', '-c:v', 'mpeg2video', '-f', 'segment', '-segment_time', '1', path.join(dir, 'orphan-%06d.ts')], { stdio: 'ignore' });
}

describe('killOrphanFfmpeg (a SIGKILLed agent leaves its ffmpeg running)', () => {
  const root = mkdtempSync(path.join(os.tmpdir(), 'kw-orphan-'));
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill('SIGKILL');
  });

  it('kills every ffmpeg writing into the camera folder, and no other', async () => {
    const [camA, camAB, camB] = ['cam-a', 'cam-ab', 'cam-b'].map((c) => path.join(root, c));
    for (const d of [camA, camAB, camB]) mkdirSync(d);
    const inA = [ffmpegInto(camA), ffmpegInto(camA)];
    const inAB = ffmpegInto(camAB); // a sibling folder whose name starts with the camera's
    const inB = ffmpegInto(camB);
    // Not an ffmpeg, though it names a file in the camera folder (an operator's `tail`, a backup): left alone.
    const reader = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30_000)', path.join(camA, 'orphan-000000.ts')], { stdio: 'ignore' });
    children.push(...inA, inAB, inB, reader);
    const exited = inA.map((c) => new Promise((r) => c.once('exit', r)));

    assert.deepEqual(processesWritingInto(camA).sort(), inA.map((c) => c.pid).sort());
    const killed = await killOrphanFfmpeg(camA);
    assert.deepEqual(killed.sort(), inA.map((c) => c.pid).sort());
    await Promise.all(exited);
    assert.deepEqual(processesWritingInto(camA), []);
    assert.deepEqual(processesWritingInto(camAB), [inAB.pid], 'a sibling folder with the same prefix is not touched');
    assert.deepEqual(processesWritingInto(camB), [inB.pid]);
    // Time enough for a killed process to be reaped (its signalCode set) before looking.
    await new Promise((r) => setTimeout(r, 300));
    const running = (c: ChildProcess) => c.exitCode === null && c.signalCode === null;
    assert.ok(running(inAB), 'the sibling folder\'s ffmpeg runs on');
    assert.ok(running(reader), 'a process that is not ffmpeg is never killed');
    assert.ok(running(inB), "another camera's ffmpeg runs on");
    assert.ok(inA.every((c) => c.signalCode === 'SIGKILL'), 'the orphans were killed');
    assert.deepEqual(await killOrphanFfmpeg(path.join(root, 'cam-none')), [], 'nothing to kill in a folder nobody writes into');
  });
});
