import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { loadAgentConfig } from '../../../edge-agent/config/load-config';
import { FileSink } from '../../../edge-agent/evr/file-sink';
import { SegmentJournal } from '../../../edge-agent/journal/segment-journal';
import { createLogger } from '../../../edge-agent/log';
import { ACTIVE_PIPELINES_FILE, ActivePipelines } from '../../../edge-agent/pipelines/active-pipelines';
import { PipelineController } from '../../../edge-agent/pipelines/pipeline-controller';
import { pipelineActivateCommand } from '../../../shared/contracts/pipeline-commands';
import { FFMPEG } from '../../helpers/ffmpeg';

const T = Date.UTC(2026, 10, 22);
const mode = (file: string) => (statSync(file).mode & 0o777).toString(8);

/**
 * Agent side of docs/security.md: the cache's files that hold secrets are 0600, and a file sink writes only inside the
 * configured root. Real files, the real config loader, the real pipeline controller and active pipelines, real ffmpeg.
 */
describe("the agent's cache: secrets 0600, file sinks confined to fileSinkRoot (docs/security.md)", () => {
  it('pipelines.json (camera passwords of live pipelines) and the journal are 0600, even over a 0644 file of an older agent and with umask 022', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-secrets-'));
    const old = process.umask(0o022);
    try {
      writeFileSync(path.join(dir, ACTIVE_PIPELINES_FILE), '{"pipelines":[]}');
      chmodSync(path.join(dir, ACTIVE_PIPELINES_FILE), 0o644);
      writeFileSync(path.join(dir, `${ACTIVE_PIPELINES_FILE}.tmp`), 'left by a crash');
      chmodSync(path.join(dir, `${ACTIVE_PIPELINES_FILE}.tmp`), 0o644);
      const activePipelines = new ActivePipelines(dir, createLogger('silent'));
      activePipelines.load();
      activePipelines.put({ name: 'p', generation: 1, state: 'active', cameras: [{ id: 'lobby', url: 'rtsp://192.0.2.1/s', username: 'admin', password: 'camera-password' }], agent: {} });
      assert.equal(mode(path.join(dir, ACTIVE_PIPELINES_FILE)), '600');
      const journal = new SegmentJournal(dir, createLogger('silent'));
      journal.open();
      journal.close();
      assert.equal(mode(journal.file), '600');
    } finally {
      process.umask(old);
    }
  });

  it('the config loader refuses a file sink folder outside fileSinkRoot (default {localMediaCachePath}/file-sinks), naming camera, folder and root', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-sinkroot-'));
    const write = (extra: Record<string, unknown>, baseDirectoryPath: string) => {
      const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
      writeFileSync(
        file,
        JSON.stringify({
          deviceId: 'site-1',
          cameras: [{ id: 'door', url: 'rtsp://192.0.2.1/s', mode: 'evr', fileSink: { baseDirectoryPath, fileNamePattern: 'clip-${cameraId}', maximumSizeMiB: 10 } }],
          localMediaCachePath: 'cache',
          broker: { url: 'mqtt://127.0.0.1:1883', password: 'pw' },
          upload: { connectionString: 'UseDevelopmentStorage=true' },
          ...extra,
        }),
      );
      return file;
    };
    const cache = path.join(dir, 'cache');
    assert.equal(loadAgentConfig(write({}, path.join(cache, 'file-sinks', 'door'))).fileSinkRoot, path.join(cache, 'file-sinks'));
    for (const outside of ['/etc/cron.d', path.join(cache, 'file-sinks', '..', '..', 'elsewhere'), cache, '/']) {
      assert.throws(
        () => loadAgentConfig(write({}, outside)),
        (err: Error) => err.message.includes(`camera 'door': fileSink.baseDirectoryPath ${outside} is outside the file sink root ${path.join(cache, 'file-sinks')}`),
        outside,
      );
    }
    // An operator who wants the MP4s elsewhere says so once, in the device's own config.
    assert.equal(loadAgentConfig(write({ fileSinkRoot: '/srv/clips' }, '/srv/clips/door')).fileSinkRoot, '/srv/clips');
    assert.throws(() => loadAgentConfig(write({ fileSinkRoot: '/srv/clips' }, '/srv/clips-other')), /outside the file sink root \/srv\/clips/);
  });

  it('a live pipeline command whose file sink folder is outside the root is refused (reported inactive), its camera never started', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-sinkroot-'));
    const started: string[] = [];
    const reports: Array<Record<string, unknown>> = [];
    const activePipelines = new ActivePipelines(dir, createLogger('silent'));
    activePipelines.load();
    const controller = new PipelineController({
      deviceId: 'site-1',
      activePipelines,
      configCameraIds: new Set(),
      fileSinkRoot: path.join(dir, 'file-sinks'),
      startCamera: (c) => void started.push(c.id),
      stopCamera: async () => {},
      drained: () => true,
      publish: (_topic, event) => void reports.push(event.data as Record<string, unknown>),
      defaultSegmentLengthMs: 10_000,
      logger: createLogger('silent'),
      now: () => T,
    });
    const camera = (baseDirectoryPath: string) => ({ id: 'lobby', url: 'rtsp://192.0.2.1/s', mode: 'evr', fileSink: { baseDirectoryPath, fileNamePattern: 'clip-${cameraId}', maximumSizeMiB: 10 } });
    controller.onCommand(pipelineActivateCommand('p', 1, [camera('/root/.ssh')], {}, T));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(started, []);
    assert.equal(reports[0]?.state, 'inactive');
    assert.match(String(reports[0]?.message), /camera 'lobby': fileSink\.baseDirectoryPath \/root\/\.ssh is outside the file sink root/);
    assert.equal(activePipelines.get('p'), undefined, 'not kept for the next start either');
    controller.onCommand(pipelineActivateCommand('p', 2, [camera(path.join(dir, 'file-sinks', 'lobby'))], {}, T));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(started, ['lobby'], 'inside the root: started');
  });

  it('the file sink itself refuses a folder that leads outside its root through a symlink: nothing is written or trimmed there', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-sinkroot-'));
    const root = path.join(dir, 'file-sinks');
    const outside = path.join(dir, 'outside');
    mkdirSync(root);
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'precious.mp4'), Buffer.alloc(4 * 1024 * 1024));
    symlinkSync(outside, path.join(root, 'door'));
    const sink = new FileSink({ settings: { baseDirectoryPath: path.join(root, 'door'), fileNamePattern: 'clip-${cameraId}', maximumSizeMiB: 1 }, root, ffmpegPath: FFMPEG, logger: createLogger('silent') });
    await assert.rejects(sink.write({ cameraId: 'door', startMs: T, endMs: T + 10_000, recordingId: 'r1' } as Parameters<FileSink['write']>[0], []), /leads outside the file sink root/);
    assert.deepEqual(readdirSync(outside), ['precious.mp4']);
    const plain = new FileSink({ settings: { baseDirectoryPath: '/tmp/../etc', fileNamePattern: 'x', maximumSizeMiB: 1 }, root, ffmpegPath: FFMPEG, logger: createLogger('silent') });
    await assert.rejects(plain.write({ cameraId: 'door', startMs: T, endMs: T + 10_000, recordingId: 'r1' } as Parameters<FileSink['write']>[0], []), /is outside the file sink root/);
    assert.ok(!existsSync('/etc/x.mp4'));
  });
});
