import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { registrations } from '../../../../functions/app';
import { defaultDeps } from '../../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../../helpers/segment-blob-fixtures';
import { OPENAPI_DOCUMENT, type HttpMethodName, type OpenApiOperation, type OpenApiResponse } from '../../../../functions/openapi/openapi';
import { checkJsonSchema, resolveRef } from '../../../helpers/json-schema-check';
import { batchContext, segmentEvent, viaEventGrid } from '../../../helpers/functions-fixtures';
import { startTestHost, type TestHost } from '../../../helpers/test-host';
import { readTopology } from '../../../helpers/topologies';

/**
 * Routes the document lists that other branches register (availability, playback, export and retention). The ONLY tolerance of the
 * "every documented route is registered" check; the lead empties it when merging those branches.
 */
const PENDING_ROUTES: readonly string[] = [];

const API_KEY = 'openapi-test-key-77c1';
const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const iso = (ms: number) => new Date(ms).toISOString();
const METHODS: readonly HttpMethodName[] = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

/** `GET /cameras/{cameraId}` keys of the document. */
function documentedRoutes(): Map<string, OpenApiOperation> {
  const out = new Map<string, OpenApiOperation>();
  for (const [path, item] of Object.entries(OPENAPI_DOCUMENT.paths)) {
    for (const m of METHODS) if (item[m]) out.set(`${m.toUpperCase()} ${path}`, item[m]!);
  }
  return out;
}

/** The same keys for the HTTP functions registered by functions/index.ts (route `cameras/{cameraId}` → `/cameras/{cameraId}`). */
function registeredRoutes(): Map<string, { name: string; authLevel: string }> {
  const out = new Map<string, { name: string; authLevel: string }>();
  for (const r of registrations()) {
    if (r.kind !== 'http') continue;
    for (const m of r.options.methods ?? ['GET', 'POST']) {
      out.set(`${m.toUpperCase()} /${(r.options.route ?? r.name).replace(/^\/+/, '')}`, { name: r.name, authLevel: r.options.authLevel ?? 'anonymous' });
    }
  }
  return out;
}

/** One representative request per documented operation; `key: false` sends no function key. */
interface Probe {
  operation: string;
  method: string;
  path: string;
  key?: boolean;
  body?: unknown;
  status: number;
}

/** The EVR recording the recordings probes read: [T0+5 s, T0+25 s), inside the seeded segments. */
const REC_ID = `${T0 + 5000}-0000000000aa`;

const range = (a: number, b: number) => `start=${encodeURIComponent(iso(a))}&end=${encodeURIComponent(iso(b))}`;

/** Requests whose answers are checked against the document: each documented status family at least once where cheap. */
const PROBES: Probe[] = [
  { operation: 'health', method: 'GET', path: '/health', key: false, status: 200 },
  { operation: 'openapi-json', method: 'GET', path: '/openapi.json', key: false, status: 200 },
  { operation: 'cameras-list', method: 'GET', path: '/cameras', status: 200 },
  { operation: 'cameras-list', method: 'GET', path: '/cameras', key: false, status: 401 },
  { operation: 'camera-get', method: 'GET', path: '/cameras/cam1', status: 200 },
  { operation: 'camera-get', method: 'GET', path: '/cameras/nobody', status: 404 },
  { operation: 'camera-get', method: 'GET', path: '/cameras/..%2Fx', status: 400 },
  { operation: 'camera-get', method: 'GET', path: '/cameras/cam1', key: false, status: 401 },
  { operation: 'playback', method: 'GET', path: `/cameras/cam1/playback?${range(T0, T0 + 80_000)}`, status: 200 },
  { operation: 'playback', method: 'GET', path: `/cameras/cam1/playback?${range(T0 + 80_000, T0)}`, status: 400 },
  { operation: 'playback', method: 'GET', path: `/cameras/cam9/playback?${range(T0, T0 + 1000)}`, status: 404 },
  { operation: 'playback', method: 'GET', path: `/cameras/cam1/playback?${range(T0, T0 + 1000)}`, key: false, status: 401 },
  { operation: 'playlist', method: 'GET', path: `/cameras/cam1/playlist.m3u8?${range(T0, T0 + 1000)}&expires=1&sig=${'A'.repeat(43)}`, key: false, status: 401 },
  { operation: 'live', method: 'GET', path: '/cameras/cam1/live', status: 200 },
  { operation: 'live', method: 'GET', path: '/cameras/Bad_Id/live', status: 400 },
  { operation: 'live', method: 'GET', path: '/cameras/cam9/live', status: 404 },
  { operation: 'live', method: 'GET', path: '/cameras/cam1/live', key: false, status: 401 },
  { operation: 'live-playlist', method: 'GET', path: `/cameras/cam1/live.m3u8?expires=1&kid=${'A'.repeat(11)}&sig=${'A'.repeat(43)}`, key: false, status: 401 },
  { operation: 'viewer-page', method: 'GET', path: '/viewer', key: false, status: 200 },
  { operation: 'viewer-asset', method: 'GET', path: '/viewer/viewer.js', key: false, status: 200 },
  { operation: 'viewer-asset', method: 'GET', path: '/viewer/viewer.css', key: false, status: 200 },
  { operation: 'viewer-asset', method: 'GET', path: '/viewer/hls.min.js', key: false, status: 200 },
  { operation: 'viewer-asset', method: 'GET', path: '/viewer/..%2Fsettings.js', key: false, status: 404 },
  // Routes of other branches: probed once they are registered (PENDING_ROUTES emptied).
  { operation: 'available-media', method: 'GET', path: `/cameras/cam1/availableMedia?precision=full&${`startTime=${encodeURIComponent(iso(T0))}&endTime=${encodeURIComponent(iso(T0 + 3_600_000))}`}`, status: 200 },
  { operation: 'available-media', method: 'GET', path: '/cameras/cam1/availableMedia?precision=week', status: 400 },
  { operation: 'gaps-list', method: 'GET', path: `/cameras/cam1/gaps?${range(T0, T0 + 3_600_000)}`, status: 200 },
  { operation: 'gaps-list', method: 'GET', path: `/cameras/cam1/gaps?${range(T0 + 3_600_000, T0)}`, status: 400 },
  { operation: 'gaps-list', method: 'GET', path: `/cameras/nobody/gaps?${range(T0, T0 + 3_600_000)}`, status: 404 },
  { operation: 'export-mp4', method: 'GET', path: `/cameras/cam1/export.mp4?${range(T0 + 30_000, T0 + 60_000)}`, status: 404 },
  // Previews: index rows only here (no segment blobs), so the images' 200 is test/integration/functions/playback/preview.test.ts's.
  { operation: 'preview', method: 'GET', path: `/cameras/cam1/preview?time=${encodeURIComponent(iso(T0 + 40_000))}`, status: 404 },
  { operation: 'preview', method: 'GET', path: `/cameras/cam1/preview?time=${encodeURIComponent(iso(T0))}&size=huge`, status: 400 },
  { operation: 'previews-list', method: 'GET', path: `/cameras/cam1/previews?${range(T0, T0 + 80_000)}&interval=PT10S`, status: 200 },
  { operation: 'previews-list', method: 'GET', path: `/cameras/cam1/previews?${range(T0, T0 + 80_000)}&interval=P1D`, status: 400 },
  { operation: 'previews-list', method: 'GET', path: `/cameras/nobody/previews?${range(T0, T0 + 80_000)}`, status: 404 },
  { operation: 'preview-image', method: 'GET', path: `/cameras/cam1/preview.jpg?time=${encodeURIComponent(iso(T0))}&${range(T0, T0 + 1000)}&expires=1&sig=${'A'.repeat(43)}`, key: false, status: 401 },
  { operation: 'camera-policy-get', method: 'GET', path: '/cameras/cam1/policy', status: 200 },
  { operation: 'camera-policy-put', method: 'PUT', path: '/cameras/cam1/policy', body: { retention: { archive: 'P30D' } }, status: 200 },
  { operation: 'camera-policy-put', method: 'PUT', path: '/cameras/cam1/policy', body: { retention: { archive: 'P30D' }, colour: 'red' }, status: 400 },
  { operation: 'holds-create', method: 'POST', path: '/cameras/cam1/holds', body: { start: iso(T0), end: iso(T0 + 10_000), reason: 'incident 7' }, status: 201 },
  { operation: 'holds-list', method: 'GET', path: '/cameras/cam1/holds', status: 200 },
  // Erasure on demand: under the hold above (409), where nothing is stored (200), bad query, unknown camera.
  { operation: 'media-delete', method: 'DELETE', path: `/cameras/cam1/media?${range(T0, T0 + 1000)}`, status: 409 },
  { operation: 'media-delete', method: 'DELETE', path: `/cameras/cam1/media?${range(T0 + 36_000_000, T0 + 36_060_000)}`, status: 200 },
  { operation: 'media-delete', method: 'DELETE', path: `/cameras/cam1/media?start=${encodeURIComponent(iso(T0))}`, status: 400 },
  { operation: 'media-delete', method: 'DELETE', path: `/cameras/nobody/media?${range(T0, T0 + 1000)}`, status: 404 },
  // Evidence export jobs (the job itself runs in the host; its end is not probed here).
  { operation: 'exports-create', method: 'POST', path: '/exports', body: { cameraId: 'cam1', start: iso(T0), end: iso(T0 + 20_000) }, status: 202 },
  { operation: 'exports-create', method: 'POST', path: '/exports', body: { cameraId: 'cam1', start: iso(T0) }, status: 400 },
  { operation: 'exports-create', method: 'POST', path: '/exports', body: { cameraId: 'nobody', start: iso(T0), end: iso(T0 + 1000) }, status: 404 },
  { operation: 'export-get', method: 'GET', path: '/exports/nope', status: 400 },
  { operation: 'export-get', method: 'GET', path: '/exports/00000000-0000-4000-8000-000000000000', status: 404 },
  // Share links: the playlist's 200 needs a link POST made (test/integration/functions/shares/share-link.test.ts).
  { operation: 'shares-create', method: 'POST', path: '/cameras/cam1/shares', body: { start: iso(T0), end: iso(T0 + 20_000), expiresIn: 'PT1H', label: 'for the insurer' }, status: 201 },
  { operation: 'shares-create', method: 'POST', path: '/cameras/cam1/shares', body: { start: iso(T0), end: iso(T0 + 20_000), expiresIn: 'P30D' }, status: 400 },
  { operation: 'shares-create', method: 'POST', path: '/cameras/nobody/shares', body: { start: iso(T0), end: iso(T0 + 20_000) }, status: 404 },
  { operation: 'shares-create', method: 'POST', path: '/cameras/cam1/shares', key: false, body: { start: iso(T0), end: iso(T0 + 20_000) }, status: 401 },
  { operation: 'shares-list', method: 'GET', path: '/cameras/cam1/shares', status: 200 },
  { operation: 'share-delete', method: 'DELETE', path: `/cameras/cam1/shares/${'A'.repeat(22)}`, status: 404 },
  { operation: 'share-delete', method: 'DELETE', path: '/cameras/cam1/shares/nope', status: 400 },
  { operation: 'share-page', method: 'GET', path: `/share/cam1/${'A'.repeat(22)}`, key: false, status: 200 },
  { operation: 'share-playlist', method: 'GET', path: `/share/cam1/${'A'.repeat(22)}/playlist.m3u8?${range(T0, T0 + 1000)}&expires=1&kid=${'A'.repeat(11)}&sig=${'A'.repeat(43)}`, key: false, status: 401 },
  { operation: 'viewer-asset', method: 'GET', path: '/viewer/share.js', key: false, status: 200 },
  { operation: 'viewer-asset', method: 'GET', path: '/viewer/share.css', key: false, status: 200 },
  { operation: 'hold-delete', method: 'DELETE', path: '/cameras/cam1/holds/no-such-hold', status: 404 },
  { operation: 'signals-create', method: 'POST', path: '/cameras/cam1/signals', body: { type: 'door', time: iso(T0) }, status: 202 },
  { operation: 'signals-create', method: 'POST', path: '/cameras/cam1/signals', body: { type: 'door', colour: 'red' }, status: 400 },
  { operation: 'signals-create', method: 'POST', path: '/cameras/nobody/signals', body: { type: 'door' }, status: 404 },
  { operation: 'signals-list', method: 'GET', path: `/cameras/cam1/signals?${range(T0, T0 + 3_600_000)}&limit=10`, status: 200 },
  { operation: 'signals-list', method: 'GET', path: `/cameras/cam1/signals?${range(T0, T0 + 3_600_000)}&limit=0`, status: 400 },
  // Recordings API: REC is seeded in before().
  { operation: 'recordings-list', method: 'GET', path: `/cameras/cam1/recordings?${range(T0, T0 + 3_600_000)}`, status: 200 },
  { operation: 'recordings-list', method: 'GET', path: `/cameras/cam1/recordings?start=${encodeURIComponent(iso(T0))}`, status: 400 },
  { operation: 'recordings-list', method: 'GET', path: `/cameras/nobody/recordings?${range(T0, T0 + 1000)}`, status: 404 },
  { operation: 'recording-get', method: 'GET', path: `/cameras/cam1/recordings/${REC_ID}`, status: 200 },
  { operation: 'recording-get', method: 'GET', path: '/cameras/cam1/recordings/nope', status: 400 },
  { operation: 'recording-get', method: 'GET', path: `/cameras/cam1/recordings/${T0}-ffffffffffff`, status: 404 },
  { operation: 'recording-playback', method: 'GET', path: `/cameras/cam1/recordings/${REC_ID}/playback`, status: 200 },
  { operation: 'recording-playback', method: 'GET', path: `/cameras/cam1/recordings/${T0}-ffffffffffff/playback`, status: 404 },
  { operation: 'recording-hold-create', method: 'POST', path: `/cameras/cam1/recordings/${REC_ID}/hold`, status: 201 },
  { operation: 'recording-hold-create', method: 'POST', path: `/cameras/cam1/recordings/${REC_ID}/hold`, status: 200 },
  { operation: 'recording-hold-delete', method: 'DELETE', path: `/cameras/cam1/recordings/${REC_ID}/hold`, status: 204 },
  { operation: 'recording-hold-delete', method: 'DELETE', path: `/cameras/cam1/recordings/${REC_ID}/hold`, status: 404 },
  // Devices (docs/devices.md): provisioned here, deleted last.
  { operation: 'devices-create', method: 'POST', path: '/devices', body: { deviceId: 'dev-oas', cameras: ['cam-oas'] }, status: 201 },
  { operation: 'devices-create', method: 'POST', path: '/devices', body: { deviceId: 'dev-oas', cameras: ['cam-oas2'] }, status: 409 },
  { operation: 'devices-create', method: 'POST', path: '/devices', body: { deviceId: 'Dev', cameras: ['cam-oas'] }, status: 400 },
  { operation: 'devices-list', method: 'GET', path: '/devices', status: 200 },
  { operation: 'device-get', method: 'GET', path: '/devices/dev-oas', status: 200 },
  { operation: 'device-get', method: 'GET', path: '/devices/nobody', status: 404 },
  { operation: 'device-secret-rotate', method: 'POST', path: '/devices/dev-oas/secret', status: 200 },
  { operation: 'device-upload-urls', method: 'POST', path: '/devices/dev-oas/upload-urls', key: false, body: { blobs: ['cam-oas/2026/11/21/10/2026-11-21T10:00:00.000Z.ts'] }, status: 401 },
  { operation: 'device-delete', method: 'DELETE', path: '/devices/dev-oas', status: 204 },
  { operation: 'device-delete', method: 'DELETE', path: '/devices/dev-oas', status: 404 },
  // AVA pipeline topologies and live pipelines, in lifecycle order; the topology is Microsoft's sample file.
  { operation: 'pipeline-topology-put', method: 'PUT', path: '/devices/dev1/pipelineTopologies/CVRToVideoSink', body: readTopology('ava-cvr-video-sink'), status: 201 },
  { operation: 'pipeline-topology-put', method: 'PUT', path: '/devices/dev1/pipelineTopologies/CVRToVideoSink', body: readTopology('ava-cvr-video-sink'), status: 200 },
  { operation: 'pipeline-topology-put', method: 'PUT', path: '/devices/dev1/pipelineTopologies/Other', body: readTopology('ava-cvr-video-sink'), status: 400 },
  { operation: 'pipeline-topology-get', method: 'GET', path: '/devices/dev1/pipelineTopologies/CVRToVideoSink', status: 200 },
  { operation: 'pipeline-topology-get', method: 'GET', path: '/devices/dev1/pipelineTopologies/Nope', status: 404 },
  { operation: 'pipeline-topologies-list', method: 'GET', path: '/devices/dev1/pipelineTopologies', status: 200 },
  { operation: 'pipeline-topologies-list', method: 'GET', path: '/devices/Dev_1/pipelineTopologies', status: 400 },
  { operation: 'live-pipeline-put', method: 'PUT', path: '/devices/dev1/livePipelines/lobby', body: { properties: { topologyName: 'CVRToVideoSink', parameters: [{ name: 'rtspUrl', value: 'rtsp://192.0.2.1/s' }] } }, status: 201 },
  { operation: 'live-pipeline-put', method: 'PUT', path: '/devices/dev1/livePipelines/lobby', body: { properties: { topologyName: 'CVRToVideoSink', parameters: [{ name: 'rtspUrl', value: 'rtsp://192.0.2.1/s' }] } }, status: 200 },
  { operation: 'live-pipeline-put', method: 'PUT', path: '/devices/dev1/livePipelines/lobby2', body: { properties: { topologyName: 'CVRToVideoSink' } }, status: 400 },
  { operation: 'live-pipeline-get', method: 'GET', path: '/devices/dev1/livePipelines/lobby', status: 200 },
  { operation: 'live-pipeline-get', method: 'GET', path: '/devices/dev1/livePipelines/nope', status: 404 },
  { operation: 'live-pipelines-list', method: 'GET', path: '/devices/dev1/livePipelines', status: 200 },
  { operation: 'live-pipeline-deactivate', method: 'POST', path: '/devices/dev1/livePipelines/lobby/deactivate', status: 200 },
  { operation: 'live-pipeline-activate', method: 'POST', path: '/devices/dev1/livePipelines/nope/activate', status: 404 },
  { operation: 'pipeline-topology-delete', method: 'DELETE', path: '/devices/dev1/pipelineTopologies/CVRToVideoSink', status: 409 },
  { operation: 'live-pipeline-delete', method: 'DELETE', path: '/devices/dev1/livePipelines/lobby', status: 200 },
  { operation: 'live-pipeline-delete', method: 'DELETE', path: '/devices/dev1/livePipelines/lobby', status: 204 },
  { operation: 'pipeline-topology-delete', method: 'DELETE', path: '/devices/dev1/pipelineTopologies/CVRToVideoSink', status: 200 },
  { operation: 'pipeline-topology-delete', method: 'DELETE', path: '/devices/dev1/pipelineTopologies/CVRToVideoSink', status: 204 },
];

describe('OpenAPI document against the running local host', () => {
  let t: TestHost;

  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'oas' });
    // Index rows only (no blobs): the probes read the index and sign URLs, they never fetch segments.
    const events = [0, 10, 20, 60, 70].map((s) => viaEventGrid(segmentEvent({ startMs: T0 + s * 1000 })));
    assert.equal((await ingest(events, batchContext(), defaultDeps())).accepted, 5);
    await defaultDeps().recordings.upsert([
      {
        id: REC_ID, cameraId: 'cam1', deviceId: 'dev1', gateRecordingId: 'motion-cam1-1', startMs: T0 + 5000, endMs: T0 + 25_000, state: 'complete', sequence: 2,
        signals: [{ id: 'motion-cam1-1', type: 'motion', atMs: T0 + 6000, label: 'person' }], signalCount: 1, availableAtMs: T0 + 12_000, createdAtMs: T0 + 6000, updatedAtMs: T0 + 25_000,
      },
    ]);
  });

  after(async () => {
    await t?.stop();
  });

  it('GET /api/openapi.json serves the document, anonymously, as JSON', async () => {
    const res = await fetch(`${t.api}/openapi.json`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const served = (await res.json()) as typeof OPENAPI_DOCUMENT;
    assert.equal(served.openapi, '3.1.0');
    assert.deepEqual(served, JSON.parse(JSON.stringify(OPENAPI_DOCUMENT)));
  });

  it('every registered HTTP route is documented with the same methods, name and authentication', () => {
    const documented = documentedRoutes();
    const registered = registeredRoutes();
    assert.ok(registered.size >= 7, `registrations: ${[...registered.keys()].join(', ')}`);
    for (const [route, { name, authLevel }] of registered) {
      const op = documented.get(route);
      assert.ok(op, `${route} (function '${name}') is registered but not in functions/openapi/openapi.ts`);
      assert.equal(op.operationId, name, `${route}: operationId is the function name`);
      // The app authorizes (functions/auth/route-guard.ts), so the host lets every request through; the document says who may call.
      assert.equal(authLevel, 'anonymous', `${route}: authLevel`);
      const access = op['x-keepwatch-access'];
      assert.ok(access === 'roles' || access === 'anyone' || access === 'playbackToken' || access === 'deviceSecret', `${route}: x-keepwatch-access ${access}`);
      const noCredential = Array.isArray(op.security) && op.security.length === 0;
      assert.equal(noCredential, access === 'anyone' || access === 'playbackToken', `${route}: security [] exactly for the routes without a credential header`);
    }
  });

  it('every documented route is registered, except the PENDING_ROUTES of other branches, which are not registered yet', () => {
    const registered = registeredRoutes();
    const undocumentedOrMissing = [...documentedRoutes().keys()].filter((r) => !registered.has(r) && !PENDING_ROUTES.includes(r));
    assert.deepEqual(undocumentedOrMissing, [], 'documented in functions/openapi/openapi.ts but no function registers them');
    for (const r of PENDING_ROUTES) {
      assert.ok(documentedRoutes().has(r), `PENDING_ROUTES entry ${r} is not in the document`);
      assert.ok(!registered.has(r), `${r} is registered now: remove it from PENDING_ROUTES`);
    }
  });

  it('operation ids are unique, every $ref resolves, every path parameter is declared', () => {
    const ids = [...documentedRoutes().values()].map((o) => o.operationId);
    assert.equal(new Set(ids).size, ids.length, `duplicate operationId in ${ids.join(', ')}`);
    const refs: string[] = [];
    (function walk(node: unknown): void {
      if (Array.isArray(node)) node.forEach(walk);
      else if (node && typeof node === 'object') {
        for (const [k, v] of Object.entries(node)) if (k === '$ref' && typeof v === 'string') refs.push(v); else walk(v);
      }
    })(OPENAPI_DOCUMENT);
    assert.ok(refs.length > 10);
    for (const r of refs) assert.doesNotThrow(() => resolveRef(OPENAPI_DOCUMENT, r), r);
    for (const [route, op] of documentedRoutes()) {
      const declared = (op.parameters ?? []).map((p) => ('$ref' in p ? resolveRef<{ name: string; in: string }>(OPENAPI_DOCUMENT, p.$ref) : p)).filter((p) => p.in === 'path').map((p) => p.name);
      const inPath = [...route.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
      assert.deepEqual(declared.sort(), inPath.sort(), `${route}: path parameters`);
    }
  });

  it('each registered operation has probes, and each probe answers a documented status with a body of the documented shape', async () => {
    const registered = registeredRoutes();
    const documented = documentedRoutes();
    const registeredOps = new Set([...registered.values()].map((r) => r.name));
    for (const name of registeredOps) assert.ok(PROBES.some((p) => p.operation === name), `no probe for '${name}'`);
    let probed = 0;
    for (const probe of PROBES.filter((p) => registeredOps.has(p.operation))) {
      const [route, op] = [...documented].find(([, o]) => o.operationId === probe.operation)!;
      assert.ok(route.startsWith(`${probe.method} `), `${probe.operation}: probe method ${probe.method} vs ${route}`);
      const headers: Record<string, string> = probe.key === false ? {} : { 'x-functions-key': API_KEY };
      if (probe.body !== undefined) headers['content-type'] = 'application/json';
      const res = await fetch(`${t.api}${probe.path}`, { method: probe.method, headers, body: probe.body === undefined ? undefined : JSON.stringify(probe.body) });
      const what = `${probe.method} ${probe.path} → ${res.status}`;
      assert.equal(res.status, probe.status, what);
      const documentedResponse = op.responses[String(res.status)];
      assert.ok(documentedResponse, `${what}: status not documented for ${route}`);
      const response = '$ref' in documentedResponse ? resolveRef<OpenApiResponse>(OPENAPI_DOCUMENT, documentedResponse.$ref) : documentedResponse;
      const text = await res.text();
      if (!response.content) {
        assert.equal(text, '', `${what}: documented without a body`);
        continue;
      }
      const mediaType = (res.headers.get('content-type') ?? '').split(';')[0].trim();
      const media = response.content[mediaType];
      assert.ok(media, `${what}: content type '${mediaType}' is not one of ${Object.keys(response.content).join(', ')}`);
      const body = mediaType === 'application/json' ? JSON.parse(text) : text;
      assert.deepEqual(checkJsonSchema(body, media.schema, OPENAPI_DOCUMENT), [], `${what}: body does not match the document`);
      probed++;
    }
    assert.ok(probed >= 14, `probed ${probed}`);
  });
});
