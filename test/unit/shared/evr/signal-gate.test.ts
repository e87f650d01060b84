import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import {
  RECENT_IDS_KEPT,
  advanceGate,
  applySignal,
  initialGateState,
  type GateDecision,
  type GateSignal,
  type SignalGateState,
} from '../../../../shared/evr/signal-gate';
import { parseSignalGateSettings, type SignalGateParams } from '../../../../shared/schemas/signal-gate';

const S = 1000;
const T = Date.UTC(2026, 10, 21, 10, 0, 0);

/** The example of Microsoft's "Configuring a signal gate" how-to (docs/reference/ava-behaviour.md "Nodes"). */
const AVA_EXAMPLE = parseSignalGateSettings({
  activationEvaluationWindow: 'PT1S',
  activationSignalOffset: '-PT5S',
  minimumActivationTime: 'PT20S',
  maximumActivationTime: 'PT40S',
});

const sig = (id: string, atMs: number): GateSignal => ({ id, atMs });

/** Feeds signals in arrival order, then advances the clock far enough to close everything. */
function run(signals: GateSignal[], params: SignalGateParams, endMs?: number): { state: SignalGateState; decisions: GateDecision[] } {
  let state = initialGateState();
  const decisions: GateDecision[] = [];
  for (const s of signals) {
    const step = applySignal(state, s, params);
    state = step.state;
    decisions.push(...step.decisions);
  }
  const last = Math.max(...signals.map((s) => s.atMs));
  const step = advanceGate(state, endMs ?? last + params.maximumActivationTimeMs + params.activationEvaluationWindowMs + 1, params);
  return { state: step.state, decisions: [...decisions, ...step.decisions] };
}

const closed = (d: GateDecision[]) =>
  d.filter((x): x is Extract<GateDecision, { kind: 'closed' }> => x.kind === 'closed').map(({ recordingId, startMs, endMs }) => ({ recordingId, startMs, endMs }));
type RecordingDecision = Extract<GateDecision, { kind: 'opened' | 'extended' | 'closed' }>;
const recordingKinds = (d: GateDecision[]) => d.filter((x): x is RecordingDecision => x.kind === 'opened' || x.kind === 'extended' || x.kind === 'closed');

describe('signal gate: AVA formulas (docs/reference/ava-behaviour.md, signal gate)', () => {
  it('one signal: window [E1 + offset, E1 + minimumActivationTime], length −offset + minimum = 25 s', () => {
    const { decisions } = run([sig('e1', T)], AVA_EXAMPLE);
    assert.deepEqual(decisions, [
      { kind: 'opened', recordingId: 'e1', sequence: 0, signalId: 'e1', startMs: T - 5 * S, endMs: T + 20 * S },
      { kind: 'closed', recordingId: 'e1', startMs: T - 5 * S, endMs: T + 20 * S },
    ]);
  });

  it('opens only once the clock passes E1 + activationEvaluationWindow, closes once it passes the end', () => {
    let step = applySignal(initialGateState(), sig('e1', T), AVA_EXAMPLE);
    assert.deepEqual(step.decisions, []);
    step = advanceGate(step.state, T + 1 * S, AVA_EXAMPLE); // horizon T: E1 is not yet behind it
    assert.deepEqual(step.decisions, []);
    step = advanceGate(step.state, T + 1 * S + 1, AVA_EXAMPLE);
    assert.deepEqual(step.decisions.map((d) => d.kind), ['opened']);
    step = advanceGate(step.state, T + 21 * S - 1, AVA_EXAMPLE);
    assert.deepEqual(step.decisions, []);
    step = advanceGate(step.state, T + 21 * S, AVA_EXAMPLE);
    assert.deepEqual(step.decisions.map((d) => d.kind), ['closed']);
  });

  it('LVA sample timeline: motion at 23:33:09.4 with a PT1S window and a 30 s gate opens the recording at 23:33:10.4', () => {
    const params = parseSignalGateSettings({}); // the samples' PT1S / PT0S / PT30S / PT30S
    const e1 = Date.parse('2020-05-12T23:33:09.400Z');
    let step = applySignal(initialGateState(), sig('motion', e1), params);
    step = advanceGate(step.state, Date.parse('2020-05-12T23:33:10.400Z'), params);
    assert.deepEqual(step.decisions, []);
    step = advanceGate(step.state, Date.parse('2020-05-12T23:33:10.401Z'), params);
    assert.deepEqual(step.decisions, [{ kind: 'opened', recordingId: 'motion', sequence: 0, signalId: 'motion', startMs: e1, endMs: e1 + 30 * S }]);
  });

  it('retrigger while open: length −offset + (E2 − E1) + minimum = 30 s; sequence numbers follow the initial event', () => {
    const { decisions } = run([sig('e1', T), sig('e2', T + 5 * S)], AVA_EXAMPLE);
    assert.deepEqual(decisions, [
      { kind: 'opened', recordingId: 'e1', sequence: 0, signalId: 'e1', startMs: T - 5 * S, endMs: T + 20 * S },
      { kind: 'extended', recordingId: 'e1', sequence: 1, signalId: 'e2', startMs: T - 5 * S, endMs: T + 25 * S },
      { kind: 'closed', recordingId: 'e1', startMs: T - 5 * S, endMs: T + 25 * S },
    ]);
    const [r] = closed(decisions);
    assert.equal(r.endMs - r.startMs, 5 * S + 5 * S + 20 * S);
  });

  it('a signal at or after the end starts a new recording whose pre-roll stops at the previous end', () => {
    const { decisions } = run([sig('e1', T), sig('e2', T + 22 * S)], AVA_EXAMPLE);
    assert.deepEqual(closed(decisions), [
      { recordingId: 'e1', startMs: T - 5 * S, endMs: T + 20 * S },
      { recordingId: 'e2', startMs: T + 20 * S, endMs: T + 42 * S }, // E2 − 5 s = T + 17 s, clamped to T + 20 s
    ]);
    const far = run([sig('e1', T), sig('e2', T + 60 * S)], AVA_EXAMPLE);
    assert.deepEqual(closed(far.decisions)[1], { recordingId: 'e2', startMs: T + 55 * S, endMs: T + 80 * S });
  });

  it('continuous signals: length −offset + maximumActivationTime = 45 s, then the activation accepts no more', () => {
    const every5s = Array.from({ length: 15 }, (_, i) => sig(`e${i}`, T + i * 5 * S)); // T .. T+70 s
    const { decisions } = run(every5s, AVA_EXAMPLE);
    const recs = closed(decisions);
    assert.deepEqual(recs[0], { recordingId: 'e0', startMs: T - 5 * S, endMs: T + 40 * S });
    assert.equal(recs[0].endMs - recs[0].startMs, 5 * S + 40 * S);
    // e8 at T+40 s is at the cap: it opens the next activation (pre-roll clamped to T+40 s), itself capped at e8 + 40 s.
    assert.deepEqual(recs[1], { recordingId: 'e8', startMs: T + 40 * S, endMs: T + 80 * S });
    assert.equal(recs.length, 2);
    // signals inside the first activation past the cap do not extend it: the last extension ends at the cap
    const ext = recordingKinds(decisions).filter((d) => d.kind === 'extended' && d.recordingId === 'e0');
    assert.deepEqual(ext.map((d) => d.endMs), [25, 30, 35, 40].map((s) => T + s * S));
    assert.equal(ext.length, 4); // e1..e4 extend (to 25, 30, 35, 40 s); e5..e7 are absorbed by the cap
  });

  it('pre-roll vs post offset: −PT5S starts 5 s before, PT5S starts 5 s after, the end stays E1 + minimum', () => {
    const with_ = (offset: string) =>
      closed(run([sig('e1', T)], parseSignalGateSettings({ activationSignalOffset: offset, minimumActivationTime: 'PT20S', maximumActivationTime: 'PT40S' })).decisions);
    assert.deepEqual(with_('-PT5S'), [{ recordingId: 'e1', startMs: T - 5 * S, endMs: T + 20 * S }]);
    assert.deepEqual(with_('PT0S'), [{ recordingId: 'e1', startMs: T, endMs: T + 20 * S }]);
    assert.deepEqual(with_('PT5S'), [{ recordingId: 'e1', startMs: T + 5 * S, endMs: T + 20 * S }]);
    assert.deepEqual(with_('-PT1M'), [{ recordingId: 'e1', startMs: T - 60 * S, endMs: T + 20 * S }]);
  });

  it('a positive offset not below the activation gives an empty window: nothing is announced until a retrigger makes it non-empty', () => {
    const p = parseSignalGateSettings({ activationSignalOffset: 'PT30S', minimumActivationTime: 'PT20S', maximumActivationTime: 'PT1M' });
    assert.deepEqual(run([sig('e1', T)], p).decisions, []);
    const { decisions } = run([sig('e1', T), sig('e2', T + 15 * S)], p);
    assert.deepEqual(decisions, [
      { kind: 'opened', recordingId: 'e1', sequence: 0, signalId: 'e2', startMs: T + 30 * S, endMs: T + 35 * S },
      { kind: 'closed', recordingId: 'e1', startMs: T + 30 * S, endMs: T + 35 * S },
    ]);
  });
});

describe('signal gate: late arrivals (activationEvaluationWindow)', () => {
  it('an earlier signal arriving within the window re-anchors the recording, as if it had come first', () => {
    const inWindow = run([sig('b', T + 500), sig('a', T)], AVA_EXAMPLE);
    assert.deepEqual(inWindow.decisions, run([sig('a', T), sig('b', T + 500)], AVA_EXAMPLE).decisions);
    assert.deepEqual(closed(inWindow.decisions), [{ recordingId: 'a', startMs: T - 5 * S, endMs: T + 500 + 20 * S }]);
  });

  it('a signal more than the window behind the clock is dropped, reported late, and changes nothing', () => {
    const first = applySignal(initialGateState(), sig('b', T + 5 * S), AVA_EXAMPLE);
    const frozen = structuredClone(first.state);
    const late = applySignal(first.state, sig('a', T), AVA_EXAMPLE);
    assert.deepEqual(late.decisions, [{ kind: 'late', signalId: 'a', atMs: T, horizonMs: T + 4 * S }]);
    assert.equal(late.state, first.state);
    assert.deepEqual(late.state, frozen);
    // exactly at the horizon is still in time
    const atHorizon = applySignal(first.state, sig('h', T + 4 * S), AVA_EXAMPLE);
    assert.deepEqual(atHorizon.decisions, []);
    assert.equal(atHorizon.state.pending.length, 2);
  });

  it('with a PT0S window any signal behind the clock is late', () => {
    const p = parseSignalGateSettings({ activationEvaluationWindow: 'PT0S' });
    const s1 = applySignal(initialGateState(), sig('b', T + 1), p);
    assert.equal(applySignal(s1.state, sig('a', T), p).decisions[0].kind, 'late');
    assert.deepEqual(applySignal(s1.state, sig('c', T + 1), p).decisions, []);
  });
});

describe('signal gate: order independence and redelivery', () => {
  function permutations<X>(xs: X[]): X[][] {
    if (xs.length <= 1) return [xs];
    return xs.flatMap((x, i) => permutations([...xs.slice(0, i), ...xs.slice(i + 1)]).map((rest) => [x, ...rest]));
  }

  it('every order of signals within the evaluation window gives the same decisions and the same state', () => {
    const p = parseSignalGateSettings({ activationEvaluationWindow: 'PT2S', activationSignalOffset: '-PT5S', minimumActivationTime: 'PT1S', maximumActivationTime: 'PT10S' });
    // a..e span 1.9 s: a, b retrigger, c is at a fresh activation (after b + 1 s), d ties with c in time
    const set = [sig('a', T), sig('b', T + 600), sig('c', T + 1700), sig('d', T + 1700), sig('e', T + 1900)];
    const reference = run(set, p);
    assert.deepEqual(closed(reference.decisions), [
      { recordingId: 'a', startMs: T - 5 * S, endMs: T + 1600 },
      { recordingId: 'c', startMs: T + 1600, endMs: T + 2900 },
    ]);
    const orders = permutations(set);
    assert.equal(orders.length, 120);
    for (const order of orders) {
      const r = run(order, p);
      assert.deepEqual(r.decisions, reference.decisions, order.map((s) => s.id).join(''));
      assert.deepEqual(r.state, reference.state);
    }
  });

  it('a long jittered stream (each signal delayed by less than the window) matches the in-order stream', () => {
    const p = AVA_EXAMPLE;
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const signals: GateSignal[] = [];
    let t = T;
    for (let i = 0; i < 120; i++) {
      t += rand() < 0.1 ? 30 * S + Math.floor(rand() * 20 * S) : Math.floor(rand() * 3 * S); // bursts and pauses
      signals.push(sig(`s${i}`, t));
    }
    const reference = run(signals, p);
    assert.ok(closed(reference.decisions).length >= 3, 'the stream has several recordings');
    for (let k = 0; k < 20; k++) {
      const arrival = signals
        .map((s) => ({ s, key: s.atMs + Math.floor(rand() * p.activationEvaluationWindowMs) }))
        .sort((x, y) => x.key - y.key)
        .map((x) => x.s);
      const r = run(arrival, p);
      assert.deepEqual(r.decisions, reference.decisions);
      assert.deepEqual(r.state, reference.state);
    }
  });

  it('the same signal twice changes nothing and is reported as a duplicate, whenever it comes back', () => {
    const once = run([sig('e1', T), sig('e2', T + 5 * S)], AVA_EXAMPLE, T + 30 * S);
    let state = initialGateState();
    const duplicates: string[] = [];
    const recDecisions: GateDecision[] = [];
    const feed = (s: GateSignal) => {
      const step = applySignal(state, s, AVA_EXAMPLE);
      if (step.decisions.some((d) => d.kind === 'duplicate')) {
        assert.equal(step.state, state);
        duplicates.push(s.id);
      }
      state = step.state;
      recDecisions.push(...step.decisions.filter((d) => d.kind !== 'duplicate'));
    };
    feed(sig('e1', T));
    feed(sig('e1', T)); // while held in the evaluation window
    feed(sig('e2', T + 5 * S));
    const mid = advanceGate(state, T + 10 * S, AVA_EXAMPLE); // settles both: the recording is open under e1's id
    state = mid.state;
    recDecisions.push(...mid.decisions);
    feed(sig('e1', T)); // the recording's own id
    feed(sig('e2', T + 5 * S)); // a settled retrigger
    const end = advanceGate(state, T + 30 * S, AVA_EXAMPLE);
    assert.deepEqual(duplicates, ['e1', 'e1', 'e2']);
    assert.deepEqual([...recDecisions, ...end.decisions], once.decisions);
    assert.deepEqual(end.state, once.state);
  });

  it('a redelivery older than the remembered ids is reported late and still changes nothing', () => {
    const many = Array.from({ length: RECENT_IDS_KEPT + 5 }, (_, i) => sig(`m${i}`, T + i * 100));
    const { state } = run(many, AVA_EXAMPLE, T + 10 * 60 * S);
    assert.equal(state.recentIds.length, RECENT_IDS_KEPT);
    const again = applySignal(state, many[0], AVA_EXAMPLE);
    assert.equal(again.decisions[0].kind, 'late');
    assert.equal(again.state, state);
  });

  it('advancing to the same or an earlier time changes nothing', () => {
    const a = advanceGate(applySignal(initialGateState(), sig('e1', T), AVA_EXAMPLE).state, T + 2 * S, AVA_EXAMPLE);
    assert.equal(advanceGate(a.state, T + 2 * S, AVA_EXAMPLE).state, a.state);
    assert.equal(advanceGate(a.state, T, AVA_EXAMPLE).state, a.state);
    assert.deepEqual(advanceGate(a.state, T, AVA_EXAMPLE).decisions, []);
  });
});

describe('signal gate: state and input', () => {
  it('the state survives a JSON round trip (one Table row) and carries on identically', () => {
    const p = AVA_EXAMPLE;
    const a = applySignal(initialGateState(), sig('e1', T), p);
    const b = applySignal(a.state, sig('e2', T + 3 * S), p);
    const revived = JSON.parse(JSON.stringify(b.state)) as SignalGateState;
    assert.deepEqual(revived, b.state);
    const direct = applySignal(b.state, sig('e3', T + 30 * S), p);
    const viaJson = applySignal(revived, sig('e3', T + 30 * S), p);
    assert.deepEqual(viaJson, direct);
    assert.ok(JSON.stringify(direct.state).length < 1024, 'a few hundred bytes, far below a Table property limit');
  });

  it('never mutates the state it is given', () => {
    const a = applySignal(initialGateState(), sig('e1', T), AVA_EXAMPLE);
    const copy = structuredClone(a.state);
    applySignal(a.state, sig('e2', T + 3 * S), AVA_EXAMPLE);
    advanceGate(a.state, T + 60 * S, AVA_EXAMPLE);
    assert.deepEqual(a.state, copy);
  });

  it('refuses a signal without an id or with a non-integer time, naming the field', () => {
    const st = initialGateState();
    assert.throws(() => applySignal(st, { id: '', atMs: T }, AVA_EXAMPLE), (e: unknown) => e instanceof ValidationError && /signal\.id/.test(e.message));
    assert.throws(() => applySignal(st, { id: 'x', atMs: T + 0.5 }, AVA_EXAMPLE), (e: unknown) => e instanceof ValidationError && /signal\.atMs/.test(e.message));
    assert.throws(() => applySignal(st, { id: 'x', atMs: Number.NaN }, AVA_EXAMPLE), ValidationError);
    assert.throws(() => advanceGate(st, Number.POSITIVE_INFINITY, AVA_EXAMPLE), (e: unknown) => e instanceof ValidationError && /mediaTimeMs/.test(e.message));
  });

  it('recording decisions only ever extend a recording forwards', () => {
    const signals = [sig('a', T), sig('b', T + 3 * S), sig('c', T + 19 * S), sig('d', T + 50 * S)];
    const ds = recordingKinds(run(signals, AVA_EXAMPLE).decisions);
    const byId = new Map<string, number>();
    for (const d of ds) {
      if (d.kind === 'closed') continue;
      const prev = byId.get(d.recordingId);
      if (prev !== undefined) assert.ok(d.endMs > prev);
      byId.set(d.recordingId, d.endMs);
    }
    assert.deepEqual([...byId.keys()], ['a', 'd']);
  });
});
