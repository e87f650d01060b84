import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SLOW_RETRY_CAUSES, SessionFailureReader, diagnosticKindOf, hostResolutionFailure, relayUpstreamFailure, type SessionFailure } from '../../../../edge-agent/recorder/session-failure';
import { SESSION_FAILURE_CAUSES } from '../../../../shared/contracts/device-events';
import { MEDIA_DIR } from '../../../../testbed/rtsp-server';

/** ffmpeg's stderr of real failed sessions (test/fixtures/ffmpeg-stderr/capture.sh made them), last line `# exit N`. */
const TRANSCRIPTS = path.join(path.dirname(MEDIA_DIR), 'ffmpeg-stderr');

interface Replay {
  failure: SessionFailure;
  /** Index of the line at which the reader asked to end the session at once, if it did. */
  refusedAt?: number;
  lines: string[];
}

/**
 * Replays one transcript as the recorder would: every line at 0 ms after ffmpeg started, except the last
 * `lastLineAfterMs` later (ffmpeg's socket timeout); `exit` from the transcript's `# exit N` (124: `timeout` sent
 * SIGINT, which the recorder never does; its sessions end by exit code or by its own SIGKILL).
 */
function replay(name: string, opts: { lastLineAfterMs?: number; stalled?: boolean; credentialsConfigured?: boolean } = {}): Replay {
  const all = readFileSync(path.join(TRANSCRIPTS, `${name}.txt`), 'utf8').split('\n').filter((l) => l !== '');
  const exit = Number(/^# exit (\d+)$/.exec(all.pop()!)![1]);
  const reader = new SessionFailureReader(1_000_000, opts.credentialsConfigured);
  let refusedAt: number | undefined;
  all.forEach((l, i) => {
    const at = 1_000_000 + (i === all.length - 1 ? (opts.lastLineAfterMs ?? 0) : 0);
    if (reader.line(l, at) && refusedAt === undefined) refusedAt = i;
  });
  const code = exit === 124 ? null : exit;
  return { failure: reader.end({ code, signal: exit === 124 ? 'SIGKILL' : null, stalled: opts.stalled ?? false }), refusedAt, lines: all };
}

const BUILDS = ['5.1', '2018'] as const;

describe('SessionFailureReader (why a recording session ended, from real ffmpeg 5.1 and 2018-build stderr)', () => {
  for (const build of BUILDS) {
    describe(`ffmpeg ${build}`, () => {
      it('a port nothing listens on: connection-refused, naming the address', () => {
        assert.deepEqual(replay(`connection-refused.${build}`).failure, { cause: 'connection-refused', message: 'connection refused by 127.0.0.1:1' });
      });

      it('a wrong password: unauthorized, wrong username or password; no credentials at all: says none is configured', () => {
        const wrong = replay(`unauthorized-wrong-password.${build}`);
        assert.deepEqual(wrong.failure, { cause: 'unauthorized', message: 'wrong username or password (401 Unauthorized)' });
        assert.ok(wrong.lines.some((l) => l.includes('alice:wrong@')), 'the transcript holds the credentials…');
        assert.doesNotMatch(JSON.stringify(wrong.failure), /wrong@|alice/, '…the failure does not');
        assert.deepEqual(replay(`unauthorized-no-credentials.${build}`).failure, {
          cause: 'unauthorized',
          message: 'the camera asks for a username and password (401 Unauthorized); none is configured',
        });
      });

      it('a wrong path: not-found, naming the path and not the credentials', () => {
        assert.deepEqual(replay(`not-found.${build}`).failure, { cause: 'not-found', message: 'no stream at path /nothing (404 Not Found)' });
      });

      it('an MJPEG stream: refused at its input stream line (ffmpeg would record it as an unplayable data stream)', () => {
        const r = replay(`mjpeg.${build}`);
        assert.deepEqual(r.failure, { cause: 'unsupported-codec', message: "video mjpeg is not H.264 or H.265: not recorded (set the camera's encoder to H.264 or H.265)" });
        assert.match(r.lines[r.refusedAt!], /^\s+Stream #0:0: Video: mjpeg/, 'refused at the line that names the codec, before any segment is written');
        assert.ok(r.lines.slice(r.refusedAt! + 1).some((l) => /segment:'.*' starts with packet/.test(l)), 'left running, this ffmpeg went on to write segments');
      });

      it('an audio-only stream: unsupported-codec, naming the audio', () => {
        const r = replay(`audio-only.${build}`);
        assert.deepEqual(r.failure, { cause: 'unsupported-codec', message: 'the stream has no video (audio pcm_mulaw only): not recorded' });
        assert.notEqual(r.refusedAt, undefined);
      });

      it('a stream whose first packet has no timestamps (B-frames): timestamps, with the muxer\'s words', () => {
        const r = replay(`timestamps.${build}`);
        assert.equal(r.failure.cause, 'timestamps');
        assert.match(r.failure.message, build === '5.1' ? /first pts and dts value must be set$/ : /first pts value must be set$/);
      });

      it('the camera stops serving mid-recording (ffmpeg exits 0 unasked): stream-ended', () => {
        assert.deepEqual(replay(`stream-ended.${build}`).failure, { cause: 'stream-ended', message: 'the camera ended the stream' });
      });

      it('a full disk: storage', () => {
        assert.deepEqual(replay(`storage.${build}`).failure, { cause: 'storage', message: 'the cache is not writable: No space left on device' });
      });

      it('a server that accepts the connection and stays silent: timeout after ffmpeg\'s socket timeout, stream-ended when it gives up at once', () => {
        assert.deepEqual(replay(`silent-server.${build}`, { lastLineAfterMs: 2000 }).failure, {
          cause: 'timeout',
          message: `127.0.0.1:${/port (\d+)/.exec(replay(`silent-server.${build}`).lines[0])![1]} accepted the connection but sent no RTSP answer`,
        });
        assert.equal(replay(`silent-server.${build}`, { lastLineAfterMs: 20 }).failure.cause, 'stream-ended');
      });
    });
  }

  it('a host name ffmpeg resolves itself (http inputs, ffmpeg 5.1): dns', () => {
    assert.deepEqual(replay('dns.5.1').failure, { cause: 'dns', message: "camera host 'camera.invalid' does not resolve: Name or service not known" });
  });

  it('a session the watchdog ended: timeout, saying how far it got', () => {
    const r = new SessionFailureReader(0);
    r.line('[tcp @ 0x55c1] Starting connection attempt to 10.0.0.5 port 554', 0);
    assert.deepEqual(r.end({ code: null, signal: 'SIGKILL', stalled: true }), { cause: 'timeout', message: 'no answer from 10.0.0.5:554: the watchdog ended the session' });
    const streaming = replay('stream-ended.5.1');
    assert.equal(streaming.failure.cause, 'stream-ended');
    const r2 = new SessionFailureReader(0);
    for (const l of streaming.lines.slice(0, -12)) r2.line(l, 0);
    assert.deepEqual(r2.end({ code: null, signal: 'SIGKILL', stalled: true }), { cause: 'timeout', message: 'no packet from the camera: the watchdog ended the session' });
  });

  // Lines not captured here; their text is ffmpeg's (libavutil/error.c, libavformat/rtsp.c, libavformat/mux.c).
  it('403, an unreachable host, a reset connection, another RTSP status, a crash, an unknown exit', () => {
    const one = (lines: string[], exit: { code: number | null; signal: string | null } = { code: 1, signal: null }) => {
      const r = new SessionFailureReader(0);
      for (const l of lines) r.line(l, 0);
      return r.end({ ...exit, stalled: false });
    };
    assert.equal(one(['[rtsp @ 0x1] method DESCRIBE failed: 403 Forbidden', 'rtsp://a:b@10.0.0.5/s: Server returned 403 Forbidden (access denied)']).cause, 'unauthorized');
    assert.deepEqual(one(['[tcp @ 0x1] Starting connection attempt to 10.0.0.5 port 554', '[tcp @ 0x1] Connection to tcp://10.0.0.5:554?timeout=0 failed: No route to host']), {
      cause: 'timeout',
      message: 'no answer from 10.0.0.5:554 (No route to host)',
    });
    assert.equal(one(['rtsp://10.0.0.5/s: Connection reset by peer']).cause, 'stream-ended');
    assert.deepEqual(one(['[rtsp @ 0x1] method SETUP failed: 461 Unsupported transport']), {
      cause: 'unknown',
      message: 'the camera refused RTSP SETUP: 461 Unsupported transport (try the other RTSP transport: rtspTransport tcp or udp)',
    });
    assert.equal(one(['[segment @ 0x1] Application provided invalid, non monotonically increasing dts to muxer in stream 0: 5 >= 3']).cause, 'timestamps');
    assert.deepEqual(one([], { code: null, signal: 'SIGSEGV' }), { cause: 'unknown', message: 'ffmpeg crashed (SIGSEGV)' });
    assert.deepEqual(one(['Error opening output files: Invalid argument'], { code: 1, signal: null }), { cause: 'unknown', message: 'ffmpeg exited with code 1: Error opening output files: Invalid argument' });
  });

  it('through the RTSP relay (ffmpeg\'s URL has no credentials): a 401 is worded from the camera\'s configured credentials', () => {
    // The relay answers the camera's challenge; ffmpeg connects to it without userinfo, so its URL lines cannot say.
    assert.equal(replay('unauthorized-no-credentials.5.1', { credentialsConfigured: true }).failure.message, 'wrong username or password (401 Unauthorized)');
    assert.equal(replay('unauthorized-wrong-password.5.1', { credentialsConfigured: false }).failure.message, 'the camera asks for a username and password (401 Unauthorized); none is configured');
  });

  it("through the RTSP relay: the relay's error with the camera names the cause ffmpeg could not see", () => {
    const at = '192.0.2.7:554';
    assert.deepEqual(relayUpstreamFailure({ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 192.0.2.7:554' }, at), { cause: 'connection-refused', message: 'connection refused by 192.0.2.7:554' });
    for (const code of ['ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']) assert.equal(relayUpstreamFailure({ code, message: `connect ${code}` }, at).cause, 'timeout', code);
    for (const code of ['ENOTFOUND', 'EAI_AGAIN']) assert.equal(relayUpstreamFailure({ code, message: code }, at).cause, 'dns', code);
    assert.deepEqual(relayUpstreamFailure({ code: 'ECONNRESET', message: 'read ECONNRESET' }, at), { cause: 'stream-ended', message: 'the connection to 192.0.2.7:554 ended: read ECONNRESET' });
  });

  it('a name the agent could not resolve: dns with camera-host.ts\'s words', () => {
    assert.deepEqual(hostResolutionFailure(new Error("camera host 'door.invalid' does not resolve: ENOTFOUND")), { cause: 'dns', message: "camera host 'door.invalid' does not resolve: ENOTFOUND" });
  });

  it('each cause has a diagnostics kind; credentials, paths and codecs retry slowly, the rest as before', () => {
    assert.deepEqual(
      Object.fromEntries(SESSION_FAILURE_CAUSES.map((c) => [c, diagnosticKindOf(c)])),
      {
        dns: 'protocol-error',
        'connection-refused': 'protocol-error',
        timeout: 'protocol-error',
        unauthorized: 'authorization-error',
        'not-found': 'protocol-error',
        'unsupported-codec': 'unsupported-format',
        timestamps: 'protocol-error',
        'stream-ended': 'protocol-error',
        storage: 'storage-error',
        unknown: 'protocol-error',
      },
    );
    assert.deepEqual([...SLOW_RETRY_CAUSES].sort(), ['not-found', 'unauthorized', 'unsupported-codec']);
  });
});
