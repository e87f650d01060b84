import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AUDIO_MONOTONIC_TS, DROP_UNTIMED_START, VIDEO_MONOTONIC_TS, inputUrl, progressPeriodMs, recorderArgs } from '../../../../edge-agent/recorder/ffmpeg-args';

const cam = { id: 'door-1', url: 'rtsp://10.0.0.5:554/stream1', rtspTransport: 'tcp' as const, inputOptions: [], mode: 'cvr' as const };

describe('recorder ffmpeg arguments', () => {
  it('copies codecs into MPEG-TS segments with the CSV list on fd 3, RTSP over TCP', () => {
    const args = recorderArgs(cam, 10_000, '/c/door-1/s-%06d.ts', 'drop-untimed');
    const at = (flag: string) => args[args.indexOf(flag) + 1];
    assert.equal(at('-c'), 'copy');
    assert.equal(at('-f'), 'segment');
    assert.equal(at('-segment_format'), 'mpegts');
    assert.equal(at('-segment_time'), '10.000');
    assert.equal(at('-segment_list'), 'pipe:3');
    assert.equal(at('-segment_list_type'), 'csv');
    assert.equal(at('-rtsp_transport'), 'tcp');
    assert.equal(at('-loglevel'), 'verbose');
    assert.ok(!args.includes('-c:v') && !args.includes('libx264'), 'never transcodes');
    assert.equal(args[args.length - 1], '/c/door-1/s-%06d.ts');
  });

  it('puts input options before -i and skips RTSP options for other inputs', () => {
    const args = recorderArgs({ ...cam, url: '/clips/a.mp4', inputOptions: ['-re', '-stream_loop', '-1'] }, 4000, 'o-%06d.ts', 'drop-untimed');
    assert.ok(!args.includes('-rtsp_transport'));
    assert.ok(args.indexOf('-re') < args.indexOf('-i'));
    assert.equal(args[args.indexOf('-i') + 1], '/clips/a.mp4');
  });

  it('guards the start of a session: drop-untimed filters the video of output #0 only, genpts is an input flag', () => {
    const drop = recorderArgs(cam, 10_000, 's-%06d.ts', 'drop-untimed');
    assert.equal(drop[drop.indexOf('-bsf:v') + 1], `noise=drop=${DROP_UNTIMED_START},setts=${VIDEO_MONOTONIC_TS}`);
    assert.doesNotMatch(VIDEO_MONOTONIC_TS, /[^\\],/);
    assert.ok(drop.includes('-copyinkf:v') && drop.indexOf('-copyinkf:v') > drop.indexOf('-i') && drop.indexOf('-bsf:v') < drop.indexOf('s-%06d.ts'));
    assert.ok(!drop.includes('-fflags'));
    assert.equal(drop[drop.indexOf('-bsf:a') + 1], `setts=ts=${AUDIO_MONOTONIC_TS}`, 'audio kept monotonic across the RTCP re-timing');
    assert.doesNotMatch(AUDIO_MONOTONIC_TS, /[^\\],/);
    const genpts = recorderArgs(cam, 10_000, 's-%06d.ts', 'genpts');
    assert.deepEqual(genpts.slice(genpts.indexOf('-fflags'), genpts.indexOf('-fflags') + 2), ['-fflags', '+genpts']);
    assert.ok(genpts.indexOf('-fflags') < genpts.indexOf('-i') && !genpts.includes('-bsf:v') && !genpts.includes('-bsf:a') && !genpts.includes('-copyinkf:v'));
    // a file carries its own timestamps: no guard
    for (const guard of ['drop-untimed', 'genpts'] as const) {
      const file = recorderArgs({ ...cam, url: '/clips/a.mp4' }, 10_000, 's-%06d.ts', guard);
      assert.ok(!file.includes('-bsf:v') && !file.includes('-bsf:a') && !file.includes('-fflags') && !file.includes('-copyinkf:v'));
    }
    // ffmpeg's bitstream filter list splits on unescaped commas: every comma of the expression is escaped
    assert.doesNotMatch(DROP_UNTIMED_START, /[^\\],/);
  });

  it('reports progress every quarter of the watchdog, 0.5 to 2 s, where ffmpeg lets it be set', () => {
    assert.equal(progressPeriodMs(15_000), 2000);
    assert.equal(progressPeriodMs(4000), 1000);
    assert.equal(progressPeriodMs(2000), 500, 'never slower than a quarter of the shortest watchdog (PT2S)');
    assert.equal(progressPeriodMs(300_000), 2000);
    const at = (args: string[], flag: string) => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
    assert.equal(at(recorderArgs(cam, 10_000, 's-%06d.ts', 'drop-untimed'), '-stats_period'), '2.000', 'the default watchdog (15 s)');
    assert.equal(at(recorderArgs(cam, 10_000, 's-%06d.ts', 'drop-untimed', 'copy', 3000), '-stats_period'), '0.750');
    assert.equal(at(recorderArgs(cam, 10_000, 's-%06d.ts', 'genpts'), '-stats_period'), undefined, 'the 2018 build has no -stats_period');
  });

  it('percent-encodes credentials into the RTSP URL', () => {
    assert.equal(inputUrl({ url: cam.url, username: 'ad min', password: 'p@ss:/' }), 'rtsp://ad%20min:p%40ss%3A%2F@10.0.0.5:554/stream1');
    assert.equal(inputUrl({ url: cam.url }), cam.url);
  });
});
