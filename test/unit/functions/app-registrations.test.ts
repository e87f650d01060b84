import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registrations } from '../../../functions/app';
import '../../../functions/index';

describe('function registrations (what the local host mounts)', () => {
  const byName = new Map(registrations().map((r) => [r.name, r]));

  it('registers every function once, with its kind', () => {
    assert.deepEqual(
      registrations().map((r) => `${r.kind}:${r.name}`).sort(),
      [
        'eventHub:ingest',
        'http:available-media',
        'http:camera-get',
        'http:camera-policy-get',
        'http:camera-policy-put',
        'http:cameras-list',
        'http:device-delete',
        'http:device-get',
        'http:device-secret-rotate',
        'http:device-upload-urls',
        'http:devices-create',
        'http:devices-list',
        'http:export-get',
        'http:export-mp4',
        'http:exports-create',
        'http:gaps-list',
        'http:health',
        'http:hold-delete',
        'http:holds-create',
        'http:holds-list',
        'http:live',
        'http:live-pipeline-activate',
        'http:live-pipeline-deactivate',
        'http:live-pipeline-delete',
        'http:live-pipeline-get',
        'http:live-pipeline-put',
        'http:live-pipelines-list',
        'http:live-playlist',
        'http:media-delete',
        'http:openapi-json',
        'http:pipeline-topologies-list',
        'http:pipeline-topology-delete',
        'http:pipeline-topology-get',
        'http:pipeline-topology-put',
        'http:playback',
        'http:playlist',
        'http:preview',
        'http:preview-image',
        'http:previews-list',
        'http:recording-get',
        'http:recording-hold-create',
        'http:recording-hold-delete',
        'http:recording-playback',
        'http:recordings-list',
        'http:share-delete',
        'http:share-page',
        'http:share-playlist',
        'http:shares-create',
        'http:shares-list',
        'http:signals-create',
        'http:signals-list',
        'http:viewer-asset',
        'http:viewer-page',
        'timer:exports-resume',
        'timer:health-sweep',
        'timer:manifests',
        'timer:retention',
      ],
    );
  });

  it('HTTP routes, methods and auth levels follow the API contract: every route anonymous at the host, authorized by the app', () => {
    const http = (name: string) => {
      const r = byName.get(name);
      assert.ok(r && r.kind === 'http', name);
      return r.options;
    };
    assert.deepEqual([http('health').route, http('health').authLevel, http('health').methods], ['health', 'anonymous', ['GET']]);
    assert.deepEqual([http('cameras-list').route, http('cameras-list').authLevel], ['cameras', 'anonymous']);
    assert.deepEqual([http('playback').route, http('playback').authLevel], ['cameras/{cameraId}/playback', 'anonymous']);
    assert.deepEqual([http('available-media').route, http('available-media').authLevel, http('available-media').methods], ['cameras/{cameraId}/availableMedia', 'anonymous', ['GET']]);
    assert.deepEqual([http('playlist').route, http('playlist').authLevel], ['cameras/{cameraId}/playlist.m3u8', 'anonymous']);
    assert.deepEqual([http('openapi-json').route, http('openapi-json').authLevel], ['openapi.json', 'anonymous']);
    assert.deepEqual([http('viewer-page').route, http('viewer-page').authLevel], ['viewer', 'anonymous']);
    assert.deepEqual([http('viewer-asset').route, http('viewer-asset').authLevel], ['viewer/{asset}', 'anonymous']);
    assert.deepEqual([http('shares-create').route, http('shares-create').authLevel, http('shares-create').methods], ['cameras/{cameraId}/shares', 'anonymous', ['POST']]);
    assert.deepEqual([http('shares-list').route, http('shares-list').methods], ['cameras/{cameraId}/shares', ['GET']]);
    assert.deepEqual([http('share-delete').route, http('share-delete').methods], ['cameras/{cameraId}/shares/{shareId}', ['DELETE']]);
    assert.deepEqual([http('share-page').route, http('share-page').authLevel, http('share-page').methods], ['share/{cameraId}/{shareId}', 'anonymous', ['GET']]);
    assert.deepEqual([http('share-playlist').route, http('share-playlist').authLevel, http('share-playlist').methods], ['share/{cameraId}/{shareId}/playlist.m3u8', 'anonymous', ['GET']]);
    assert.deepEqual([http('export-mp4').route, http('export-mp4').authLevel], ['cameras/{cameraId}/export.mp4', 'anonymous']);
    // Previews: the image and the thumbnails list by role (checked by the app), the image by a signed URL (a playback token).
    assert.deepEqual([http('preview').route, http('preview').authLevel, http('preview').methods], ['cameras/{cameraId}/preview', 'anonymous', ['GET']]);
    assert.deepEqual([http('previews-list').route, http('previews-list').authLevel, http('previews-list').methods], ['cameras/{cameraId}/previews', 'anonymous', ['GET']]);
    assert.deepEqual([http('preview-image').route, http('preview-image').authLevel, http('preview-image').methods], ['cameras/{cameraId}/preview.jpg', 'anonymous', ['GET']]);
    assert.deepEqual([http('camera-policy-get').route, http('camera-policy-get').authLevel, http('camera-policy-get').methods], ['cameras/{cameraId}/policy', 'anonymous', ['GET']]);
    assert.deepEqual([http('camera-policy-put').route, http('camera-policy-put').authLevel, http('camera-policy-put').methods], ['cameras/{cameraId}/policy', 'anonymous', ['PUT']]);
    assert.deepEqual([http('holds-create').route, http('holds-create').authLevel, http('holds-create').methods], ['cameras/{cameraId}/holds', 'anonymous', ['POST']]);
    assert.deepEqual([http('holds-list').route, http('holds-list').authLevel, http('holds-list').methods], ['cameras/{cameraId}/holds', 'anonymous', ['GET']]);
    assert.deepEqual([http('signals-create').route, http('signals-create').authLevel, http('signals-create').methods], ['cameras/{cameraId}/signals', 'anonymous', ['POST']]);
    // The app authorizes every request itself (functions/auth/route-guard.ts): with authLevel `function` the host would
    // refuse a bearer token before any code runs. Device routes: the admin's key or an Admin token; upload-urls, the
    // device secret, checked by the handler.
    assert.deepEqual([http('devices-create').route, http('devices-create').authLevel, http('devices-create').methods], ['devices', 'anonymous', ['POST']]);
    assert.deepEqual([http('devices-list').route, http('devices-list').authLevel, http('devices-list').methods], ['devices', 'anonymous', ['GET']]);
    assert.deepEqual([http('device-get').route, http('device-get').authLevel, http('device-get').methods], ['devices/{deviceId}', 'anonymous', ['GET']]);
    assert.deepEqual([http('device-delete').route, http('device-delete').authLevel, http('device-delete').methods], ['devices/{deviceId}', 'anonymous', ['DELETE']]);
    assert.deepEqual([http('device-secret-rotate').route, http('device-secret-rotate').authLevel, http('device-secret-rotate').methods], ['devices/{deviceId}/secret', 'anonymous', ['POST']]);
    assert.deepEqual([http('device-upload-urls').route, http('device-upload-urls').authLevel, http('device-upload-urls').methods], ['devices/{deviceId}/upload-urls', 'anonymous', ['POST']]);
    assert.deepEqual([http('hold-delete').route, http('hold-delete').authLevel, http('hold-delete').methods], ['cameras/{cameraId}/holds/{holdId}', 'anonymous', ['DELETE']]);
    // Erasure on demand: Admin, as device-delete and the other destructive routes.
    assert.deepEqual([http('media-delete').route, http('media-delete').authLevel, http('media-delete').methods], ['cameras/{cameraId}/media', 'anonymous', ['DELETE']]);
    assert.deepEqual([http('exports-create').route, http('exports-create').authLevel, http('exports-create').methods], ['exports', 'anonymous', ['POST']]);
    assert.deepEqual([http('export-get').route, http('export-get').authLevel, http('export-get').methods], ['exports/{exportId}', 'anonymous', ['GET']]);
    for (const r of registrations()) if (r.kind === 'http') assert.equal(r.options.authLevel, 'anonymous', r.name);
  });

  it('retention is a timer on the default hourly schedule (KEEPWATCH_RETENTION_SCHEDULE unset here)', () => {
    const r = byName.get('retention');
    assert.ok(r && r.kind === 'timer');
    assert.equal(r.options.schedule, '0 5 * * * *');
    assert.notEqual(r.options.runOnStartup, true);
  });

  it('manifests is a timer every 5 minutes', () => {
    const r = byName.get('manifests');
    assert.ok(r && r.kind === 'timer');
    assert.equal(r.options.schedule, '30 */5 * * * *');
    assert.notEqual(r.options.runOnStartup, true);
  });

  it('ingest is an Event Hubs batch trigger bound to app settings, with a retry policy', () => {
    const r = byName.get('ingest');
    assert.ok(r && r.kind === 'eventHub');
    assert.equal(r.options.eventHubName, '%KEEPWATCH_DEVICE_EVENTS_HUB%');
    assert.equal(r.options.connection, 'KEEPWATCH_EVENTHUB');
    assert.equal(r.options.consumerGroup, '%KEEPWATCH_DEVICE_EVENTS_CONSUMER_GROUP%');
    assert.equal(r.options.cardinality, 'many');
    assert.equal(r.options.retry?.strategy, 'exponentialBackoff');
    assert.ok(r.options.retry && r.options.retry.maxRetryCount >= 1);
  });

  it('the list is a copy with frozen entries', () => {
    const list = registrations() as unknown[];
    list.length = 0;
    assert.equal(registrations().length, 57);
    assert.ok(Object.isFrozen(registrations()[0]));
  });
});
