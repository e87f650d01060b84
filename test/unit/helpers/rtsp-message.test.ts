import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rtspHeader, rtspMethod, rtspStatus, RtspStreamReader, serializeRtsp, setRtspHeader } from '../../helpers/rtsp-message';

describe('RTSP messages of the test tools (test/helpers/rtsp-message.ts)', () => {
  const sdp = 'v=0\r\nm=video 0 RTP/AVP 96\r\n';
  const describeAnswer = `RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`;

  it('reads a response with its body whatever the chunking, then an interleaved frame, then a request', () => {
    const frame = Buffer.from([0x24, 1, 0, 3, 7, 8, 9]);
    const bytes = Buffer.concat([Buffer.from(describeAnswer), frame, Buffer.from('OPTIONS rtsp://h/x RTSP/1.0\r\nCSeq: 3\r\n\r\n')]);
    for (const size of [1, 5, 64, bytes.length]) {
      const reader = new RtspStreamReader();
      const items = [];
      for (let at = 0; at < bytes.length; at += size) items.push(...reader.push(bytes.subarray(at, at + size)));
      assert.equal(items.length, 3, `chunks of ${size}`);
      const [answer, interleaved, request] = items;
      assert.ok(answer.kind === 'message' && interleaved.kind === 'interleaved' && request.kind === 'message');
      assert.equal(rtspStatus(answer.message), 200);
      assert.equal(answer.message.body.toString(), sdp);
      assert.equal(rtspHeader(answer.message, 'content-type'), 'application/sdp');
      assert.deepEqual([interleaved.channel, [...interleaved.data]], [1, [7, 8, 9]]);
      assert.equal(rtspMethod(request.message), 'OPTIONS');
      assert.equal(rtspStatus(request.message), undefined);
      assert.deepEqual(Buffer.concat(items.map((i) => i.raw)), bytes, 'raw bytes are the bytes read');
    }
  });

  it('a rewritten header keeps its place, loses its duplicates, and Content-Length follows the body', () => {
    const [item] = new RtspStreamReader().push(Buffer.from(describeAnswer));
    assert.ok(item.kind === 'message');
    const m = item.message;
    m.headers.push(['cseq', '9']);
    setRtspHeader(m, 'CSeq', '4');
    assert.deepEqual(m.headers.map(([n]) => n), ['CSeq', 'Content-Type', 'Content-Length']);
    m.body = Buffer.from('v=0\r\n');
    const text = serializeRtsp(m).toString();
    assert.equal(text, 'RTSP/1.0 200 OK\r\nCSeq: 4\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n');
  });

  it('refuses a header block that never ends and a bad Content-Length', () => {
    assert.throws(() => new RtspStreamReader().push(Buffer.alloc(70 * 1024, 0x41)), /no end of headers/);
    assert.throws(() => new RtspStreamReader().push(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n')), /bad Content-Length/);
  });
});
