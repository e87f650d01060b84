import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { SegmentJournal } from '../../../edge-agent/journal/segment-journal';
import { createLogger } from '../../../edge-agent/log';
import type { RecordedSegment } from '../../../edge-agent/segments/recorded-segment';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);

describe('SegmentJournal on disk', () => {
  const seg = (dir: string, cameraId: string, startMs: number): RecordedSegment => ({ cameraId, path: path.join(dir, cameraId, `s-${startMs}.ts`), startMs, durationMs: 2000, bytes: 1000 + (startMs % 997) });

  it('returns, after a restart, exactly the segments recorded and not done, oldest first', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-journal-'));
    const j = new SegmentJournal(dir, createLogger('silent'));
    assert.deepEqual(j.open(), [], 'a first run has nothing pending');
    const [a, b, c, d] = [seg(dir, 'cam-2', T0 + 6000), seg(dir, 'cam-1', T0), seg(dir, 'cam-1', T0 + 2000), seg(dir, 'cam-2', T0 + 4000)];
    for (const s of [a, b, c, d]) j.recorded(s);
    j.done(b, 'uploaded');
    j.done(d, 'evicted');
    j.done(seg(dir, 'cam-9', T0), 'uploaded'); // unknown: ignored
    // No close(): the process dies here.
    const again = new SegmentJournal(dir, createLogger('silent'));
    assert.deepEqual(again.open(), [c, a]);
    assert.ok(again.has(c) && !again.has(b));
    // The reopened journal was compacted to the pending segments only.
    const lines = readFileSync(again.file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { op: string; file: string });
    assert.deepEqual(lines.filter((l) => l.op === 'recorded').map((l) => [l.op, l.file]), [['recorded', path.join('cam-1', `s-${T0 + 2000}.ts`)], ['recorded', path.join('cam-2', `s-${T0 + 6000}.ts`)]]);
    again.close();
  });

  it('ignores a line torn by a crash while appending, and survives damage in the middle with a warning', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-journal-'));
    const j = new SegmentJournal(dir, createLogger('silent'));
    j.open();
    const a = seg(dir, 'cam-1', T0);
    j.recorded(a);
    j.close();
    appendFileSync(j.file, '{"op":"recorded","file":"cam-1/s-x.ts","cameraId":"cam-1","sta');
    const warnings: string[] = [];
    const logger = createLogger('warn');
    logger.warn = ((_o: unknown, msg: string) => void warnings.push(msg)) as typeof logger.warn;
    const again = new SegmentJournal(dir, logger);
    assert.deepEqual(again.open(), [a], 'the torn record is not a segment');
    assert.deepEqual(warnings, [], 'a torn last line is expected after a crash');
    again.close();

    appendFileSync(again.file, 'garbage\n');
    const b = seg(dir, 'cam-1', T0 + 2000);
    appendFileSync(again.file, `${JSON.stringify({ op: 'recorded', file: path.relative(dir, b.path), cameraId: b.cameraId, startMs: b.startMs, durationMs: b.durationMs, bytes: b.bytes })}\n`);
    const third = new SegmentJournal(dir, logger);
    assert.deepEqual(third.open(), [a, b]);
    assert.deepEqual(warnings, ['journal: unreadable line skipped']);
    third.close();
  });

  it('keeps the pending set across many records (compaction) and after the cache folder moved', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-journal-'));
    const j = new SegmentJournal(dir, createLogger('silent'));
    j.open();
    const all = Array.from({ length: 6000 }, (_, i) => seg(dir, 'cam-1', T0 + i * 2000));
    for (const s of all) {
      j.recorded(s);
      if (s.startMs % 3 !== 0) j.done(s, 'uploaded');
    }
    j.close();
    const expected = all.filter((s) => s.startMs % 3 === 0);
    const lines = readFileSync(j.file, 'utf8').trim().split('\n');
    assert.ok(lines.length < 12_000 - 4000, `compacted while running (${lines.length} lines)`);
    const moved = mkdtempSync(path.join(os.tmpdir(), 'kw-journal-moved-'));
    appendFileSync(path.join(moved, 'journal.jsonl'), readFileSync(j.file));
    const again = new SegmentJournal(moved, createLogger('silent'));
    assert.deepEqual(again.open(), expected.map((s) => ({ ...s, path: path.join(moved, 'cam-1', path.basename(s.path)) })));
    again.close();
  });
});
