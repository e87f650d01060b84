import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planEvrStep, type EvrMemory } from '../../../../shared/evr/recording-plan';
import { recordingApiId } from '../../../../shared/evr/recording-id';
import { initialGateState } from '../../../../shared/evr/signal-gate';
import type { SignalRecord } from '../../../../shared/contracts/signals';

const T = Date.UTC(2026, 10, 21, 10);
const params = { activationEvaluationWindowMs: 1000, activationSignalOffsetMs: -5000, minimumActivationTimeMs: 10_000, maximumActivationTimeMs: 60_000 };
const fresh = (): EvrMemory => ({ state: initialGateState(), pendingSignals: [], open: null });
const sig = (id: string, atMs: number, type = 'door'): SignalRecord => ({ id, cameraId: 'door', type, atMs, origin: 'http' });
const step = (memory: EvrMemory, signals: SignalRecord[], mediaTimeMs: number | undefined, nowMs = T + 100_000) =>
  planEvrStep({ cameraId: 'door', deviceId: 'dev1', memory, signals, mediaTimeMs, params, nowMs });

describe('planEvrStep (signal gate decisions → outbox entries)', () => {
  it('holds a signal until the clock passes it by the evaluation window, then opens [t + offset, t + min)', () => {
    const held = step(fresh(), [sig('s1', T)], T + 500);
    assert.deepEqual(held.entries, []);
    assert.equal(held.changed, true);
    assert.deepEqual(held.memory.pendingSignals, [{ id: 's1', type: 'door', atMs: T }]);
    const opened = step(held.memory, [], T + 2000);
    const id = recordingApiId('door', 's1', T - 5000);
    assert.equal(opened.entries.length, 1);
    const e = opened.entries[0];
    assert.equal(e.id, `window-${id}-0`);
    assert.deepEqual(e.command, { cameraId: 'door', recordingId: id, startMs: T - 5000, endMs: T + 10_000, final: false, sequence: 0 });
    assert.equal(e.recording.state, 'recording');
    assert.deepEqual(e.recording.signals, [{ id: 's1', type: 'door', atMs: T }]);
    assert.deepEqual(e.events.map((x) => [x.type, x.id]), [['recording.started', `recording-started-${id}`]]);
    assert.equal(e.events[0].data.start, new Date(T - 5000).toISOString());
    assert.deepEqual(opened.memory.pendingSignals, []);
  });

  it('extends on a retrigger (same API id), closes with the final command at the last sequence + 1', () => {
    const a = step(fresh(), [sig('s1', T)], T + 2000);
    const b = step(a.memory, [sig('s2', T + 4000)], T + 6000);
    const id = recordingApiId('door', 's1', T - 5000);
    assert.deepEqual(b.entries.map((e) => e.command), [{ cameraId: 'door', recordingId: id, startMs: T - 5000, endMs: T + 14_000, final: false, sequence: 1 }]);
    assert.deepEqual(b.entries[0].events, []);
    assert.equal(b.entries[0].recording.signalCount, 2);
    const c = step(b.memory, [], T + 16_000);
    assert.deepEqual(c.entries.map((e) => e.command), [{ cameraId: 'door', recordingId: id, startMs: T - 5000, endMs: T + 14_000, final: true, sequence: 2 }]);
    assert.equal(c.entries[0].recording.state, 'complete');
    assert.deepEqual(c.entries[0].events.map((x) => x.id), [`recording-stopped-${id}`]);
    assert.equal(c.memory.open, null);
  });

  it('gives the same entries for shuffled signals, and nothing for a redelivery', () => {
    const signals = [sig('s1', T), sig('s2', T + 4000), sig('s3', T + 30_000)];
    const inOrder = step(fresh(), signals, T + 50_000);
    const shuffled = step(fresh(), [signals[2], signals[0], signals[1]], T + 50_000);
    assert.deepEqual(shuffled, inOrder);
    assert.deepEqual(inOrder.entries.map((e) => [e.command!.sequence, e.command!.final]), [[0, false], [1, false], [2, true], [0, false], [1, true]]);
    const again = step(inOrder.memory, signals, T + 50_000);
    assert.deepEqual(again.entries, []);
    assert.equal(again.changed, false);
    assert.deepEqual(again.dropped.map((d) => d.kind), ['duplicate', 'duplicate', 'duplicate']);
  });
});
