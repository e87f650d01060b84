import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RTCP_RR, RTCP_SR, filterSenderReports, senderReportState } from '../../../../edge-agent/recorder/rtcp-sender-reports';
import { digestResponse, pickChallenge } from '../../../../edge-agent/recorder/rtsp-auth';
import { RtspStreamParser, interleavedFrame, serializeRtspMessage, type RtspStreamItem } from '../../../../edge-agent/recorder/rtsp-stream-parser';
import { sdpMedia } from '../../../../edge-agent/recorder/sdp-media';

/** An RTCP SR (RFC 3550 §6.4.1) with `blocks` report blocks of 24 bytes. */
function sr(ssrc: number, ntp: bigint, rtp: number, blocks = 0): Buffer {
  const b = Buffer.alloc(28 + 24 * blocks);
  b[0] = 0x80 | blocks;
  b[1] = RTCP_SR;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(ssrc, 4);
  b.writeBigUInt64BE(ntp, 8);
  b.writeUInt32BE(rtp, 16);
  b.writeUInt32BE(123, 20);
  b.writeUInt32BE(45678, 24);
  for (let i = 0; i < blocks; i++) b.fill(0x11 + i, 28 + 24 * i, 52 + 24 * i);
  return b;
}

/** An RTCP SDES with one CNAME chunk (padded to 32 bits). */
function sdes(ssrc: number, cname: string): Buffer {
  const items = Buffer.concat([Buffer.from([1, cname.length]), Buffer.from(cname), Buffer.from([0])]);
  const padded = Buffer.concat([items, Buffer.alloc((4 - (items.length % 4)) % 4)]);
  const b = Buffer.concat([Buffer.alloc(8), padded]);
  b[0] = 0x81;
  b[1] = 202;
  b.writeUInt16BE(b.length / 4 - 1, 2);
  b.writeUInt32BE(ssrc, 4);
  return b;
}

/** RTCP packets of a compound packet: [type, bytes]. */
function parts(p: Buffer): Array<[number, Buffer]> {
  const out: Array<[number, Buffer]> = [];
  for (let at = 0; at < p.length; ) {
    const n = (p.readUInt16BE(at + 2) + 1) * 4;
    out.push([p[at + 1], p.subarray(at, at + n)]);
    at += n;
  }
  return out;
}

const describeReq = 'DESCRIBE rtsp://127.0.0.1:5000/cam RTSP/1.0\r\nCSeq: 2\r\nAccept: application/sdp\r\n\r\n';
const sdp = 'v=0\r\nm=video 0 RTP/AVP 96\r\na=control:trackID=0\r\n';
const response = `RTSP/1.0 200 OK\r\nCSeq: 2\r\nContent-Type: application/sdp\r\nContent-Length: ${sdp.length}\r\n\r\n${sdp}`;
const keepalive = 'RTSP/1.0 200 OK\r\nCSeq: 7\r\n\r\n';
const stream = Buffer.concat([
  Buffer.from(describeReq),
  interleavedFrame(0, Buffer.alloc(1400, 0xab)),
  Buffer.from(response),
  interleavedFrame(1, Buffer.from([0x24, 0x0d, 0x0a])), // payload bytes that look like '$' and CRLF
  Buffer.from(keepalive),
  interleavedFrame(2, Buffer.alloc(0)),
]);

function summary(items: RtspStreamItem[]): string[] {
  return items.map((i) => (i.kind === 'frame' ? `$${i.channel}:${i.payload.length}:${i.payload.toString('hex').slice(0, 8)}` : `${i.message.startLine}|${i.message.headers.map((h) => h.join('=')).join(',')}|${i.message.body.toString()}`));
}

describe('rtsp relay: interleaved stream parser (RFC 2326 §10.12)', () => {
  const whole = summary(new RtspStreamParser().push(stream));

  it('splits messages with bodies and $ frames in order', () => {
    assert.deepEqual(whole, [
      'DESCRIBE rtsp://127.0.0.1:5000/cam RTSP/1.0|CSeq=2,Accept=application/sdp|',
      `$0:1400:abababab`,
      `RTSP/1.0 200 OK|CSeq=2,Content-Type=application/sdp,Content-Length=${sdp.length}|${sdp}`,
      '$1:3:240d0a',
      'RTSP/1.0 200 OK|CSeq=7|',
      '$2:0:',
    ]);
  });

  it('gives the same items whatever the chunking: every split point, byte by byte, random chunks', () => {
    for (let cut = 1; cut < stream.length; cut++) {
      const p = new RtspStreamParser();
      assert.deepEqual(summary([...p.push(stream.subarray(0, cut)), ...p.push(stream.subarray(cut))]), whole, `cut at ${cut}`);
      assert.equal(p.pendingBytes, 0);
    }
    const p = new RtspStreamParser();
    const items: RtspStreamItem[] = [];
    for (let i = 0; i < stream.length; i++) items.push(...p.push(stream.subarray(i, i + 1)));
    assert.deepEqual(summary(items), whole);
    let seed = 7;
    for (let round = 0; round < 50; round++) {
      const q = new RtspStreamParser();
      const got: RtspStreamItem[] = [];
      for (let at = 0; at < stream.length; ) {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        const n = 1 + (seed % 300);
        got.push(...q.push(stream.subarray(at, at + n)));
        at += n;
      }
      assert.deepEqual(summary(got), whole);
    }
  });

  it('waits for an incomplete body or frame, and refuses what is not RTSP', () => {
    const p = new RtspStreamParser();
    assert.deepEqual(p.push(Buffer.from(response.slice(0, -3))), []);
    assert.equal(summary(p.push(Buffer.from(response.slice(-3)))).length, 1);
    assert.deepEqual(p.push(interleavedFrame(0, Buffer.alloc(10)).subarray(0, 13)), []);
    assert.throws(() => new RtspStreamParser().push(Buffer.from('HTTP/1.1 200 OK\r\n\r\n')), /not a start line/);
    assert.throws(() => new RtspStreamParser().push(Buffer.from('RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n')), /Content-Length/);
    assert.throws(() => new RtspStreamParser().push(Buffer.alloc(70 * 1024, 0x41)), /no end of headers/);
  });

  it('serializes a message with Content-Length set from its body', () => {
    const [item] = new RtspStreamParser().push(Buffer.from(response));
    assert.equal(item.kind, 'message');
    if (item.kind !== 'message') return;
    item.message.body = Buffer.from(sdp + 'a=x\r\n');
    const again = new RtspStreamParser().push(serializeRtspMessage(item.message));
    assert.equal(again.length, 1);
    assert.equal(again[0].kind === 'message' && again[0].message.body.toString(), sdp + 'a=x\r\n');
  });
});

describe('rtsp relay: sender-report filter (RFC 3550, SR = PT 200)', () => {
  const ntp0 = 0xe000_0000_8000_0000n;

  it('passes the first SR as sent and re-times later ones onto the RTP clock, SDES untouched', () => {
    const st = senderReportState(90_000);
    const first = Buffer.concat([sr(1, ntp0, 4_000_000_000), sdes(1, 'cam')]);
    assert.equal(filterSenderReports(first, st), first);
    // 10 s later by RTP (wrapping past 2^32), but the camera's NTP says 10.033 s.
    const rtp2 = (4_000_000_000 + 900_000) % 2 ** 32;
    const second = Buffer.concat([sr(1, ntp0 + 10n * 2n ** 32n + 141_733_920n, rtp2), sdes(1, 'cam')]);
    const out = filterSenderReports(second, st);
    const [[t1, p1], [t2, p2]] = parts(out);
    assert.equal(t1, RTCP_SR);
    assert.equal(p1.readBigUInt64BE(8), ntp0 + 10n * 2n ** 32n, 'NTP = first + 900000 ticks / 90 kHz');
    assert.equal(p1.readUInt32BE(16), rtp2);
    assert.deepEqual(p1.subarray(20), second.subarray(20, 28), 'packet and octet counts kept');
    assert.equal(t2, 202);
    assert.deepEqual(p2, sdes(1, 'cam'));
    assert.deepEqual({ seen: st.seen, forwarded: st.forwarded, retimed: st.retimed, dropped: st.dropped }, { seen: 2, forwarded: 1, retimed: 1, dropped: 0 });
  });

  it("re-timed reports make ffmpeg's addend exactly the RTP ticks since the first (av_rescale, nearest)", () => {
    for (const rate of [90_000, 48_000, 16_000, 8000, 44_100]) {
      const st = senderReportState(rate);
      filterSenderReports(sr(9, ntp0, 1000), st);
      let ticks = 0n; // RTP ticks since the first report, unwrapped
      for (let i = 0; i < 200; i++) {
        ticks += 1_234_567n * BigInt(i + 1); // wraps the 32-bit RTP timestamp about 5 times
        const ts = Number((1000n + ticks) % 2n ** 32n);
        const out = filterSenderReports(sr(9, ntp0 + BigInt(i) * 77_777_777n, ts), st);
        const ntpDiff = out.readBigUInt64BE(8) - ntp0;
        const addend = (ntpDiff * BigInt(rate) + 2n ** 31n) / 2n ** 32n; // av_rescale(ntpDiff, rate, 2^32), to nearest
        assert.equal(addend, ticks, `rate ${rate}, report ${i}`);
      }
    }
  });

  it('without a clock rate turns later SRs into RRs (report blocks kept, compound valid)', () => {
    const st = senderReportState(undefined);
    filterSenderReports(sr(1, ntp0, 0), st);
    const later = Buffer.concat([sr(1, ntp0 + 2n ** 32n, 90_000, 1), sdes(1, 'cam')]);
    const out = filterSenderReports(later, st);
    const [[t1, p1], [t2]] = parts(out);
    assert.equal(t1, RTCP_RR);
    assert.equal(p1.length, 8 + 24);
    assert.equal(p1[0] & 0x1f, 1, 'report count kept');
    assert.equal(p1.readUInt32BE(4), 1, 'SSRC kept');
    assert.deepEqual(p1.subarray(8), later.subarray(28, 52), 'report block kept');
    assert.equal(t2, 202);
    assert.equal(out.length, later.length - 20);
    assert.deepEqual({ seen: st.seen, forwarded: st.forwarded, dropped: st.dropped }, { seen: 2, forwarded: 1, dropped: 1 });
  });

  it("takes out every SR of a stream marked noReports (its RTP reached ffmpeg before its first report)", () => {
    const st = senderReportState(90_000);
    st.noReports = true;
    for (const n of [0n, 1n]) {
      const out = filterSenderReports(Buffer.concat([sr(1, ntp0 + n * 2n ** 32n, 1000), sdes(1, 'cam')]), st);
      assert.deepEqual(parts(out).map(([t]) => t), [RTCP_RR, 202]);
    }
    assert.deepEqual({ seen: st.seen, forwarded: st.forwarded, retimed: st.retimed, dropped: st.dropped }, { seen: 2, forwarded: 0, retimed: 0, dropped: 2 });
  });

  it('leaves other RTCP and malformed packets as they are', () => {
    const st = senderReportState(90_000);
    const bye = Buffer.from([0x81, 203, 0, 1, 0, 0, 0, 1]);
    assert.equal(filterSenderReports(bye, st), bye);
    const junk = Buffer.from([0x00, 200, 0, 6, 1, 2, 3]);
    assert.equal(filterSenderReports(junk, st), junk);
    assert.equal(st.seen, 0);
  });
});

describe('rtsp relay: authentication (RFC 2617)', () => {
  it('computes the digest of the RFC 2617 §3.5 example (qop=auth)', () => {
    assert.equal(
      digestResponse({ username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html', qop: 'auth', nc: '00000001', cnonce: '0a4f113b' }),
      '6629fae49393a05397450978507c4ef1',
    );
  });

  it('computes the digest without qop as MD5(HA1:nonce:HA2) (RFC 2069 compatibility)', () => {
    // HA1 = MD5("Mufasa:testrealm@host.com:Circle Of Life") = 939e7578ed9e3c518a452acee763bce9 (RFC 2617 §3.5's HA1)
    // HA2 = MD5("GET:/dir/index.html") = 39aff3a2bab6126f332b942af96d3366
    // MD5("939e…bce9:dcd98b7102dd2f0e8b11d0f600bfb0c093:39af…3366"), computed independently with Python's hashlib
    assert.equal(
      digestResponse({ username: 'Mufasa', password: 'Circle Of Life', realm: 'testrealm@host.com', nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093', method: 'GET', uri: '/dir/index.html' }),
      '670fd8c2df070c60b045671b8b24ff02',
    );
  });

  it('prefers Digest (MD5) over Basic and reads quoted parameters', () => {
    const c = pickChallenge(['Basic realm="cam"', 'Digest realm="IP Camera(1234)", nonce="a, b", qop="auth", stale="FALSE"']);
    assert.deepEqual(c, { scheme: 'digest', params: { realm: 'IP Camera(1234)', nonce: 'a, b', qop: 'auth', stale: 'FALSE' } });
    assert.equal(pickChallenge(['Digest realm="x", nonce="n", algorithm=SHA-256', 'Basic realm="x"'])?.scheme, 'basic');
    assert.equal(pickChallenge(['Negotiate abc']), undefined);
  });
});

describe('rtsp relay: SDP clock rates', () => {
  it('takes the clock rate of each media section from its first payload type (rtpmap or static)', () => {
    const s = 'v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:rtsp://cam/s/trackID=1\r\nm=audio 0 RTP/AVP 97\r\na=rtpmap:97 mpeg4-generic/48000/2\r\na=control:trackID=2\r\nm=audio 0 RTP/AVP 0\r\na=control:trackID=3\r\nm=application 0 RTP/AVP 107\r\n';
    assert.deepEqual(sdpMedia(s), [
      { control: 'rtsp://cam/s/trackID=1', clockRateHz: 90000 },
      { control: 'trackID=2', clockRateHz: 48000 },
      { control: 'trackID=3', clockRateHz: 8000 },
      { control: undefined, clockRateHz: undefined },
    ]);
  });
});
