import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { liveWindow, LIVE_WINDOW_SEGMENTS, type LiveSequenceMark } from '../../../../shared/hls/live-window';
import { renderPlaylist } from '../../../../shared/hls/render-playlist';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
/** A 2 s segment starting `offsetS` after T0 (durations as a recorder cuts them: near, not exactly, the length). */
const seg = (offsetS: number, durationMs = 2000) => ({ startMs: T0 + offsetS * 1000, durationMs, url: `https://blob.test/cam/${offsetS}.ts?sig=s` });
/** Segments back to back from `fromS`, `count` of them. */
const run = (fromS: number, count: number) => Array.from({ length: count }, (_, i) => seg(fromS + 2 * i));

/** The media sequence number of each segment of a playlist text, by its program date-time. */
function numbers(text: string): Map<string, number> {
  const lines = text.split('\n');
  let sn = Number(lines.find((l) => l.startsWith('#EXT-X-MEDIA-SEQUENCE:'))!.split(':')[1]);
  const out = new Map<string, number>();
  for (const l of lines) if (l.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) out.set(l.slice(25), sn++);
  return out;
}

/** Renders what one reload answers, given the recent segments and the stored mark; returns text and the new mark. */
function reload(recent: ReturnType<typeof seg>[], mark: LiveSequenceMark | undefined) {
  const w = liveWindow(recent, mark);
  return { text: renderPlaylist(w.segments, w.live), mark: w.mark, changed: w.markChanged };
}

describe('liveWindow + renderPlaylist: the live playlist text', () => {
  it('lists the newest segments only (a sliding window), no ENDLIST, no playlist type, a program date-time per segment', () => {
    const { text } = reload(run(0, 20), undefined);
    const lines = text.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('#EXTINF:')).length, LIVE_WINDOW_SEGMENTS);
    assert.equal(lines.filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:')).length, LIVE_WINDOW_SEGMENTS);
    assert.ok(!text.includes('#EXT-X-ENDLIST'));
    assert.ok(!text.includes('#EXT-X-PLAYLIST-TYPE'));
    assert.ok(text.includes('#EXT-X-TARGETDURATION:2\n'));
    // The window ends at the newest segment (started at 38 s) and begins 5 segments before it.
    const times = [...numbers(text).keys()];
    assert.deepEqual(times, [28, 30, 32, 34, 36, 38].map((s) => new Date(T0 + s * 1000).toISOString()));
    assert.equal(lines.at(-2), 'https://blob.test/cam/38.ts?sig=s');
  });

  it('keeps each segment\'s media sequence number across reloads as the window slides', () => {
    const all = run(0, 30);
    let mark: LiveSequenceMark | undefined;
    const seen = new Map<string, number>();
    let previousFirst = -1;
    for (let n = 8; n <= 30; n++) {
      const r = reload(all.slice(Math.max(0, n - 12), n), mark); // the lookback holds the last 12 segments
      mark = r.mark;
      for (const [t, sn] of numbers(r.text)) {
        if (seen.has(t)) assert.equal(sn, seen.get(t), `segment ${t} renumbered at reload ${n}`);
        seen.set(t, sn);
      }
      const first = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(r.text)![1]);
      if (previousFirst >= 0) assert.equal(first, previousFirst + 1, 'one new segment, window moves by one');
      previousFirst = first;
    }
    // Consecutive segments have consecutive numbers.
    const sns = [...seen.values()];
    for (let i = 1; i < sns.length; i++) assert.equal(sns[i], sns[i - 1] + 1);
  });

  it('marks a gap with a discontinuity and counts it in the discontinuity sequence once it slides out', () => {
    // 6 segments, a 10 s gap (camera down), then a new session.
    const before = run(0, 6);
    const after = run(22, 8);
    let mark: LiveSequenceMark | undefined;
    const first = reload(before, mark);
    mark = first.mark;
    assert.ok(first.text.includes('#EXT-X-DISCONTINUITY-SEQUENCE:0\n'));
    assert.ok(!first.text.includes('#EXT-X-DISCONTINUITY\n'));
    const withGap = reload([...before, ...after.slice(0, 2)], mark);
    mark = withGap.mark;
    const lines = withGap.text.split('\n');
    assert.equal(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length, 1);
    assert.equal(lines[lines.indexOf('#EXT-X-DISCONTINUITY') + 1], `#EXT-X-PROGRAM-DATE-TIME:${new Date(T0 + 22_000).toISOString()}`);
    assert.ok(withGap.text.includes('#EXT-X-DISCONTINUITY-SEQUENCE:0\n'), 'the window still starts before the gap');
    // Once the window starts after the gap, the tag is gone and the sequence counts it.
    const later = reload([...before, ...after], mark);
    assert.ok(!later.text.includes('#EXT-X-DISCONTINUITY\n'));
    assert.ok(later.text.includes('#EXT-X-DISCONTINUITY-SEQUENCE:1\n'));
    // The numbers carried on across the gap: no segment changed its number.
    const a = numbers(withGap.text);
    for (const [t, sn] of numbers(later.text)) if (a.has(t)) assert.equal(sn, a.get(t));
  });

  it('starts afresh above every earlier number when the mark is no longer among the recent segments', () => {
    const old = reload(run(0, 6), undefined);
    assert.equal(old.mark!.mediaSequence, Math.floor(T0 / 1000) + 5, 'first numbering: the first segment\'s start in whole seconds');
    const fresh = reload(run(3600, 6), old.mark); // an hour later, nobody watched in between
    assert.equal(Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(fresh.text)![1]), old.mark!.mediaSequence + 1);
    assert.equal(Number(/#EXT-X-DISCONTINUITY-SEQUENCE:(\d+)/.exec(fresh.text)![1]), old.mark!.discontinuitySequence + 1);
  });

  it('changes the mark only when a new segment arrived, and never shrinks the target duration', () => {
    const first = reload([...run(0, 5), seg(10, 3400)], undefined);
    assert.ok(first.changed);
    assert.ok(first.text.includes('#EXT-X-TARGETDURATION:4\n'));
    const same = liveWindow([...run(0, 5), seg(10, 3400)], first.mark);
    assert.equal(same.markChanged, false);
    const next = reload(run(14, 6), first.mark); // the long segment has slid out of the lookback
    assert.ok(next.text.includes('#EXT-X-TARGETDURATION:4\n'), 'target duration stays at its largest');
  });

  it('renders a valid playlist with no segment when nothing was recorded lately', () => {
    const w = liveWindow([], undefined);
    const text = renderPlaylist(w.segments, w.live);
    assert.equal(text, '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXT-X-MEDIA-SEQUENCE:0\n#EXT-X-DISCONTINUITY-SEQUENCE:0\n#EXT-X-INDEPENDENT-SEGMENTS\n');
    assert.equal(w.markChanged, false);
  });
});
