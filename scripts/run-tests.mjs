// Runs the whole test suite (dist/test/**/*.test.js) in two lanes at once: the long real-time runs listed in
// SIDE_LANE (a camera clip played over RTSP at its own pace, mostly waiting) in one `node --test` process, every other
// file in another. Each lane runs its files one at a time (--test-concurrency=1), as the suite always did; the two lanes
// overlap, which takes the suite from ~17 to ~12 minutes on 2 cores. The main lane's TAP streams live; the side lane's
// is printed when it ends. Then a few files run again on the 2018 ffmpeg build (LEGACY_FFMPEG_LANE). Exit code 1 when
// any test of any lane failed.
//
// Usage: node scripts/run-tests.mjs            (the whole suite, from the repository root, after `npm run build`)
//        node scripts/run-tests.mjs FILE...    (just those files, one lane)
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/**
 * Files that run a second time, after both lanes, on the 2018 ffmpeg build inside `@ffmpeg-installer/ffmpeg`
 * (FFMPEG_PATH), so that the last resort of shared/ffmpeg/choose-ffmpeg.ts stays known to record files (G.711 audio
 * encoded included). Its RTSP failures are named by agent-session-failures.test.js, which runs both builds itself; its
 * known defects with B-frame RTSP streams (a stutter and decode errors at session start, H.265 keyframe starts not
 * recorded) are measured in docs/adr/0003-recording-any-camera.md and not asserted as passing.
 */
const LEGACY_FFMPEG_LANE = ['dist/test/integration/edge-agent/camera-recorder.test.js'];

/** Files of the side lane: long, real-time, light on CPU while they wait for the clip to play. */
const SIDE_LANE = [
  'dist/test/e2e/evr-rtsp.test.js',
  'dist/test/e2e/topology-rtsp.test.js',
  'dist/test/integration/edge-agent/agent-evr.test.js',
  // ~75 s: eight cameras recorded side by side for 36 s in real time, then played back.
  'dist/test/e2e/camera-matrix-rtsp.test.js',
  // ~110 s: VLC and GStreamer cameras recorded through the RTSP relay and directly, 30 s each in real time.
  'dist/test/integration/edge-agent/rtsp-relay.test.js',
  // Live view: an RTSP camera recorded in real time while the live playlist is read, played and reloaded.
  'dist/test/e2e/live-rtsp.test.js',
  'dist/test/e2e/live-evr-rtsp.test.js',
];

function testFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith('.test.js') ? [path.join(dir, e.name)] : []))
    .sort();
}

/** Runs one lane; resolves with its exit code and its TAP summary counts (an empty lane runs nothing). */
function lane(name, files, live, env = process.env) {
  if (!files.length) return Promise.resolve({ name, code: 0, out: '', tests: 0, pass: 0, fail: 0 });
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--test', '--test-concurrency=1', ...files], { stdio: ['ignore', 'pipe', 'inherit'], env });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      if (live) process.stdout.write(chunk);
    });
    child.on('exit', (code, signal) => {
      const count = (key) => Number(new RegExp(`^# ${key} (\\d+)$`, 'm').exec(out)?.[1] ?? 0);
      resolve({ name, code: code ?? (signal ? 1 : 0), out, tests: count('tests'), pass: count('pass'), fail: count('fail') });
    });
  });
}

const args = process.argv.slice(2);
if (args.length) {
  const r = await lane('given files', args, true);
  process.exit(r.code);
}
const all = testFiles('dist/test');
const side = SIDE_LANE.filter((f) => all.includes(f));
const main = all.filter((f) => !side.includes(f));
const started = Date.now();
const [m, s] = await Promise.all([lane('main', main, true), lane('side', side, false)]);
process.stdout.write(`\n# ---- side lane (${side.join(', ')}), run alongside the main lane ----\n${s.out}`);
const legacyFfmpeg = createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg').path;
process.stdout.write(`\n# ---- legacy ffmpeg lane: FFMPEG_PATH=${legacyFfmpeg} ----\n`);
const legacyFiles = LEGACY_FFMPEG_LANE.filter((f) => all.includes(f));
const l = await lane('legacy ffmpeg', legacyFiles, true, { ...process.env, FFMPEG_PATH: legacyFfmpeg });
const lanes = [m, s, l];
const failed = lanes.some((x) => x.code !== 0);
const sum = (key) => lanes.reduce((n, x) => n + x[key], 0);
process.stdout.write(
  `\n# suite: ${sum('tests')} tests in ${Math.round((Date.now() - started) / 1000)} s ` +
    `(main lane ${main.length} files, side lane ${side.length} files, legacy ffmpeg lane ${legacyFiles.length} files)${failed ? ' — FAILED' : ''}\n` +
    `suite: ${sum('pass')} passed, ${sum('fail')} failed\n`,
);
process.exit(failed ? 1 : 0);
