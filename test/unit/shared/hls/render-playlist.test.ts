import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderPlaylist, writePlaylist, type PlaylistSegment } from '../../../../shared/hls/render-playlist';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const seg = (offsetS: number, durationMs = 10_000): PlaylistSegment => ({
  startMs: T0 + offsetS * 1000,
  durationMs,
  url: `https://example.test/seg-${offsetS}.ts?sig=x`,
});

describe('renderPlaylist', () => {
  it('renders a VOD playlist with header, program date-time per segment and ENDLIST', () => {
    const text = renderPlaylist([seg(0), seg(10)]);
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:10',
        '#EXT-X-MEDIA-SEQUENCE:0',
        '#EXT-X-PLAYLIST-TYPE:VOD',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:00.000Z',
        '#EXTINF:10.000,',
        'https://example.test/seg-0.ts?sig=x',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:10.000Z',
        '#EXTINF:10.000,',
        'https://example.test/seg-10.ts?sig=x',
        '#EXT-X-ENDLIST',
        '',
      ].join('\n'),
    );
  });

  it('puts a discontinuity before a segment that follows a gap, and only there', () => {
    const lines = renderPlaylist([seg(0), seg(10), seg(40), seg(50)]).split('\n');
    assert.equal(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length, 1);
    const d = lines.indexOf('#EXT-X-DISCONTINUITY');
    assert.equal(lines[d + 1], '#EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:40.000Z');
  });

  it('marks a gap of a single millisecond', () => {
    assert.match(renderPlaylist([seg(0), { ...seg(10), startMs: T0 + 10_001 }]), /#EXT-X-DISCONTINUITY/);
  });

  it('rounds the target duration up to the longest EXTINF (RFC 8216 §4.3.3.1)', () => {
    const text = renderPlaylist([seg(0, 10_000), seg(10, 10_200), seg(30, 9_000)]);
    assert.match(text, /#EXT-X-TARGETDURATION:11\n/);
    assert.match(text, /#EXTINF:10\.200,/);
    assert.match(text, /#EXTINF:9\.000,/);
  });

  it('renders a valid empty VOD list', () => {
    const text = renderPlaylist([]);
    assert.match(text, /#EXT-X-TARGETDURATION:1\n/);
    assert.ok(text.endsWith('#EXT-X-ENDLIST\n'));
    assert.doesNotMatch(text, /EXTINF/);
  });

  it('refuses overlapping or unsorted segments and empty durations (bugs upstream)', () => {
    assert.throws(() => renderPlaylist([seg(0), seg(5)]), RangeError);
    assert.throws(() => renderPlaylist([seg(10), seg(0)]), RangeError);
    assert.throws(() => renderPlaylist([seg(0, 0)]), RangeError);
  });

  it('renders a live playlist with the given numbers: no playlist type, no ENDLIST, a target duration that never shrinks', () => {
    const text = renderPlaylist([seg(0, 2000), seg(2, 2000)], { mediaSequence: 1234, discontinuitySequence: 7, targetDurationS: 3 });
    assert.equal(
      text,
      [
        '#EXTM3U',
        '#EXT-X-VERSION:3',
        '#EXT-X-TARGETDURATION:3',
        '#EXT-X-MEDIA-SEQUENCE:1234',
        '#EXT-X-DISCONTINUITY-SEQUENCE:7',
        '#EXT-X-INDEPENDENT-SEGMENTS',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:00.000Z',
        '#EXTINF:2.000,',
        'https://example.test/seg-0.ts?sig=x',
        '#EXT-X-PROGRAM-DATE-TIME:2026-11-21T10:00:02.000Z',
        '#EXTINF:2.000,',
        'https://example.test/seg-2.ts?sig=x',
        '',
      ].join('\n'),
    );
  });

  it('writePlaylist writes the same text as bytes, asking for each URL once, in order, also past its first size guess', () => {
    // 24 h of segments with durations that change and a gap, URLs of growing length (the first segment sizes the buffer),
    // and a non-ASCII URL (UTF-8 bytes).
    const segments = Array.from({ length: 8640 }, (_, i) => ({ ...seg(i * 10 + (i >= 5000 ? 7 : 0), i % 7 === 0 ? 9_960 : 10_000), url: `https://example.test/${'x'.repeat(i % 400)}/é-${i}.ts` }));
    const asked: number[] = [];
    const bytes = writePlaylist(segments, (s) => (asked.push(s.startMs), s.url));
    assert.ok(Buffer.isBuffer(bytes));
    assert.equal(bytes.toString('utf8'), renderPlaylist(segments));
    assert.deepEqual(asked, segments.map((s) => s.startMs));
    const holes = segments.filter((s, i) => i > 0 && s.startMs > segments[i - 1].startMs + segments[i - 1].durationMs).length;
    assert.equal((bytes.toString('utf8').match(/#EXT-X-DISCONTINUITY\n/g) ?? []).length, holes);
    assert.ok(holes > 1000);
  });
});
