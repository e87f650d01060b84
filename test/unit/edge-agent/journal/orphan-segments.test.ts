import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planOrphanFiles } from '../../../../edge-agent/journal/orphan-segments';

describe('planOrphanFiles (edge-agent/journal/orphan-segments.ts): complete by position, the newest of a session partial', () => {
  it('in each session every file the journal does not list but the newest is complete; the newest is partial unless journaled', () => {
    const names = [
      // the killed agent's session: 000004 journaled, the orphan went on to 000007 (being written at its kill)
      'A-000004.ts', 'A-000005.ts', 'A-000006.ts', 'A-000007.ts',
      // an earlier session that ended cleanly: its last file journaled, an unlisted older one left (empty segment)
      'B-000001.ts', 'B-000002.ts',
      // a session whose only file was being written
      'C-000000.ts',
      // not a segment file of a session, and not a segment at all
      'stray.ts', 'notes.txt',
    ];
    const plan = planOrphanFiles(names, new Set(['A-000004.ts', 'B-000002.ts']));
    assert.deepEqual(plan.complete.sort(), ['A-000005.ts', 'A-000006.ts', 'B-000001.ts']);
    assert.deepEqual(plan.partial.sort(), ['A-000007.ts', 'C-000000.ts', 'stray.ts']);
  });

  it('orders by index, not by name length or listing order', () => {
    const plan = planOrphanFiles(['S-000010.ts', 'S-000009.ts', 'S-000011.ts'], new Set());
    assert.deepEqual(plan.complete, ['S-000009.ts', 'S-000010.ts']);
    assert.deepEqual(plan.partial, ['S-000011.ts']);
  });
});
