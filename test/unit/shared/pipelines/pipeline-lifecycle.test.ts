import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConflictError, ValidationError } from '../../../../shared/errors';
import {
  MAX_PIPELINES_PER_DEVICE,
  MAX_TOPOLOGIES_PER_DEVICE,
  PIPELINE_STATES,
  applyStateReport,
  assertEntityName,
  decideActivate,
  decideDeactivate,
  decideDeletePipeline,
  decideDeleteTopology,
  decideSetPipeline,
  decideSetTopology,
  type PipelineLifecycleView,
  type PipelineState,
} from '../../../../shared/pipelines/pipeline-lifecycle';

// Source of every expectation: AVA direct methods and rules, docs/reference/ava-behaviour.md "Pipelines".

function pipeline(state: PipelineState, extra: Partial<PipelineLifecycleView> = {}): PipelineLifecycleView {
  return { name: 'door-1', topologyName: 'CVR', state, parameterNames: ['rtspUrl'], generation: 3, ...extra };
}

function conflict(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ConflictError && e.status === 409 && e.code === code && message.test(e.message), `${code} ${message.source}`);
}

describe('live pipeline lifecycle (shared/pipelines/pipeline-lifecycle.ts)', () => {
  it('activate: every state, with its status and the next state (AVA livePipelineActivate)', () => {
    const table: Array<[PipelineState, PipelineState | 'OperationNotAllowedInState', number, boolean]> = [
      // from, to (or error), generation after, command sent
      ['inactive', 'activating', 4, true],
      ['activating', 'activating', 3, true], // repeated request: same command again, waits for the same report
      ['active', 'active', 3, false], // idempotent: 200 at once
      ['deactivating', 'OperationNotAllowedInState', 3, false],
    ];
    assert.deepEqual(table.map((r) => r[0]).sort(), [...PIPELINE_STATES].sort());
    for (const [from, to, generation, send] of table) {
      if (to === 'OperationNotAllowedInState') {
        conflict(() => decideActivate(pipeline(from)), to, /'door-1' is deactivating/);
        continue;
      }
      assert.deepEqual(decideActivate(pipeline(from)), { state: to, generation, sendCommand: send, awaitReport: to === 'activating' }, from);
    }
  });

  it('deactivate: every state, with its status and the next state (AVA livePipelineDeactivate)', () => {
    const table: Array<[PipelineState, PipelineState | 'OperationNotAllowedInState', number, boolean]> = [
      ['active', 'deactivating', 4, true],
      ['deactivating', 'deactivating', 3, true],
      ['inactive', 'inactive', 3, false],
      ['activating', 'OperationNotAllowedInState', 3, false],
    ];
    assert.deepEqual(table.map((r) => r[0]).sort(), [...PIPELINE_STATES].sort());
    for (const [from, to, generation, send] of table) {
      if (to === 'OperationNotAllowedInState') {
        conflict(() => decideDeactivate(pipeline(from)), to, /'door-1' is activating/);
        continue;
      }
      assert.deepEqual(decideDeactivate(pipeline(from)), { state: to, generation, sendCommand: send, awaitReport: to === 'deactivating' }, from);
    }
  });

  it('set: 201 new, 200 update only while inactive, 409 in every other state, limit 1000 (AVA livePipelineSet)', () => {
    assert.deepEqual(decideSetPipeline(undefined, 0), { status: 201 });
    assert.deepEqual(decideSetPipeline(undefined, MAX_PIPELINES_PER_DEVICE - 1), { status: 201 });
    conflict(() => decideSetPipeline(undefined, MAX_PIPELINES_PER_DEVICE), 'ModuleLimitExceeded', /1000 live pipelines/);
    assert.deepEqual(decideSetPipeline(pipeline('inactive'), MAX_PIPELINES_PER_DEVICE), { status: 200 });
    for (const state of ['activating', 'active', 'deactivating'] as const) {
      conflict(() => decideSetPipeline(pipeline(state), 1), 'OperationNotAllowedInState', new RegExp(`is ${state}: it can be changed only while inactive`));
    }
  });

  it('delete: 204 not found, 200 inactive, 409 in every other state (AVA livePipelineDelete)', () => {
    assert.deepEqual(decideDeletePipeline(undefined, 'gone'), { status: 204 });
    assert.deepEqual(decideDeletePipeline(pipeline('inactive'), 'door-1'), { status: 200 });
    for (const state of ['activating', 'active', 'deactivating'] as const) {
      conflict(() => decideDeletePipeline(pipeline(state), 'door-1'), 'OperationNotAllowedInState', new RegExp(`is ${state}: only inactive`));
    }
  });

  it("device reports move only the transition in progress, tolerating duplicates and any order", () => {
    const table: Array<[PipelineState, 'active' | 'inactive', number, PipelineState | undefined]> = [
      ['activating', 'active', 3, 'active'],
      ['activating', 'inactive', 3, 'inactive'], // the device could not apply it
      ['activating', 'active', 2, undefined], // a late report of an older command
      ['activating', 'inactive', 2, undefined],
      ['deactivating', 'inactive', 3, 'inactive'],
      ['deactivating', 'active', 3, undefined],
      ['deactivating', 'active', 2, undefined], // the activation report arriving after the deactivate started
      ['active', 'active', 3, undefined], // duplicate
      ['active', 'inactive', 2, undefined],
      ['inactive', 'inactive', 3, undefined], // duplicate
      ['inactive', 'active', 2, undefined],
    ];
    for (const [from, reported, generation, to] of table) {
      assert.equal(applyStateReport(pipeline(from), { state: reported, generation }), to, `${from} + ${reported}@${generation}`);
    }
  });
});

describe('pipeline topology lifecycle (shared/pipelines/pipeline-lifecycle.ts)', () => {
  const params = [{ name: 'rtspUrl', type: 'String' }, { name: 'rtspUserName', type: 'String', default: 'dummy' }];

  it('set: 201 new, limit 50, 200 update when unreferenced', () => {
    assert.deepEqual(decideSetTopology('CVR', false, MAX_TOPOLOGIES_PER_DEVICE - 1, params, []), { status: 201 });
    conflict(() => decideSetTopology('CVR', false, MAX_TOPOLOGIES_PER_DEVICE, params, []), 'ModuleLimitExceeded', /50 pipeline topologies/);
    assert.deepEqual(decideSetTopology('CVR', true, MAX_TOPOLOGIES_PER_DEVICE, params, []), { status: 200 });
  });

  it('set while referenced: refused under pipelines that are not inactive (LVA rule)', () => {
    for (const state of ['activating', 'active', 'deactivating'] as const) {
      conflict(() => decideSetTopology('CVR', true, 1, params, [pipeline('inactive', { name: 'a' }), pipeline(state, { name: 'b' })]), 'PipelineTopologyInUse', new RegExp(`'b' \\(${state}\\)`));
    }
  });

  it('set while referenced by inactive pipelines: new parameters need defaults, removed ones must be unused (AVA rule)', () => {
    const ref = pipeline('inactive', { parameterNames: ['rtspUrl'] });
    assert.deepEqual(decideSetTopology('CVR', true, 1, params, [ref]), { status: 200 });
    // A new parameter with a default: fine.
    assert.deepEqual(decideSetTopology('CVR', true, 1, [...params, { name: 'hubSinkOutputName', type: 'String', default: 'x' }], [ref]), { status: 200 });
    // A new parameter without a default the pipeline does not set: refused.
    conflict(() => decideSetTopology('CVR', true, 1, [...params, { name: 'motionSensitivity', type: 'String' }], [ref]), 'PipelineTopologyInUse', /new parameter 'motionSensitivity' has no default and live pipeline 'door-1'/);
    // A removed parameter the pipeline sets: refused; one it does not set: fine. Names match case-insensitively.
    conflict(() => decideSetTopology('CVR', true, 1, [{ name: 'rtspUserName', type: 'String', default: 'd' }], [ref]), 'PipelineTopologyInUse', /sets parameter 'rtspUrl', which the new topology no longer declares/);
    assert.deepEqual(decideSetTopology('CVR', true, 1, [{ name: 'RTSPURL', type: 'String' }], [ref]), { status: 200 });
  });

  it('delete: 204 not found, 200 unreferenced, 409 PipelineTopologyInUse naming the pipelines (AVA pipelineTopologyDelete)', () => {
    assert.deepEqual(decideDeleteTopology('CVR', false, []), { status: 204 });
    assert.deepEqual(decideDeleteTopology('CVR', true, []), { status: 200 });
    conflict(() => decideDeleteTopology('CVR', true, [pipeline('inactive', { name: 'a' }), pipeline('active', { name: 'b' })]), 'PipelineTopologyInUse', /'a', 'b'/);
  });

  it('entity names: AVA rules, 400 InvalidName otherwise', () => {
    for (const ok of ['CVRToVideoSink', 'EVR-Motion', 'lva_2', 'a', 'x'.repeat(32)]) assert.equal(assertEntityName('live pipeline', ok), ok);
    for (const bad of ['', '-a', 'a-', 'a b', 'x'.repeat(33), 'a/b', 42]) {
      assert.throws(() => assertEntityName('live pipeline', bad), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidName' && /live pipeline name/.test(e.message));
    }
  });
});
