import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { createLogger } from '../../../../edge-agent/log';
import { ACTIVE_PIPELINES_FILE, ActivePipelines } from '../../../../edge-agent/pipelines/active-pipelines';
import { commandOpener, PipelineController } from '../../../../edge-agent/pipelines/pipeline-controller';
import { deviceCommandSealKey, sealJson } from '../../../../shared/contracts/command-seal';
import { pipelineActivateCommand, pipelineDeactivateCommand } from '../../../../shared/contracts/pipeline-commands';
import { until } from '../../../helpers/wait';

const T = Date.UTC(2026, 10, 22);
const CAMERA = { id: 'lobby', url: 'rtsp://192.0.2.1/s', mode: 'cvr' };

/** A controller over real active pipelines in `dir`, with the agent's hooks recording what they were asked. */
function harness(dir: string, drained = () => true, openSealed?: (sealed: string, commandId: string) => unknown) {
  const calls: string[] = [];
  const reports: Array<{ topic: string; data: Record<string, unknown> }> = [];
  const activePipelines = new ActivePipelines(dir, createLogger('silent'));
  activePipelines.load();
  const controller = new PipelineController({
    deviceId: 'site-1',
    activePipelines,
    configCameraIds: new Set(['door']),
    startCamera: (c, ms) => void calls.push(`start ${c.id} ${ms}`),
    stopCamera: async (id) => void calls.push(`stop ${id}`),
    drained,
    publish: (topic, event) => void reports.push({ topic, data: event.data as Record<string, unknown> }),
    defaultSegmentLengthMs: 10_000,
    ...(openSealed ? { openSealed } : {}),
    logger: createLogger('silent'),
    now: () => T,
  });
  // Commands are applied on a promise chain: one timer turn lets every queued step (without an upload wait) finish.
  const settle = () => new Promise((r) => setTimeout(r, 20));
  return { calls, reports, activePipelines, controller, settle };
}

describe('PipelineController (edge-agent/pipelines/pipeline-controller.ts)', () => {
  it('sealed cameras (docs/devices.md): opened with the device secret and applied; without it, or with another secret, answered inactive naming why, nothing started', async () => {
    const secret = 'S'.repeat(43);
    const seal = (cameras: Array<Record<string, unknown>>, id: string) => sealJson(cameras, deviceCommandSealKey(secret, 'site-1'), Buffer.alloc(12, 7), id);
    const command = pipelineActivateCommand('lobby', 3, [{ ...CAMERA, password: 'hunter2' }], {}, T, seal);
    assert.doesNotMatch(JSON.stringify(command), /hunter2|rtsp:/);
    const good = harness(mkdtempSync(path.join(os.tmpdir(), 'kw-pipelines-')), () => true, commandOpener(secret, 'site-1'));
    good.controller.onCommand(command);
    await good.settle();
    assert.deepEqual(good.calls, ['start lobby 10000']);
    assert.equal(good.reports[0].data.state, 'active');
    for (const opener of [undefined, commandOpener('R'.repeat(43), 'site-1'), commandOpener(secret, 'site-2')]) {
      const h = harness(mkdtempSync(path.join(os.tmpdir(), 'kw-pipelines-')), () => true, opener);
      h.controller.onCommand(command);
      await h.settle();
      assert.deepEqual(h.calls, []);
      assert.equal(h.reports.length, 1);
      assert.deepEqual({ ...h.reports[0].data, message: undefined }, { pipelineName: 'lobby', state: 'inactive', generation: 3, cameraIds: ['lobby'], message: undefined });
      assert.match(String(h.reports[0].data.message), opener ? /cannot be opened/ : /upload\.deviceSecret/);
    }
  });

  it('activate starts the cameras with the topology segment length, keeps the pipeline on disk and reports active; repeats are answered, older commands ignored', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-pipelines-'));
    const h = harness(dir);
    h.controller.onCommand(pipelineActivateCommand('lobby', 2, [CAMERA], { segmentLength: 'PT30S' }, T));
    await h.settle();
    assert.deepEqual(h.calls, ['start lobby 30000']);
    assert.deepEqual(h.reports, [{ topic: 'keepwatch/site-1/events/lobby', data: { pipelineName: 'lobby', state: 'active', generation: 2, cameraIds: ['lobby'] } }]);
    assert.equal(JSON.parse(readFileSync(path.join(dir, ACTIVE_PIPELINES_FILE), 'utf8')).pipelines[0].state, 'active');
    h.controller.onCommand(pipelineActivateCommand('lobby', 2, [CAMERA], { segmentLength: 'PT30S' }, T)); // redelivery
    h.controller.onCommand(pipelineDeactivateCommand('lobby', 1, ['lobby'], T)); // an older command
    await h.settle();
    assert.equal(h.reports.length, 2, 'the redelivered activate is answered again (same event id), the old deactivate not at all');
    assert.equal(h.reports[1].data.state, 'active');
    assert.equal(h.activePipelines.get('lobby')?.state, 'active');
  });

  it('a restart resumes active pipelines; deactivate stops, waits for the uploads, forgets and reports inactive', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-pipelines-'));
    const first = harness(dir);
    first.controller.onCommand(pipelineActivateCommand('lobby', 1, [CAMERA], {}, T));
    await first.settle();

    let uploaded = false;
    const second = harness(dir, () => uploaded);
    assert.deepEqual(second.controller.camerasToResume().map((r) => [r.camera.id, r.segmentLengthMs]), [['lobby', 10_000]]);
    second.controller.onCommand(pipelineDeactivateCommand('lobby', 2, ['lobby'], T));
    await second.settle();
    assert.deepEqual(second.calls, ['stop lobby']);
    assert.deepEqual(second.reports, [], 'no report while cached segments wait for their upload');
    assert.equal(second.activePipelines.get('lobby')?.state, 'deactivating');

    // Killed while waiting: the next start finishes the deactivation.
    await second.controller.stop();
    const third = harness(dir, () => uploaded);
    assert.deepEqual(third.controller.camerasToResume(), [], 'a deactivating pipeline is not restarted');
    third.controller.resume();
    uploaded = true;
    await until('the inactive report', 10_000, () => third.reports.length > 0);
    assert.deepEqual(third.reports.map((r) => r.data), [{ pipelineName: 'lobby', state: 'inactive', generation: 2, cameraIds: ['lobby'] }]);
    assert.equal(third.activePipelines.get('lobby'), undefined);
    assert.deepEqual(JSON.parse(readFileSync(path.join(dir, ACTIVE_PIPELINES_FILE), 'utf8')), { pipelines: [] });

    // Deactivating what is not held answers inactive at once (the cloud's state settles).
    third.controller.onCommand(pipelineDeactivateCommand('gone', 5, ['gone'], T));
    await third.settle();
    assert.equal(third.reports.at(-1)?.data.pipelineName, 'gone');
    assert.equal(third.reports.at(-1)?.data.state, 'inactive');
  });

  it('reports inactive with the reason when it cannot apply an activate, and drops invalid commands', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-pipelines-'));
    const h = harness(dir);
    h.controller.onCommand(pipelineActivateCommand('door', 1, [{ ...CAMERA, id: 'door' }], {}, T));
    h.controller.onCommand(pipelineActivateCommand('bad', 1, [{ ...CAMERA, id: 'bad', colour: 'red' }], {}, T));
    h.controller.onCommand(pipelineActivateCommand('slow', 1, [{ ...CAMERA, id: 'slow' }], { segmentLength: 'PT10M' }, T));
    h.controller.onCommand({ specversion: '1.0', id: 'x', source: '/keepwatch/pipelines', type: 'command.pipeline.activate', time: new Date(T).toISOString(), data: { pipelineName: 'x' } });
    await h.settle();
    assert.deepEqual(h.calls, []);
    assert.deepEqual(h.reports.map((r) => [r.data.pipelineName, r.data.state]), [['door', 'inactive'], ['bad', 'inactive'], ['slow', 'inactive']]);
    assert.match(String(h.reports[0].data.message), /camera 'door' is already recorded by the agent config/);
    assert.match(String(h.reports[1].data.message), /unknown key 'colour'/);
    assert.match(String(h.reports[2].data.message), /PT10M is outside PT2S\.\.PT5M/);
    assert.equal(h.activePipelines.list().length, 0);
    writeFileSync(path.join(dir, ACTIVE_PIPELINES_FILE), 'not json');
    assert.deepEqual(new ActivePipelines(dir, createLogger('silent')).load(), [], 'an unreadable pipelines file resumes nothing');
  });
});
