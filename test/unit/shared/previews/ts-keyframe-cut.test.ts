import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cutBytes, keyframeCut } from '../../../../shared/previews/ts-keyframe-cut';

/** One 188-byte TS packet: header, an optional adaptation field (random access flag), the payload, stuffing. */
function packet(pid: number, payload: number[], o: { unitStart?: boolean; randomAccess?: boolean } = {}): number[] {
  const out = [0x47, (o.unitStart ? 0x40 : 0) | (pid >> 8), pid & 0xff];
  if (o.randomAccess) out.push(0x30, 1, 0x40); // adaptation field + payload; length 1, flags: random_access_indicator
  else out.push(0x10);
  out.push(...payload);
  while (out.length < 188) out.push(0xff);
  return out;
}

const section = (tableId: number, body: number[]) => {
  const length = body.length + 5 + 4; // after the length field: 5 header bytes, body, CRC
  return [0, tableId, 0xb0 | (length >> 8), length & 0xff, 0, 1, 0xc1, 0, 0, ...body, 0, 0, 0, 0];
};
const PAT = packet(0, section(0x00, [0, 1, 0xe0 | 0x10, 0x00]), { unitStart: true }); // program 1 → PMT PID 0x1000
const PMT = packet(0x1000, section(0x02, [0xe1, 0x00, 0xf0, 0x00, 0x0f, 0xe1, 0x01, 0xf0, 0x00, 0x1b, 0xe1, 0x00, 0xf0, 0x00]), { unitStart: true }); // PCR 0x100; AAC on 0x101, H.264 on 0x100

function pes(pts: number): number[] {
  const b = [0x21 | (Math.floor(pts / 2 ** 30) << 1), Math.floor(pts / 2 ** 22) & 0xff, ((Math.floor(pts / 2 ** 15) & 0x7f) << 1) | 1, Math.floor(pts / 2 ** 7) & 0xff, ((pts & 0x7f) << 1) | 1];
  return [0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5, ...b, 0, 0, 0, 1, 0x09];
}
/** Video frames every 100 ms (9000 ticks) from `firstPts`, a keyframe every `gop` frames, each followed by one continuation packet; an audio PES in between. */
function stream(firstPts: number, frames: number, gop: number): Uint8Array {
  const bytes = [...packet(0x11, [0]), ...PAT, ...PMT];
  for (let i = 0; i < frames; i++) {
    bytes.push(...packet(0x100, pes(firstPts + i * 9000), { unitStart: true, randomAccess: i % gop === 0 }));
    bytes.push(...packet(0x100, [1, 2, 3]));
    bytes.push(...packet(0x101, pes(firstPts + i * 9000 - 3000), { unitStart: true }));
  }
  return Uint8Array.from(bytes);
}

describe('keyframeCut', () => {
  const ts = stream(1_575_000, 40, 10); // 4 s at 10 fps, keyframes at 0, 1, 2, 3 s

  it('starts at the last keyframe at or before the instant, counted from the first video frame', () => {
    const at = (ms: number) => keyframeCut(ts, ms)!;
    assert.equal(at(0).keyframePts, 1_575_000);
    assert.equal(at(999).keyframePts, 1_575_000);
    assert.equal(at(1000).keyframePts, 1_575_000 + 90_000, 'a keyframe exactly at the instant');
    assert.deepEqual(at(2300), { firstPts: 1_575_000, keyframePts: 1_575_000 + 180_000, targetPts: 1_575_000 + 207_000, keyframeByte: (3 + 20 * 3) * 188, tableBytes: [188, 376] });
    assert.equal(at(60_000).keyframePts, 1_575_000 + 270_000, 'past the end: the last keyframe');
  });

  it('cuts to the PAT, the PMT and everything from the keyframe', () => {
    const cut = keyframeCut(ts, 2300)!;
    const bytes = cutBytes(ts, cut);
    assert.equal(bytes.length, 2 * 188 + ts.length - cut.keyframeByte);
    assert.deepEqual([...bytes.subarray(0, 188)], PAT);
    assert.deepEqual([...bytes.subarray(188, 376)], PMT);
    assert.deepEqual([...bytes.subarray(376)], [...ts.subarray(cut.keyframeByte)]);
    assert.deepEqual(keyframeCut(bytes, 0)!.firstPts, cut.keyframePts, 'the cut is a stream of its own, starting at the keyframe');
  });

  it('gives up (the caller decodes the whole segment) on what it cannot read', () => {
    assert.equal(keyframeCut(ts.subarray(1), 0), undefined, 'not whole packets');
    const unsynced = Uint8Array.from(ts);
    unsynced[188 * 5] = 0;
    assert.equal(keyframeCut(unsynced, 0), undefined, 'a lost sync byte');
    assert.equal(keyframeCut(ts.subarray(0, 376), 0), undefined, 'no PMT, no video');
    assert.equal(keyframeCut(Uint8Array.from([...packet(0x11, [0]), ...PAT, ...PMT, ...packet(0x100, [1, 2, 3])]), 0), undefined, 'no PTS');
    const wrapped = Uint8Array.from([...stream(2 ** 33 - 9000, 2, 1), ...stream(0, 2, 1).subarray(3 * 188)]);
    assert.equal(keyframeCut(wrapped, 100), undefined, 'timestamps wrapping inside the segment');
  });
});
