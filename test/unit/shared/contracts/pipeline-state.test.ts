import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseDeviceEvent } from '../../../../shared/contracts/device-events';
import { parsePipelineCommand, pipelineActivateCommand, pipelineDeactivateCommand } from '../../../../shared/contracts/pipeline-commands';
import { pipelineStateEvent } from '../../../../shared/contracts/pipeline-state';

const T = Date.UTC(2026, 10, 22, 1, 0, 0);

function rejects(fn: () => unknown, code: string, message: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && e.code === code && message.test(e.message), `${code} ${message.source}`);
}

describe('pipeline.state device event and pipeline commands (shared/contracts/pipeline-state.ts, pipeline-commands.ts)', () => {
  it('parses a pipeline.state report with the publishing device, and checks the topic camera is one of the pipeline cameras', () => {
    const e = pipelineStateEvent('site-1', { pipelineName: 'lobby', state: 'active', generation: 3, cameraIds: ['lobby'] }, T);
    assert.equal(e.id, 'pipeline-state-lobby-3-active');
    const parsed = parseDeviceEvent(e, 'site-1', 'lobby');
    assert.ok(parsed.kind === 'pipeline.state');
    assert.deepEqual(parsed.report, { pipelineName: 'lobby', state: 'active', generation: 3, cameraIds: ['lobby'], deviceId: 'site-1', eventId: e.id });
    rejects(() => parseDeviceEvent(e, 'site-1', 'door'), 'CameraMismatch', /'door' is not one of the pipeline's cameras lobby/);
    rejects(() => parseDeviceEvent(e, 'site-2'), 'DeviceMismatch', /site-2/);
    const bad = { ...e, data: { pipelineName: 'lobby', state: 'activating', generation: 0, cameraIds: [] } };
    rejects(() => parseDeviceEvent(bad, 'site-1'), 'InvalidEventData', /state.*generation.*cameraIds/s);
  });

  it('round-trips the activate and deactivate commands and refuses other types and bad data', () => {
    const a = parsePipelineCommand(pipelineActivateCommand('lobby', 2, [{ id: 'lobby', url: 'rtsp://192.0.2.1/s' }], { segmentLength: 'PT30S' }, T));
    assert.deepEqual(a, { kind: 'activate', id: 'pipeline-lobby-2-activate', pipelineName: 'lobby', generation: 2, cameras: [{ id: 'lobby', url: 'rtsp://192.0.2.1/s' }], agent: { segmentLength: 'PT30S' } });
    const d = parsePipelineCommand(pipelineDeactivateCommand('lobby', 3, ['lobby'], T));
    assert.deepEqual(d, { kind: 'deactivate', id: 'pipeline-lobby-3-deactivate', pipelineName: 'lobby', generation: 3, cameraIds: ['lobby'] });
    rejects(() => parsePipelineCommand({ ...pipelineDeactivateCommand('lobby', 3, ['lobby'], T), type: 'command.upload-window' }), 'InvalidCommand', /not a pipeline command/);
    rejects(() => parsePipelineCommand(pipelineActivateCommand('lobby', 2, [{ id: 'Lobby' }], {}, T)), 'InvalidCommand', /cameras\[0\]\.id/);
  });
});
