import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { renderFileName } from '../../../../shared/schemas/file-name-pattern';
import { resolveSystemVariables, resolveSystemVariablesDeep } from '../../../../shared/topology/system-variables';

const NAMES = { topologyName: 'EVRtoFiles', pipelineName: 'Sample-Pipeline-1' };

describe('topology system variables (shared/topology/system-variables.ts)', () => {
  it('resolves LVA and AVA spellings of the topology and pipeline names', () => {
    assert.equal(resolveSystemVariables('x-${System.GraphTopologyName}-${System.GraphInstanceName}', NAMES, 'a'), 'x-EVRtoFiles-Sample-Pipeline-1');
    assert.equal(resolveSystemVariables('x-${System.TopologyName}-${System.PipelineName}', NAMES, 'a'), 'x-EVRtoFiles-Sample-Pipeline-1');
  });

  it('keeps date-times for run time in AVA spelling, which the file sink renders', () => {
    const pattern = resolveSystemVariables('clip-${System.DateTime}-${System.PreciseDateTime}-${System.Runtime.DateTime}', NAMES, 'a');
    assert.equal(pattern, 'clip-${System.Runtime.DateTime}-${System.Runtime.PreciseDateTime}-${System.Runtime.DateTime}');
    assert.equal(renderFileName(pattern, { startMs: Date.UTC(2020, 1, 22, 17, 32, 0, 45), cameraId: 'c', recordingId: 'r' }), 'clip-20200222T173200Z-20200222T173200.045Z-20200222T173200Z.mp4');
  });

  it('refuses an unknown system variable, naming the key path', () => {
    assert.throws(() => resolveSystemVariablesDeep({ sink: { pattern: '${System.Runtime.Hostname}' } }, NAMES, "node 'fileSink'"), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidTopology' && e.message.startsWith("node 'fileSink'.sink.pattern uses ${System.Runtime.Hostname}"));
  });

  it('walks objects and arrays, leaving other values alone', () => {
    assert.deepEqual(resolveSystemVariablesDeep({ a: ['${System.PipelineName}', 1], b: false, c: '${rtspUrl}' }, NAMES, 'n'), { a: ['Sample-Pipeline-1', 1], b: false, c: '${rtspUrl}' });
  });
});
