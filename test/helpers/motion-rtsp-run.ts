import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { createLogger } from '../../edge-agent/log';
import type { MotionSignal } from '../../edge-agent/motion/motion-aggregator';
import type { GrayFrame } from '../../edge-agent/motion/motion-detector';
import { MotionPipeline } from '../../edge-agent/motion/motion-pipeline';
import { CameraRecorder } from '../../edge-agent/recorder/camera-recorder';
import type { RecordedSegment } from '../../edge-agent/segments/recorded-segment';
import { parseAgentConfig } from '../../shared/schemas/agent-config';
import { parseMotionSettings } from '../../shared/schemas/motion-detection';
import { FFMPEG, FFMPEG_BINARY } from './ffmpeg';
import { decodeGrayFrames } from './gray-frames';
import { mediaPath } from '../../testbed/rtsp-server';
import { STILL_EDGE_S, detectAll, type Interval } from './motion-clip-intervals';

/**
 * Motion detection on the frames of the recording ffmpeg over RTSP (motion accuracy on real footage):
 * in-process CameraRecorders with motion detection on the person and car clips, then the accuracy checks. Run by
 * test/e2e/evr-rtsp.test.ts beside the agent during its pass of the person clip (same live streams, one pass for both).
 */

// test/fixtures/media/README.md
const PERSON_S = 139.4;
const WALK_IN_S = [6, 22, 50, 74, 92, 123];
const PERSON_EMPTY: Interval[] = [[0, 5.5], [20, 22], [45.5, 50], [70.5, 74], [87.5, 92], [120.5, 123], [136.5, 139.4]];
const CAR_S = 30.16;
const CAR_MOTION: Interval[] = [[4.4, 9.4], [14, 19.8], [25, 28.3]];
/** One full pass of the person clip plus the first segment (the frames' UTC anchor) and GOP join delay. */
export const MOTION_RECORD_MS = 150_000;

/** What one camera gave: frames, motion signals, segments. */
export interface Run {
  frames: GrayFrame[];
  signals: MotionSignal[];
  segments: RecordedSegment[];
  dropped: number;
}

function record(url: string, cameraDir: string): { rec: CameraRecorder; pipeline: MotionPipeline; run: Run } {
  const camera = parseAgentConfig({
    deviceId: 'site-1',
    cameras: [{ id: 'cam-1', url, motionDetection: {} }],
    broker: { url: 'mqtt://127.0.0.1:1' },
    upload: { connectionString: 'x' },
  }).cameras[0];
  const logger = createLogger('silent');
  const run: Run = { frames: [], signals: [], segments: [], dropped: 0 };
  const rec = new CameraRecorder({ camera, segmentLengthMs: 2000, cameraDir, ffmpeg: FFMPEG_BINARY, logger });
  const pipeline = new MotionPipeline({ cameraId: 'cam-1', motion: camera.motionDetection!, logger, onSignal: (s) => run.signals.push(s), onDropped: (n) => (run.dropped += n) });
  rec.on('segment', (s: RecordedSegment) => run.segments.push(s));
  rec.on('frame', (f: GrayFrame) => {
    run.frames.push(f);
    pipeline.push(f);
  });
  return { rec, pipeline, run };
}

/** Every 4th pixel of every 4th row: enough to recognise a picture, cheap to compare. */
function thumb(f: GrayFrame): Float32Array {
  const w = Math.floor(f.width / 4);
  const h = Math.floor(f.height / 4);
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = f.data[y * 4 * f.width + x * 4];
  return out;
}

/**
 * The UTC time (epoch ms) at which a loop of the clip started, found by matching received frames against the clip
 * decoded at 10 fps: the server joins the loop wherever it is, so the clip position is read from the pictures.
 * @returns t0 with clip time = ((t − t0) / 1000) mod the clip length
 */
async function clipStartUtc(frames: GrayFrame[], clip: string): Promise<number> {
  const ref = (await decodeGrayFrames(mediaPath(clip), { fps: 10 })).map(thumb);
  const probe = frames.filter((_, i) => i % 10 === 5).slice(0, 80);
  const probeThumbs = probe.map(thumb);
  let best = { err: Infinity, c0: 0 };
  for (let c0 = 0; c0 < ref.length; c0++) {
    let err = 0;
    probe.forEach((f, i) => {
      const c = (c0 + Math.round((f.ptsMs - probe[0].ptsMs) / 100)) % ref.length;
      const a = ref[c];
      const b = probeThumbs[i];
      for (let k = 0; k < a.length; k++) err += Math.abs(a[k] - b[k]);
    });
    if (err < best.err) best = { err, c0 };
  }
  assert.ok(best.err / (probe.length * ref[0].length) < 6, `frames do not match ${clip} (mean difference ${best.err / (probe.length * ref[0].length)})`);
  return probe[0].ptsMs - (best.c0 / 10) * 1000;
}

/** The first picture of a segment file, decoded as the recorder's motion output does (320 px grey). */
function firstPicture(file: string): Uint8Array {
  const r = spawnSync(FFMPEG, ['-hide_banner', '-nostdin', '-v', 'error', '-i', file, '-frames:v', '1', '-vf', 'scale=320:-2,format=gray', '-f', 'rawvideo', 'pipe:1'], { maxBuffer: 1 << 20 });
  assert.equal(r.status, 0, String(r.stderr));
  return new Uint8Array(r.stdout);
}

function meanDiff(a: Uint8Array, b: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}

const clipTime = (ms: number, t0: number, clipS: number) => ((((ms - t0) / 1000) % clipS) + clipS) % clipS;


/** The two recordings and where the clips started on the UTC timeline. */
export interface MotionRuns {
  person: Run;
  car: Run;
  personT0: number;
  carT0: number;
}

/**
 * Records `personUrl` and `carUrl` (RTSP) with motion detection for MOTION_RECORD_MS, then stops and finds each clip's
 * start from the pictures.
 * @param dir a scratch folder for the segments
 */
export async function recordMotionRuns(personUrl: string, carUrl: string, dir: string): Promise<MotionRuns> {
  const p = record(personUrl, path.join(dir, 'person'));
  const c = record(carUrl, path.join(dir, 'car'));
  p.rec.start();
  c.rec.start();
  await new Promise((r) => setTimeout(r, MOTION_RECORD_MS));
  await Promise.all([p.rec.stop(), c.rec.stop()]);
  p.pipeline.flush();
  c.pipeline.flush();
  return {
    person: p.run,
    car: c.run,
    personT0: await clipStartUtc(p.run.frames, 'one-by-one-person-detection.mp4'),
    carT0: await clipStartUtc(c.run.frames, 'car-detection.mp4'),
  };
}

/** Frames are 320x180 at 5 fps, none dropped, and on the segments' UTC timeline: a segment's first picture is the frame at its start ±1 frame interval. */
export function assertFramesOnTimeline({ person, car }: MotionRuns): void {
    for (const [name, run] of [['person', person], ['car', car]] as const) {
      assert.ok(run.frames.length > 5 * 100, `${name}: ${run.frames.length} frames`);
      assert.deepEqual([run.frames[0].width, run.frames[0].height], [320, 180]);
      for (let i = 1; i < run.frames.length; i++) assert.equal(run.frames[i].ptsMs - run.frames[i - 1].ptsMs, 200);
      assert.equal(run.dropped, 0, `${name}: frames dropped`);
    }
    // video only: decoding starts at the session's first keyframe; the first segment starts there too, or at the first
    // keyframe with usable timing when the session dropped the packets before it (B-frames: up to 20 frames and one
    // GOP later, 3 s on this 10 fps clip with 1 s GOPs; docs/adr/0003-recording-any-camera.md)
    const lead = person.segments[0].startMs - person.frames[0].ptsMs;
    assert.ok(lead >= -200 && lead <= 3200, `person: first frame ${lead} ms before the first segment start`);
    // Ground truth from the cache: decode each segment's first picture the same way and find the received frame that
    // shows it. Only segments starting during motion tell frames apart (in a still room every frame looks alike).
    let checked = 0;
    for (const seg of person.segments.slice(1, -1)) {
      const pic = firstPicture(seg.path);
      const near = person.frames.filter((f) => Math.abs(f.ptsMs - seg.startMs) <= 2000);
      const scored = near.map((f) => ({ f, d: meanDiff(f.data, pic) })).sort((a, b) => a.d - b.d);
      const best = scored[0];
      const farBest = scored.find((x) => Math.abs(x.f.ptsMs - best.f.ptsMs) >= 800);
      if (!farBest || farBest.d < 2 * best.d + 1) continue; // not distinctive enough
      checked++;
      assert.ok(Math.abs(best.f.ptsMs - seg.startMs) <= 200, `segment at ${seg.startMs}: its first picture is the frame at ${best.f.ptsMs - seg.startMs} ms`);
    }
    assert.ok(checked >= 5, `only ${checked} segments start during motion`);
}

/** The recording output is still a codec copy (H.264 768x432, not re-encoded). */
export function assertCodecCopy({ person }: MotionRuns): void {
    const seg = person.segments[3];
    const r = spawnSync(FFMPEG, ['-hide_banner', '-nostdin', '-i', seg.path, '-f', 'null', '-'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    assert.match(r.stderr, /Video: h264 \(Main\).*768x432/);
}

/** Person clip: each of the six walk-ins starts motion within 1 s; the empty room is ≥ 95 % free of motion. */
export function assertPersonAccuracy({ person, personT0 }: MotionRuns): void {
    const seen = { fromMs: person.frames[0].ptsMs + 2000, toMs: person.frames.at(-1)!.ptsMs };
    for (const walk of WALK_IN_S) {
      // the occurrence of this walk-in inside the recording (the loop may put it in either pass)
      const occurrences = [0, 1, 2].map((k) => personT0 + (walk + (k - 1) * PERSON_S) * 1000).filter((t) => t - 2000 >= seen.fromMs && t + 1000 <= seen.toMs);
      assert.ok(occurrences.length >= 1, `walk-in at ${walk} s not inside the recording`);
      const t = occurrences[0];
      const onset = person.signals.find((s) => s.lastMs >= t - 1000);
      assert.ok(onset && Math.abs(onset.atMs - t) <= 1000, `walk-in at ${walk} s: motion starts at ${onset ? ((onset.atMs - t) / 1000).toFixed(1) : '-'} s from it`);
    }
    // The pipeline's detector, frame by frame (same params, same frames, none dropped: the same results).
    const results = detectAll(person.frames, parseMotionSettings({}));
    // still spans, shrunk by STILL_EDGE_S next to motion (README timings ±0.5 s + detector lag ≤ 0.5 s, motion-clip-intervals.ts)
    let total = 0;
    let moving = 0;
    const at: string[] = [];
    for (const [s, e] of PERSON_EMPTY) {
      const from = s === 0 ? s : s + STILL_EDGE_S;
      const to = e >= PERSON_S ? e : e - STILL_EDGE_S;
      let spanTotal = 0;
      let spanMoving = 0;
      results.forEach((r) => {
        const c = clipTime(r.ptsMs, personT0, PERSON_S);
        if (c < from || c > to || r.ptsMs < seen.fromMs) return;
        spanTotal++;
        if (r.boxes.length) {
          spanMoving++;
          at.push(c.toFixed(1));
        }
      });
      assert.ok(spanMoving <= 0.05 * spanTotal, `empty room ${s}-${e} s: motion in ${spanMoving}/${spanTotal} frames (at ${at.join(', ')} s)`);
      total += spanTotal;
      moving += spanMoving;
    }
    assert.ok(total >= 60 && moving <= 0.05 * total, `${moving}/${total} frames of empty room with motion`);
}

/** Car clip: each car pass is detected; exposure recovery after the white car ends motion within 2 s of it leaving. */
export function assertCarAccuracy({ car, carT0 }: MotionRuns): void {
    const seen = car.frames[0].ptsMs + 5000; // background seeded
    for (const [s, e] of CAR_MOTION) {
      const hit = car.signals.some((x) => x.atMs >= seen && clipTime(x.atMs, carT0, CAR_S) >= s - 0.5 && clipTime(x.atMs, carT0, CAR_S) <= e + 0.5);
      assert.ok(hit, `no motion for the car pass ${s}-${e} s`);
    }
    // after each white car (leaves at 9.4 s and 28.3 s) no motion from 2 s later until the next car
    const quiet: Interval[] = [[9.4 + 2, 14 - 0.5], [(28.3 + 2) % CAR_S, 4.4 - 0.5]];
    for (const x of car.signals.filter((x) => x.atMs >= seen)) {
      for (let t = x.atMs; t <= x.lastMs; t += 200) {
        const c = clipTime(t, carT0, CAR_S);
        for (const [s, e] of quiet) assert.ok(!(c >= s && c <= e), `motion at clip ${c.toFixed(1)} s, inside ${s.toFixed(1)}-${e} s after a white car left`);
      }
    }
}
