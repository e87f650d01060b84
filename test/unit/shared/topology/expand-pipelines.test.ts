import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseAgentConfig } from '../../../../shared/schemas/agent-config';
import { expandPipelines, parsePipelineEntries } from '../../../../shared/topology/expand-pipelines';
import { readTopology } from '../../../helpers/topologies';

const BASE = { deviceId: 'site-1', broker: { url: 'mqtt://localhost:1883' }, upload: { connectionString: 'UseDevelopmentStorage=true' } };
const TOPOLOGIES = { 'evr.json': readTopology('ava-evr-hubMessage-file-sink'), 'cvr.json': readTopology('lva-2.0-cvr-asset'), 'grpc.json': readTopology('ava-cvr-with-grpcExtension') };

describe('agent config pipelines (shared/topology/expand-pipelines.ts)', () => {
  it('expands each pipeline into its camera and the topology\'s agent settings, and notes the cloud policy to set', () => {
    const entries = parsePipelineEntries([
      { name: 'Gate_1', topologyFile: 'evr.json', parameters: { rtspUrl: 'rtsp://cam/gate' } },
      { name: 'lobby', topologyFile: 'cvr.json', parameters: { rtspUrl: 'rtsp://cam/lobby' } },
    ]);
    const { doc, notes } = expandPipelines({ ...BASE, pipelines: [] }, entries, TOPOLOGIES);
    assert.equal('pipelines' in doc, false);
    const config = parseAgentConfig(doc);
    assert.deepEqual(config.cameras.map((c) => [c.id, c.mode, c.url]), [['gate-1', 'evr', 'rtsp://cam/gate'], ['lobby', 'cvr', 'rtsp://cam/lobby']]);
    assert.equal(config.segmentLengthMs, 30_000);
    assert.equal(config.localMediaCachePath, '/var/lib/azuremediaservices/tmp/');
    assert.ok(notes.some((n) => n.pipeline === 'Gate_1' && n.cameraId === 'gate-1' && /cloud policy \(evr\): set it with keepwatch-agent import-topology --api-url, or the pipelines API/.test(n.message)));
  });

  it('explicit config wins: a camera entry merges over the pipeline camera (objects one level deep), top-level agent keys win', () => {
    const entries = parsePipelineEntries([{ name: 'gate-1', topologyFile: 'evr.json', parameters: { rtspUrl: 'rtsp://cam/gate' } }, { name: 'lobby', topologyFile: 'cvr.json', parameters: { rtspUrl: 'rtsp://cam/lobby' } }]);
    const { doc, notes } = expandPipelines(
      { ...BASE, segmentLength: 'PT10S', cameras: [{ id: 'gate-1', url: 'rtsp://other/gate', fileSink: { baseDirectoryPath: '/data/clips' } }, { id: 'extra', url: 'rtsp://cam/extra' }] },
      entries,
      TOPOLOGIES,
    );
    const config = parseAgentConfig(doc);
    const gate = config.cameras.find((c) => c.id === 'gate-1');
    assert.equal(gate?.url, 'rtsp://other/gate');
    assert.deepEqual(gate?.fileSink, { baseDirectoryPath: '/data/clips', fileNamePattern: 'sampleFilesFromEVR-EVRtoFilesBasedOnHubMessages-gate-1-filesinkOutput-${System.Runtime.DateTime}', maximumSizeMiB: 512 });
    assert.deepEqual(config.cameras.map((c) => c.id), ['gate-1', 'lobby', 'extra']);
    assert.equal(config.segmentLengthMs, 10_000);
    assert.ok(notes.some((n) => /segmentLength "PT30S" of the topology is overridden by the config file's "PT10S"/.test(n.message)));
    assert.ok(notes.some((n) => /camera 'gate-1' in cameras is merged over/.test(n.message)));
  });

  it('refuses bad entries, unsupported topologies and two pipelines with one camera id, naming the pipeline', () => {
    assert.throws(() => parsePipelineEntries([{ name: 'a', topologyFile: 'x', colour: 1 }]), (e: unknown) => e instanceof ValidationError && /unknown key 'colour' at \[0\]/.test(e.message));
    assert.throws(() => parsePipelineEntries([{ name: 'a' }]), (e: unknown) => e instanceof ValidationError && /\[0\]\.topologyFile/.test(e.message));
    const grpc = parsePipelineEntries([{ name: 'a', topologyFile: 'grpc.json', parameters: { rtspUrl: 'rtsp://c/s' } }]);
    assert.throws(() => expandPipelines(BASE, grpc, TOPOLOGIES), (e: unknown) => e instanceof ValidationError && e.code === 'UnsupportedTopologyNode' && /^agent config: pipelines\[0\] 'a': .*grpcExtension \(#Microsoft\.VideoAnalyzer\.GrpcExtension\)/.test(e.message));
    const twice = parsePipelineEntries([{ name: 'Cam', topologyFile: 'cvr.json', parameters: { rtspUrl: 'rtsp://c/1' } }, { name: 'cam', topologyFile: 'cvr.json', parameters: { rtspUrl: 'rtsp://c/2' } }]);
    assert.throws(() => expandPipelines(BASE, twice, TOPOLOGIES), /pipelines\[1\] 'cam' gives camera id 'cam', which another pipeline gives too/);
  });
});
