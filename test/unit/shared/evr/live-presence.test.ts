import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { livePresenceStep, LIVE_PRESENCE_LEAD_MS, LIVE_PRESENCE_MAX_SPAN_MS, LIVE_PRESENCE_PREROLL_MS } from '../../../../shared/evr/live-presence';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const ID = '1795258800000-aaaaaaaaaaaa';
const ID2 = '1795258900000-bbbbbbbbbbbb';

describe('livePresenceStep: the upload window a live viewer keeps open on an EVR camera', () => {
  it('opens a window from just before now to a minute ahead, sequence 0', () => {
    assert.deepEqual(livePresenceStep(undefined, T0, ID), { windowId: ID, startMs: T0 - LIVE_PRESENCE_PREROLL_MS, endMs: T0 + LIVE_PRESENCE_LEAD_MS, sequence: 0 });
  });

  it('sends nothing while more than 30 s are left, then extends the same window with the next sequence', () => {
    const open = livePresenceStep(undefined, T0, ID)!;
    assert.equal(livePresenceStep(open, T0 + 2000, ID2), undefined);
    assert.equal(livePresenceStep(open, T0 + 30_000, ID2), undefined, 'exactly 30 s left: not yet');
    assert.deepEqual(livePresenceStep(open, T0 + 30_001, ID2), { ...open, endMs: T0 + 30_001 + LIVE_PRESENCE_LEAD_MS, sequence: 1 });
  });

  it('opens a new window once the last one ran out (the viewer left and came back)', () => {
    const open = livePresenceStep(undefined, T0, ID)!;
    assert.deepEqual(livePresenceStep(open, open.endMs, ID2), { windowId: ID2, startMs: open.endMs - LIVE_PRESENCE_PREROLL_MS, endMs: open.endMs + LIVE_PRESENCE_LEAD_MS, sequence: 0 });
  });

  it('starts a new window before one would span more than an hour (an upload-window command carries at most 61 min)', () => {
    let p = livePresenceStep(undefined, T0, ID)!;
    let now = T0;
    while (now < T0 + 2 * 3_600_000) {
      now += 5000;
      p = livePresenceStep(p, now, p.windowId === ID ? ID2 : ID) ?? p;
      assert.ok(p.endMs - p.startMs <= LIVE_PRESENCE_MAX_SPAN_MS, `window spans ${p.endMs - p.startMs} ms`);
      assert.ok(p.endMs - now >= 30_000, 'the window always reaches 30 s ahead of a viewer reloading every 5 s');
    }
  });
});
