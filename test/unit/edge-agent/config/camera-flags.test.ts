import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCameraFlags } from '../../../../edge-agent/config/camera-flags';
import { parseAgentConfig } from '../../../../shared/schemas/agent-config';

describe('--camera and --rtsp-transport flags', () => {
  it('gives a named camera its RTSP transport; the others keep the default (tcp)', () => {
    const cameras = parseCameraFlags(['door=rtsp://10.0.0.5/s?a=b', 'yard=rtsp://10.0.0.6/live'], ['door=udp']);
    assert.deepEqual(cameras, [
      { id: 'door', url: 'rtsp://10.0.0.5/s?a=b', rtspTransport: 'udp' },
      { id: 'yard', url: 'rtsp://10.0.0.6/live' },
    ]);
    const parsed = parseAgentConfig({ deviceId: 'd', cameras, broker: { url: 'mqtt://h' }, upload: { connectionString: 'x' } }).cameras;
    assert.deepEqual(parsed.map((c) => c.rtspTransport), ['udp', 'tcp']);
  });

  it('refuses a transport for no camera, an unknown transport and malformed values, naming the flag', () => {
    assert.throws(() => parseCameraFlags(['door=rtsp://h/s'], ['gate=udp']), /--rtsp-transport "gate=udp": no --camera gate=URL is given/);
    assert.throws(() => parseCameraFlags(['door=rtsp://h/s'], ['door=sctp']), /transport must be tcp, udp or http/);
    assert.throws(() => parseCameraFlags(['door=rtsp://h/s'], ['udp']), /expected ID=tcp\|udp\|http/);
    assert.throws(() => parseCameraFlags(['rtsp://h/s']), /--camera "rtsp:\/\/h\/s": expected ID=URL/);
  });
});
