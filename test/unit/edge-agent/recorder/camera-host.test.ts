import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveCameraHost } from '../../../../edge-agent/recorder/camera-host';

/** localhost through the machine's own resolver (/etc/hosts): IPv4 or IPv6 depending on its order. */
const LOCAL = /^(127\.0\.0\.1|\[::1\])$/;

describe('resolveCameraHost: the camera URL with its host resolved in Node, for the bundled ffmpeg', () => {
  it('replaces a host name by its address and keeps credentials, port, path and query as written', async () => {
    const out = await resolveCameraHost('rtsp://admin:p%40ss%3Aw@localhost:8554/Streaming/Channels/101?transport=tcp');
    const m = /^rtsp:\/\/admin:p%40ss%3Aw@(.+):8554\/Streaming\/Channels\/101\?transport=tcp$/.exec(out);
    assert.ok(m, out);
    assert.match(m[1], LOCAL);
  });

  it('works without a port, without credentials and with an upper-case name', async () => {
    assert.match(await resolveCameraHost('rtsp://LOCALHOST/stream'), /^rtsp:\/\/(127\.0\.0\.1|\[::1\])\/stream$/);
    assert.match(await resolveCameraHost('rtsps://localhost:322'), /^rtsps:\/\/(127\.0\.0\.1|\[::1\]):322$/);
  });

  it('leaves addresses, files, lavfi and http(s) inputs alone', async () => {
    for (const url of ['rtsp://10.0.0.5:554/s', 'rtsp://u:p@[fe80::1]:554/s', '/var/media/clip.mp4', 'testsrc2=size=640x360:rate=15', 'rtsp:///nohost', 'https://localhost/live.m3u8', 'http://localhost:8080/mjpeg']) {
      assert.equal(await resolveCameraHost(url), url);
    }
  });

  it('a name that does not resolve is a clear error naming the host', async () => {
    await assert.rejects(resolveCameraHost('rtsp://user:secret@camera-lobby.invalid:554/s'), (err: Error) => {
      assert.match(err.message, /^camera host 'camera-lobby\.invalid' does not resolve: (ENOTFOUND|EAI_AGAIN)/);
      assert.doesNotMatch(err.message, /secret/);
      return true;
    });
  });
});
