import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SegmentTimeline } from '../../../../edge-agent/recorder/segment-timeline';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

describe('SegmentTimeline', () => {
  it('anchors on the smallest observed latency, not on the late first (burst) observation', () => {
    const tl = new SegmentTimeline();
    // The first packet (pts 0.1 s) arrived at T0+100 ms but ffmpeg probed for 2 s and wrote it late.
    tl.observeStart({ fileName: 's-000000.ts', ptsTimeS: 0.1 }, T0 + 2100);
    tl.observeStart({ fileName: 's-000001.ts', ptsTimeS: 4.1 }, T0 + 4130); // steady state: 30 ms latency
    const seg = tl.complete({ fileName: 's-000000.ts', startS: 0, endS: 4.1 }, T0 + 4130);
    assert.ok(seg);
    assert.equal(seg.startMs, T0 + 130);
    assert.equal(seg.durationMs, 4000); // from the first packet's pts (0.1 s), not the list's 0
    assert.equal(seg.chainStart, true);
  });

  it('a start line known only late (no wall time) keeps its segment\'s start but adds no observation', () => {
    const tl = new SegmentTimeline();
    tl.observeStart({ fileName: 's-000000.ts', ptsTimeS: 0.1 }, T0 + 130);
    tl.observeStart({ fileName: 's-000001.ts', ptsTimeS: 4.1 }, undefined); // read a second late, in a batch
    assert.equal(tl.hasStart('s-000001.ts'), true);
    assert.deepEqual(tl.anchor, { anchorMs: T0 + 30, final: false }, 'only the timely observation counts');
    tl.complete({ fileName: 's-000000.ts', startS: 0, endS: 4.1 }, T0 + 5200);
    const seg = tl.complete({ fileName: 's-000001.ts', startS: 0, endS: 8.1 }, T0 + 9200);
    assert.ok(seg);
    assert.equal(seg.startMs, T0 + 4130, 'starts at its start line\'s packet time, on the timely anchor');
  });

  it('makes consecutive segments abut exactly (no overlap, no false gap) despite jittery wall clock', () => {
    const tl = new SegmentTimeline();
    const ends: number[] = [];
    let prevEnd: number | undefined;
    for (let i = 0; i < 50; i++) {
      const startS = 1.4 + i * 3.96;
      const jitter = (i * 37) % 90; // 0..89 ms of delivery latency
      tl.observeStart({ fileName: `s-${i}.ts`, ptsTimeS: startS }, T0 + startS * 1000 + jitter);
      if (i === 0) continue;
      const seg = tl.complete({ fileName: `s-${i - 1}.ts`, startS: startS - 3.96, endS: startS }, T0);
      assert.ok(seg);
      if (prevEnd !== undefined) assert.equal(seg.startMs, prevEnd);
      prevEnd = seg.startMs + seg.durationMs;
      ends.push(prevEnd);
      assert.ok(Math.abs(seg.startMs - (T0 + (startS - 3.96) * 1000)) < 100);
    }
    assert.equal(ends.length, 49);
  });

  it('starts a new chain when the camera clock drifts past the limit, never overlapping', () => {
    const tl = new SegmentTimeline({ maxDriftMs: 500, window: 2 });
    tl.observeStart({ fileName: 'a.ts', ptsTimeS: 0 }, T0);
    tl.observeStart({ fileName: 'b.ts', ptsTimeS: 10 }, T0 + 10_000);
    const a = tl.complete({ fileName: 'a.ts', startS: 0, endS: 10 }, T0)!;
    // The camera's clock runs slow: muxer time 20 s arrives at wall 21 s (1 s of drift).
    tl.observeStart({ fileName: 'c.ts', ptsTimeS: 20 }, T0 + 21_000);
    tl.observeStart({ fileName: 'd.ts', ptsTimeS: 30 }, T0 + 31_000);
    const b = tl.complete({ fileName: 'b.ts', startS: 10, endS: 20 }, T0)!;
    assert.equal(a.startMs, T0);
    assert.equal(b.chainStart, true);
    assert.ok(b.startMs >= a.startMs + a.durationMs, 'no overlap');
    assert.equal(b.startMs + b.durationMs, T0 + 21_000);
  });

  it('keeps every segment when the wall clock steps back (NTP) or forward: contiguous back, a new chain forward', () => {
    const tl = new SegmentTimeline({ maxDriftMs: 500, window: 2 });
    const seen = (file: string, ptsS: number, wallMs: number) => tl.observeStart({ fileName: file, ptsTimeS: ptsS }, wallMs);
    seen('a.ts', 0, T0);
    seen('b.ts', 10, T0 + 10_000);
    const a = tl.complete({ fileName: 'a.ts', startS: 0, endS: 10 }, T0)!;
    // The clock steps back one hour between b and c.
    seen('c.ts', 20, T0 + 20_000 - 3_600_000);
    seen('d.ts', 30, T0 + 30_000 - 3_600_000);
    const b = tl.complete({ fileName: 'b.ts', startS: 10, endS: 20 }, T0)!;
    const c = tl.complete({ fileName: 'c.ts', startS: 20, endS: 30 }, T0)!;
    assert.ok(b && c, 'no segment dropped');
    assert.deepEqual([b.startMs, c.startMs, c.durationMs], [a.startMs + 10_000, a.startMs + 20_000, 10_000], 'contiguous on the session timeline');
    // And a step forward starts a new chain at the new clock, after the last end.
    seen('e.ts', 40, T0 + 40_000 + 3_600_000);
    seen('f.ts', 50, T0 + 50_000 + 3_600_000);
    const d = tl.complete({ fileName: 'd.ts', startS: 30, endS: 40 }, T0)!;
    assert.equal(d.chainStart, true);
    assert.ok(d.startMs >= c.startMs + c.durationMs && d.startMs + d.durationMs === T0 + 40_000 + 3_600_000);
  });

  it('a session that follows at once never starts before the previous one ended; a clock stepped back between sessions is followed', () => {
    // The previous session ended at T0 + 10 s; this one's anchor estimate puts its first packet 1.2 s earlier.
    const next = new SegmentTimeline({ notBeforeMs: T0 + 10_000 });
    next.observeStart({ fileName: 'a.ts', ptsTimeS: 2 }, T0 + 10_800);
    next.observeStart({ fileName: 'b.ts', ptsTimeS: 4 }, T0 + 10_800);
    const a = next.complete({ fileName: 'a.ts', startS: 2, endS: 4 }, T0)!;
    const b = next.complete({ fileName: 'b.ts', startS: 4, endS: 6 }, T0)!;
    assert.deepEqual([a.startMs, a.durationMs, b.startMs], [T0 + 10_000, 2000, T0 + 12_000], 'moved to the previous end, durations kept');
    // An hour's overlap is no estimate error: the clock was stepped back; the new session follows it.
    const stepped = new SegmentTimeline({ notBeforeMs: T0 + 3_600_000 });
    stepped.observeStart({ fileName: 'a.ts', ptsTimeS: 0 }, T0);
    assert.equal(stepped.complete({ fileName: 'a.ts', startS: 0, endS: 2 }, T0)!.startMs, T0);
  });

  it('closes a hole of one frame between segments of a session (a last packet listed without its duration)', () => {
    const tl = new SegmentTimeline();
    tl.observeStart({ fileName: 'a.ts', ptsTimeS: 0 }, T0);
    tl.observeStart({ fileName: 'b.ts', ptsTimeS: 2.04 }, T0 + 2040);
    tl.observeStart({ fileName: 'c.ts', ptsTimeS: 4.04 }, T0 + 4040);
    const a = tl.complete({ fileName: 'a.ts', startS: 0, endS: 2 }, T0)!;
    const b = tl.complete({ fileName: 'b.ts', startS: 2.04, endS: 4.04 }, T0)!;
    assert.equal(b.startMs, a.startMs + a.durationMs, 'the 40 ms hole is closed');
    assert.equal(b.durationMs, 2040);
  });

  it('returns undefined for an empty segment and falls back to the wall clock without start lines', () => {
    const tl = new SegmentTimeline();
    assert.equal(tl.complete({ fileName: 'x.ts', startS: 5, endS: 5 }, T0), undefined);
    const seg = tl.complete({ fileName: 'y.ts', startS: 0, endS: 2 }, T0 + 2000)!;
    assert.deepEqual([seg.startMs, seg.durationMs], [T0, 2000]);
  });
});

describe('SegmentTimeline with audio before the first video frame', () => {
  it('keeps the first start line of a file (ffmpeg repeats it for each leading audio packet)', () => {
    const tl = new SegmentTimeline();
    tl.observeStart({ fileName: 'a.ts', ptsTimeS: 0.2 }, T0 + 200);
    tl.observeStart({ fileName: 'a.ts', ptsTimeS: 0.3 }, T0 + 300);
    tl.observeStart({ fileName: 'b.ts', ptsTimeS: 4.2 }, T0 + 4200);
    const seg = tl.complete({ fileName: 'a.ts', startS: 0, endS: 4.2 }, T0 + 4200)!;
    assert.deepEqual([seg.startMs, seg.durationMs], [T0 + 200, 4000]);
  });
});
