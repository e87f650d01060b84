import assert from 'node:assert/strict';
import { mkdtempSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ensureSimulatedCameraClip, simulatedCamera } from '../../../local/simulated-camera';
import { FFMPEG, decodeFully } from '../../helpers/ffmpeg';

describe('simulated camera clip', () => {
  it('is an H.264 clip made once, that decodes fully and loops as a live input', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-sim-'));
    const clip = ensureSimulatedCameraClip({ ffmpegPath: FFMPEG, dir, width: 320, height: 180, fps: 10, seconds: 3 });
    const made = statSync(clip).mtimeMs;
    assert.equal(ensureSimulatedCameraClip({ ffmpegPath: FFMPEG, dir, width: 320, height: 180, fps: 10, seconds: 3 }), clip);
    assert.equal(statSync(clip).mtimeMs, made, 'not encoded again');
    const once = await decodeFully(clip);
    assert.deepEqual(once.errors, []);
    assert.equal(once.frames, 30);
    const cam = simulatedCamera('sim-1', clip);
    // Read looped as the recorder does (without -re, to be quick), 7 s of input: frames keep coming past the clip's end.
    const looped = await decodeFully(clip, cam.inputOptions.filter((o) => o !== '-re').concat(['-t', '7']));
    assert.deepEqual(looped.errors, []);
    assert.ok(looped.frames >= 60, `looping gives more frames than the clip holds (${looped.frames})`);
  });
});
