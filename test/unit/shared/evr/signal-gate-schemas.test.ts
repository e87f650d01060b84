import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { TOPOLOGIES_DIR } from '../../../helpers/topologies';
import { advanceGate, applySignal, initialGateState } from '../../../../shared/evr/signal-gate';
import { parseSignalGateSettings } from '../../../../shared/schemas/signal-gate';
import { parseSignalGateState } from '../../../../shared/evr/signal-gate-state';

function rejects(doc: unknown, pattern: RegExp): void {
  assert.throws(
    () => parseSignalGateSettings(doc, "camera 'door-1' signal gate"),
    (err: unknown) => err instanceof ValidationError && err.status === 400 && pattern.test(err.message),
  );
}

describe('signal gate settings (shared/schemas/signal-gate.ts)', () => {
  it('applies the defaults of Microsoft EVR samples and converts to ms', () => {
    assert.deepEqual(parseSignalGateSettings({}), {
      activationEvaluationWindowMs: 1000,
      activationSignalOffsetMs: 0,
      minimumActivationTimeMs: 30_000,
      maximumActivationTimeMs: 30_000,
    });
  });

  it('reads AVA durations, negative offsets (pre-roll) and fractions', () => {
    const p = parseSignalGateSettings({ activationEvaluationWindow: 'PT0.5S', activationSignalOffset: '-PT5S', minimumActivationTime: 'PT20S', maximumActivationTime: 'PT1H' });
    assert.deepEqual(p, { activationEvaluationWindowMs: 500, activationSignalOffsetMs: -5000, minimumActivationTimeMs: 20_000, maximumActivationTimeMs: 3_600_000 });
  });

  it('accepts each bound exactly (window 0..10 s, offset −1..+1 min, activation 1 s..1 h)', () => {
    assert.equal(parseSignalGateSettings({ activationEvaluationWindow: 'PT0S' }).activationEvaluationWindowMs, 0);
    assert.equal(parseSignalGateSettings({ activationEvaluationWindow: 'PT10S' }).activationEvaluationWindowMs, 10_000);
    assert.equal(parseSignalGateSettings({ activationSignalOffset: '-PT1M' }).activationSignalOffsetMs, -60_000);
    assert.equal(parseSignalGateSettings({ activationSignalOffset: 'PT60S' }).activationSignalOffsetMs, 60_000);
    assert.equal(parseSignalGateSettings({ minimumActivationTime: 'PT1S', maximumActivationTime: 'PT1S' }).minimumActivationTimeMs, 1000);
    assert.equal(parseSignalGateSettings({ minimumActivationTime: 'PT1H', maximumActivationTime: 'PT60M' }).maximumActivationTimeMs, 3_600_000);
  });

  it('names the key, the value and the limits of anything out of bounds', () => {
    rejects({ activationEvaluationWindow: 'PT10.001S' }, /camera 'door-1' signal gate: activationEvaluationWindow: PT10\.001S is outside PT0S\.\.PT10S/);
    rejects({ activationEvaluationWindow: '-PT1S' }, /activationEvaluationWindow: -PT1S is outside/);
    rejects({ activationSignalOffset: '-PT61S' }, /activationSignalOffset: -PT61S is outside -PT1M\.\.PT1M/);
    rejects({ activationSignalOffset: 'PT2M' }, /activationSignalOffset: PT2M is outside/);
    rejects({ minimumActivationTime: 'PT0.5S' }, /minimumActivationTime: PT0\.5S is outside PT1S\.\.PT1H/);
    rejects({ maximumActivationTime: 'PT1H1S' }, /maximumActivationTime: PT1H1S is outside PT1S\.\.PT1H/);
  });

  it('names bad formats, unknown keys and a maximum below the minimum', () => {
    rejects({ minimumActivationTime: '30s' }, /minimumActivationTime: "30s" is not an ISO 8601 duration/);
    rejects({ minimumActivationTime: 30 }, /minimumActivationTime: expected an ISO 8601 duration string/);
    rejects({ maximumActivationTime: 'P1M' }, /maximumActivationTime: "P1M" is not an ISO 8601 duration/);
    rejects({ activationWindow: 'PT1S' }, /unknown key 'activationWindow'/);
    rejects({ minimumActivationTime: 'PT40S', maximumActivationTime: 'PT30S' }, /maximumActivationTime PT30S is below minimumActivationTime PT40S/);
    rejects('PT1S', /signal gate: expected an object \(key: value pairs\), got the string "PT1S"/);
  });

  it('loads the signal gate of every Microsoft LVA/AVA topology in the reference', () => {
    const gates: Array<{ dir: string; node: Record<string, unknown> }> = [];
    const walk = (dir: string, v: unknown): void => {
      if (Array.isArray(v)) v.forEach((x) => walk(dir, x));
      else if (v && typeof v === 'object') {
        const node = v as Record<string, unknown>;
        if (typeof node['@type'] === 'string' && node['@type'].endsWith('SignalGateProcessor')) gates.push({ dir, node });
        Object.values(node).forEach((x) => walk(dir, x));
      }
    };
    for (const dir of readdirSync(TOPOLOGIES_DIR, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      walk(dir.name, JSON.parse(readFileSync(path.join(TOPOLOGIES_DIR, dir.name, 'topology.json'), 'utf8')));
    }
    assert.ok(gates.length >= 20, `found ${gates.length} signal gates`);
    for (const { dir, node } of gates) {
      const { '@type': _t, name: _n, inputs: _i, ...settings } = node;
      const p = parseSignalGateSettings(settings, dir);
      assert.equal(p.activationEvaluationWindowMs, 1000, dir);
    }
  });
});

describe('signal gate state (shared/evr/signal-gate-state.ts)', () => {
  it('accepts what the gate writes, after a JSON round trip', () => {
    const p = parseSignalGateSettings({});
    let state = initialGateState();
    for (const [id, atMs] of [['a', 1000], ['b', 3000], ['c', 2500]] as const) state = applySignal(state, { id, atMs }, p).state;
    state = advanceGate(state, 4000, p).state;
    assert.deepEqual(parseSignalGateState(JSON.parse(JSON.stringify(state))), state);
    assert.deepEqual(parseSignalGateState(initialGateState()), initialGateState());
  });

  it('refuses another version, unsorted pending signals and an inconsistent activation, naming the key', () => {
    const bad = (doc: unknown, pattern: RegExp) =>
      assert.throws(() => parseSignalGateState(doc, "gate state of camera 'door-1'"), (e: unknown) => e instanceof ValidationError && pattern.test(e.message));
    const ok = initialGateState();
    bad({ ...ok, v: 2 }, /gate state of camera 'door-1': v:/);
    bad({ ...ok, pending: [[2, 'b'], [1, 'a']] }, /pending: expected \[atMs, id\] pairs sorted/);
    bad({ ...ok, open: { recordingId: 'a', firstMs: 5, lastMs: 5, startMs: 0, endMs: 5, sequence: 0, announced: true } }, /open: expected firstMs/);
    bad({ ...ok, watermarkMs: 1.5 }, /watermarkMs/);
    bad({ ...ok, extra: 1 }, /unknown key 'extra'/);
    bad(null, /gate state/);
  });
});
