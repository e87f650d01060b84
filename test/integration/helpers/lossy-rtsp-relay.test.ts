import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { cameraClip, DEBIAN_FFMPEG } from '../../helpers/camera-clips';
import { startLossyRtspRelay } from '../../helpers/lossy-rtsp-relay';
import { startRtspServer, type RtspServer } from '../../../testbed/rtsp-server';

/** Reads `url` over RTSP/UDP for `seconds` with Debian's ffmpeg (copy to null); resolves with its stderr (warnings). */
function readOverUdp(url: string, seconds: number): Promise<string> {
  return new Promise((resolve) => {
    const child = spawn(DEBIAN_FFMPEG, ['-hide_banner', '-nostdin', '-v', 'warning', '-rtsp_transport', 'udp', '-i', url, '-t', String(seconds), '-map', '0', '-c', 'copy', '-f', 'null', '-'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', () => resolve(err));
  });
}

describe('Lossy RTSP-over-UDP relay (test/helpers/lossy-rtsp-relay.ts) in front of GStreamer’s server', () => {
  let gst: RtspServer;

  before(async () => {
    gst = await startRtspServer({ mounts: { '/cam': (await cameraClip('h264-high-bframes-aac-720p25')).path } });
  });

  after(async () => {
    await gst?.stop();
  });

  it('at rate 0 relays every RTP datagram of both streams: the client misses nothing', async () => {
    const relay = await startLossyRtspRelay({ upstreamPort: gst.port, rtpLossRate: 0 });
    try {
      const warnings = await readOverUdp(relay.url('/cam'), 4);
      const stats = relay.stats();
      assert.equal(stats.udpSetups, 2, 'video and audio set up through the relay');
      assert.ok(stats.rtpForwarded > 200 && stats.rtpDropped === 0, JSON.stringify(stats));
      assert.doesNotMatch(warnings, /RTP: missed/);
    } finally {
      await relay.close();
    }
  });

  it('at 5 % drops about that share, and the client sees the holes (RTP: missed N packets)', async () => {
    const relay = await startLossyRtspRelay({ upstreamPort: gst.port, rtpLossRate: 0.05, seed: 7 });
    try {
      const warnings = await readOverUdp(relay.url('/cam'), 4);
      const { rtpDropped, rtpForwarded } = relay.stats();
      const share = rtpDropped / (rtpDropped + rtpForwarded);
      assert.ok(share > 0.02 && share < 0.1, `dropped ${rtpDropped} of ${rtpDropped + rtpForwarded}`);
      assert.match(warnings, /RTP: missed \d+ packets/);
    } finally {
      await relay.close();
    }
  });
});
