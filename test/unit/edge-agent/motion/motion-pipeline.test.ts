import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { createLogger } from '../../../../edge-agent/log';
import type { MotionSignal } from '../../../../edge-agent/motion/motion-aggregator';
import type { GrayFrame } from '../../../../edge-agent/motion/motion-detector';
import { MotionPipeline } from '../../../../edge-agent/motion/motion-pipeline';
import { parseAgentConfig } from '../../../../shared/schemas/agent-config';

const W = 64;
const H = 36;

/** A grey frame with a bright 12×12 square at x (none when x < 0). */
function frame(i: number, x: number): GrayFrame {
  const data = new Uint8Array(W * H).fill(60);
  if (x >= 0) for (let y = 10; y < 22; y++) for (let k = x; k < x + 12; k++) data[y * W + k] = 220;
  return { width: W, height: H, data, ptsMs: 1_000_000 + i * 200 };
}

const motion = parseAgentConfig({
  deviceId: 'd',
  cameras: [{ id: 'c', url: 'rtsp://h/s', motionDetection: { frameWidth: 64, frameRate: 5 } }],
  broker: { url: 'mqtt://h' },
  upload: { connectionString: 'x' },
}).cameras[0].motionDetection!;

describe('MotionPipeline', () => {
  it('tells the media time before which no more signals will come: the open window\'s start, else after the last frame examined', async () => {
    const signals: MotionSignal[] = [];
    const p = new MotionPipeline({ cameraId: 'c', motion, logger: createLogger('silent'), onSignal: (s) => signals.push(s) });
    assert.equal(p.signalsCompleteBeforeMs, undefined, 'nothing examined yet');
    for (let i = 0; i < 5; i++) p.push(frame(i, -1));
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(p.signalsCompleteBeforeMs, 1_000_000 + 4 * 200 + 1, 'still frames: just after the last one');
    p.push(frame(5, 0));
    p.push(frame(6, 8));
    for (let i = 0; i < 10; i++) await turn();
    assert.equal(signals.length, 0, 'the aggregation window is still open');
    assert.equal(p.signalsCompleteBeforeMs, 1_000_000 + 5 * 200, 'an open window holds it at its first frame');
    for (let i = 7; i < 14; i++) p.push(frame(i, -1));
    for (let i = 0; i < 20; i++) await turn();
    assert.equal(signals.length, 1);
    assert.ok(signals[0].atMs < p.signalsCompleteBeforeMs!, 'once emitted, it moves past the signal');
  });

  it('queues without detecting in push; detects on later turns; emits motion signals with UTC frame times', async () => {
    const signals: MotionSignal[] = [];
    const p = new MotionPipeline({ cameraId: 'c', motion, logger: createLogger('silent'), onSignal: (s) => signals.push(s) });
    for (let i = 0; i < 5; i++) p.push(frame(i, -1));
    for (let i = 5; i < 10; i++) p.push(frame(i, (i - 5) * 8));
    assert.equal(signals.length, 0, 'push does not run the detector');
    for (let i = 0; i < 20; i++) await turn();
    p.flush();
    assert.ok(signals.length >= 1);
    assert.equal(signals[0].atMs, 1_000_000 + 5 * 200);
    assert.equal(p.framesDropped, 0);
  });

  it('drops frames that waited more than 2 s for the detector, and counts them; a burst of fresh frames is kept', async () => {
    let nowMs = 0;
    const dropped: number[] = [];
    const p = new MotionPipeline({ cameraId: 'c', motion, logger: createLogger('silent'), onSignal: () => undefined, onDropped: (n) => dropped.push(n), now: () => nowMs });
    for (let i = 0; i < 35; i++) p.push(frame(i, -1)); // held frames released at once: 7 s of media, none late
    for (let i = 0; i < 40; i++) await turn();
    assert.equal(p.framesDropped, 0);
    for (let i = 35; i < 45; i++) p.push(frame(i, -1)); // queued at 0 ms …
    nowMs = 2001; // … and the detector's turn comes 2.001 s later
    for (let i = 45; i < 48; i++) p.push(frame(i, -1));
    for (let i = 0; i < 20; i++) await turn();
    assert.equal(p.framesDropped, 10);
    assert.deepEqual(dropped, [10]);
  });
});
