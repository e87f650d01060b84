import assert from 'node:assert/strict';
import Module from 'node:module';
import { describe, it } from 'node:test';

/**
 * Runs functions/index.ts under a stand-in for the Functions Node worker: the worker provides the module
 * `@azure/functions-core` (it is not on npm: only the host provides it), and `@azure/functions` hands each `app.*`
 * registration to its `registerFunction`. This checks that a real host would find every function, with the bindings
 * it needs — without Core Tools, which cannot be installed here. The interface is internal: keep this test small.
 */
interface CoreMetadata {
  name: string;
  bindings: Record<string, Record<string, unknown>>;
  retryOptions?: Record<string, unknown>;
}
const registered: CoreMetadata[] = [];
const stub = {
  setProgrammingModel() {},
  registerFunction(metadata: CoreMetadata) {
    registered.push(metadata);
    return { dispose() {} };
  },
  registerHook() {
    return { dispose() {} };
  },
  log() {},
};
const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
const originalLoad = loader._load;
loader._load = function (request: string, ...rest: unknown[]) {
  if (request === '@azure/functions-core') return stub;
  return originalLoad.call(this, request, ...rest);
};
// Loaded after the stub is in place (an `import` would be hoisted above it).
require('../../../functions/index');
loader._load = originalLoad;

describe('registration with a Functions host present', () => {
  const trigger = (name: string) => {
    const meta = registered.find((m) => m.name === name);
    assert.ok(meta, `function ${name} was not registered with the host`);
    return Object.values(meta.bindings).find((b) => b.direction === 'in')!;
  };

  it('hands every function to the host', () => {
    assert.deepEqual(registered.map((m) => m.name).sort(), [
      'available-media',
      'camera-get',
      'camera-policy-get',
      'camera-policy-put',
      'cameras-list',
      'device-delete',
      'device-get',
      'device-secret-rotate',
      'device-upload-urls',
      'devices-create',
      'devices-list',
      'export-get',
      'export-mp4',
      'exports-create',
      'exports-resume',
      'gaps-list',
      'health',
      'health-sweep',
      'hold-delete',
      'holds-create',
      'holds-list',
      'ingest',
      'live',
      'live-pipeline-activate',
      'live-pipeline-deactivate',
      'live-pipeline-delete',
      'live-pipeline-get',
      'live-pipeline-put',
      'live-pipelines-list',
      'live-playlist',
      'manifests',
      'media-delete',
      'openapi-json',
      'pipeline-topologies-list',
      'pipeline-topology-delete',
      'pipeline-topology-get',
      'pipeline-topology-put',
      'playback',
      'playlist',
      'preview',
      'preview-image',
      'previews-list',
      'recording-get',
      'recording-hold-create',
      'recording-hold-delete',
      'recording-playback',
      'recordings-list',
      'retention',
      'share-delete',
      'share-page',
      'share-playlist',
      'shares-create',
      'shares-list',
      'signals-create',
      'signals-list',
      'viewer-asset',
      'viewer-page',
    ]);
  });

  it('HTTP triggers carry route, methods and auth level (anonymous: the app authorizes, functions/auth/route-guard.ts)', () => {
    assert.deepEqual(
      ['health', 'cameras-list', 'playback', 'playlist', 'live', 'live-playlist', 'available-media', 'openapi-json', 'viewer-page', 'viewer-asset', 'export-mp4', 'gaps-list', 'shares-create', 'share-page', 'share-playlist'].map((n) => {
        const t = trigger(n);
        return [n, t.type, t.route, t.authLevel, t.methods];
      }),
      [
        ['health', 'httpTrigger', 'health', 'anonymous', ['GET']],
        ['cameras-list', 'httpTrigger', 'cameras', 'anonymous', ['GET']],
        ['playback', 'httpTrigger', 'cameras/{cameraId}/playback', 'anonymous', ['GET']],
        ['playlist', 'httpTrigger', 'cameras/{cameraId}/playlist.m3u8', 'anonymous', ['GET']],
        ['live', 'httpTrigger', 'cameras/{cameraId}/live', 'anonymous', ['GET']],
        ['live-playlist', 'httpTrigger', 'cameras/{cameraId}/live.m3u8', 'anonymous', ['GET']],
        ['available-media', 'httpTrigger', 'cameras/{cameraId}/availableMedia', 'anonymous', ['GET']],
        ['openapi-json', 'httpTrigger', 'openapi.json', 'anonymous', ['GET']],
        ['viewer-page', 'httpTrigger', 'viewer', 'anonymous', ['GET']],
        ['viewer-asset', 'httpTrigger', 'viewer/{asset}', 'anonymous', ['GET']],
        ['export-mp4', 'httpTrigger', 'cameras/{cameraId}/export.mp4', 'anonymous', ['GET']],
        ['gaps-list', 'httpTrigger', 'cameras/{cameraId}/gaps', 'anonymous', ['GET']],
        ['shares-create', 'httpTrigger', 'cameras/{cameraId}/shares', 'anonymous', ['POST']],
        ['share-page', 'httpTrigger', 'share/{cameraId}/{shareId}', 'anonymous', ['GET']],
        ['share-playlist', 'httpTrigger', 'share/{cameraId}/{shareId}/playlist.m3u8', 'anonymous', ['GET']],
      ],
    );
    assert.deepEqual(
      ['camera-policy-get', 'camera-policy-put', 'holds-create', 'holds-list', 'hold-delete'].map((n) => {
        const t = trigger(n);
        return [n, t.type, t.route, t.authLevel, t.methods];
      }),
      [
        ['camera-policy-get', 'httpTrigger', 'cameras/{cameraId}/policy', 'anonymous', ['GET']],
        ['camera-policy-put', 'httpTrigger', 'cameras/{cameraId}/policy', 'anonymous', ['PUT']],
        ['holds-create', 'httpTrigger', 'cameras/{cameraId}/holds', 'anonymous', ['POST']],
        ['holds-list', 'httpTrigger', 'cameras/{cameraId}/holds', 'anonymous', ['GET']],
        ['hold-delete', 'httpTrigger', 'cameras/{cameraId}/holds/{holdId}', 'anonymous', ['DELETE']],
      ],
    );
    const pipelineRoutes: Array<[string, string, string]> = [
      ['pipeline-topologies-list', 'devices/{deviceId}/pipelineTopologies', 'GET'],
      ['pipeline-topology-get', 'devices/{deviceId}/pipelineTopologies/{name}', 'GET'],
      ['pipeline-topology-put', 'devices/{deviceId}/pipelineTopologies/{name}', 'PUT'],
      ['pipeline-topology-delete', 'devices/{deviceId}/pipelineTopologies/{name}', 'DELETE'],
      ['live-pipelines-list', 'devices/{deviceId}/livePipelines', 'GET'],
      ['live-pipeline-get', 'devices/{deviceId}/livePipelines/{name}', 'GET'],
      ['live-pipeline-put', 'devices/{deviceId}/livePipelines/{name}', 'PUT'],
      ['live-pipeline-delete', 'devices/{deviceId}/livePipelines/{name}', 'DELETE'],
      ['live-pipeline-activate', 'devices/{deviceId}/livePipelines/{name}/activate', 'POST'],
      ['live-pipeline-deactivate', 'devices/{deviceId}/livePipelines/{name}/deactivate', 'POST'],
    ];
    assert.deepEqual(
      pipelineRoutes.map(([n]) => {
        const t = trigger(n);
        return [n, t.type, t.route, t.authLevel, t.methods];
      }),
      pipelineRoutes.map(([n, route, method]) => [n, 'httpTrigger', route, 'anonymous', [method]]),
    );
  });

  it('the Event Hubs trigger carries its settings, batch cardinality and retry policy', () => {
    const t = trigger('ingest');
    assert.equal(t.type, 'eventHubTrigger');
    assert.equal(t.eventHubName, '%KEEPWATCH_DEVICE_EVENTS_HUB%');
    assert.equal(t.connection, 'KEEPWATCH_EVENTHUB');
    assert.equal(t.consumerGroup, '%KEEPWATCH_DEVICE_EVENTS_CONSUMER_GROUP%');
    assert.equal(t.cardinality, 'many');
    const retry = registered.find((m) => m.name === 'ingest')!.retryOptions!;
    assert.equal(retry.retryStrategy, 'exponentialBackoff');
    assert.ok(Number(retry.maxRetryCount) >= 1);
  });

  it('the retention timer trigger carries its NCRONTAB schedule', () => {
    const t = trigger('retention');
    assert.equal(t.type, 'timerTrigger');
    assert.equal(t.schedule, '0 5 * * * *');
  });

  it('the health sweep timer runs every 5 s (a camera failing for 10 s is announced offline within 15 s)', () => {
    const t = trigger('health-sweep');
    assert.equal(t.type, 'timerTrigger');
    assert.equal(t.schedule, '*/5 * * * * *');
  });
});
