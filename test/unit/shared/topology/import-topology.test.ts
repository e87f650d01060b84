import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { parseAgentConfig } from '../../../../shared/schemas/agent-config';
import { parseRecordingPolicy } from '../../../../shared/schemas/recording-policy';
import { importTopology } from '../../../../shared/topology/import-topology';
import { TOPOLOGIES_DIR, readTopology } from '../../../helpers/topologies';

const RTSP = 'rtsp://camera.example:8554/stream';
const AI = 'http://inference.example/score';

/** What a recording topology must become: the agent camera's mode, the cloud policy (mode + signal filters, or none), and the camera features. */
interface Imported {
  dialect: 'lva-1.0' | 'lva-2.0' | 'ava-1.1';
  cameraMode: 'cvr' | 'evr';
  policy: 'none' | 'cvr' | { evr: string[] };
  features: Array<'motion' | 'http' | 'file'>;
  params?: Record<string, string>;
}
/** What an unsupported topology must name: every unsupported node, as `name (@type)`. */
interface Refused {
  unsupported: string[];
}

const ok = (dialect: Imported['dialect'], cameraMode: Imported['cameraMode'], policy: Imported['policy'], features: Imported['features'], params?: Record<string, string>): Imported => ({ dialect, cameraMode, policy, features, params });
const no = (...unsupported: string[]): Refused => ({ unsupported });
const AVA = '#Microsoft.VideoAnalyzer.';
const LVA = '#Microsoft.Media.MediaGraph';

/** Every one of the 56 files with its expected outcome, written out. */
const EXPECTED: Record<string, Imported | Refused> = {
  'ava-ai-composition': no(`grpcExtensionSource (${AVA}GrpcExtension)`, `grpcExtension (${AVA}GrpcExtension)`),
  'ava-audio-video': ok('ava-1.1', 'cvr', 'cvr', []),
  'ava-batch-export-from-video-archive': no(`videoSource (${AVA}VideoSource)`, `encoderProcessor (${AVA}EncoderProcessor)`, `videoSink (${AVA}VideoSink)`),
  'ava-cloud-record-camera-behind-firewall': no(`rtspSource (${AVA}RtspSource)`, `videoSink (${AVA}VideoSink)`),
  'ava-cloud-record-camera-over-internet': no(`rtspSource (${AVA}RtspSource)`, `videoSink (${AVA}VideoSink)`),
  'ava-cvr-video-sink': ok('ava-1.1', 'cvr', 'cvr', []),
  'ava-cvr-with-grpcExtension': no(`grpcExtension (${AVA}GrpcExtension)`),
  'ava-cvr-with-httpExtension': ok('ava-1.1', 'cvr', 'cvr', ['http']),
  'ava-cvr-with-httpExtension-and-objectTracking': no(`objectTracker (${AVA}ObjectTrackingProcessor)`),
  'ava-cvr-with-motion': ok('ava-1.1', 'cvr', 'cvr', ['motion']),
  'ava-evr-grpcExtension-video-sink': no(`grpcExtension (${AVA}GrpcExtension)`),
  'ava-evr-httpExtension-video-sink': ok('ava-1.1', 'evr', { evr: ['inference'] }, ['http'], { inferencingUrl: AI }),
  'ava-evr-hubMessage-file-sink': ok('ava-1.1', 'evr', { evr: [] }, ['file']),
  'ava-evr-hubMessage-video-sink': ok('ava-1.1', 'evr', { evr: [] }, ['http']),
  'ava-evr-motion-file-sink': ok('ava-1.1', 'evr', { evr: ['motion'] }, ['motion', 'file']),
  'ava-evr-motion-video-sink': ok('ava-1.1', 'evr', { evr: ['motion'] }, ['motion']),
  'ava-evr-motion-video-sink-file-sink': ok('ava-1.1', 'evr', { evr: ['motion'] }, ['motion', 'file']),
  'ava-httpExtension': ok('ava-1.1', 'evr', 'none', ['http']),
  'ava-line-crossing': no(`objectTracker (${AVA}ObjectTrackingProcessor)`, `lineCrossing (${AVA}LineCrossingProcessor)`),
  'ava-motion-detection': ok('ava-1.1', 'evr', 'none', ['motion']),
  'ava-motion-with-grpcExtension': no(`grpcExtension (${AVA}GrpcExtension)`),
  'ava-motion-with-httpExtension': ok('ava-1.1', 'evr', { evr: ['motion'] }, ['motion', 'http']),
  'ava-object-tracking': no(`objectTracker (${AVA}ObjectTrackingProcessor)`),
  'lva-1.0-cvr-asset': ok('lva-1.0', 'cvr', 'cvr', []),
  'lva-1.0-cvr-with-grpcExtension': no(`grpcExtension (${LVA}GrpcExtension)`),
  'lva-1.0-cvr-with-httpExtension': ok('lva-1.0', 'cvr', 'cvr', ['http']),
  'lva-1.0-cvr-with-motion': ok('lva-1.0', 'cvr', 'cvr', ['motion']),
  'lva-1.0-evr-grpcExtension-assets': no(`grpcExtension (${LVA}GrpcExtension)`),
  'lva-1.0-evr-httpExtension-assets': ok('lva-1.0', 'evr', { evr: ['inference'] }, ['http'], { inferencingUrl: AI }),
  'lva-1.0-evr-hubMessage-assets': ok('lva-1.0', 'evr', { evr: [] }, ['http']),
  'lva-1.0-evr-hubMessage-files': ok('lva-1.0', 'evr', { evr: [] }, ['file']),
  'lva-1.0-evr-motion-assets': ok('lva-1.0', 'evr', { evr: ['motion'] }, ['motion']),
  'lva-1.0-evr-motion-assets-files': ok('lva-1.0', 'evr', { evr: ['motion'] }, ['motion', 'file']),
  'lva-1.0-evr-motion-files': ok('lva-1.0', 'evr', { evr: ['motion'] }, ['motion', 'file']),
  'lva-1.0-grpcExtension': no(`grpcExtension (${LVA}GrpcExtension)`),
  'lva-1.0-httpExtension': ok('lva-1.0', 'evr', 'none', ['http']),
  'lva-1.0-motion-detection': ok('lva-1.0', 'evr', 'none', ['motion']),
  'lva-1.0-motion-with-grpcExtension': no(`grpcExtension (${LVA}GrpcExtension)`),
  'lva-1.0-motion-with-httpExtension': ok('lva-1.0', 'evr', { evr: ['motion'] }, ['motion', 'http']),
  'lva-2.0-audio-video': ok('lva-2.0', 'cvr', 'cvr', []),
  'lva-2.0-cvr-asset': ok('lva-2.0', 'cvr', 'cvr', []),
  'lva-2.0-cvr-with-grpcExtension': no(`grpcExtension (${LVA}GrpcExtension)`),
  'lva-2.0-cvr-with-httpExtension': ok('lva-2.0', 'cvr', 'cvr', ['http']),
  'lva-2.0-cvr-with-motion': ok('lva-2.0', 'cvr', 'cvr', ['motion']),
  'lva-2.0-evr-grpcExtension-assets': no(`grpcExtension (${LVA}GrpcExtension)`),
  'lva-2.0-evr-httpExtension-assets': ok('lva-2.0', 'evr', { evr: ['inference'] }, ['http']),
  'lva-2.0-evr-hubMessage-assets': ok('lva-2.0', 'evr', { evr: [] }, ['http']),
  'lva-2.0-evr-hubMessage-files': ok('lva-2.0', 'evr', { evr: [] }, ['file']),
  'lva-2.0-evr-motion-assets': ok('lva-2.0', 'evr', { evr: ['motion'] }, ['motion']),
  'lva-2.0-evr-motion-assets-files': ok('lva-2.0', 'evr', { evr: ['motion'] }, ['motion', 'file']),
  'lva-2.0-evr-motion-files': ok('lva-2.0', 'evr', { evr: ['motion'] }, ['motion', 'file']),
  'lva-2.0-grpcExtension': no(`grpcExtension (${LVA}GrpcExtension)`),
  'lva-2.0-httpExtension': ok('lva-2.0', 'evr', 'none', ['http']),
  'lva-2.0-motion-detection': ok('lva-2.0', 'evr', 'none', ['motion']),
  'lva-2.0-motion-with-grpcExtension': no(`grpcExtension (${LVA}GrpcExtension)`),
  'lva-2.0-motion-with-httpExtension': ok('lva-2.0', 'evr', { evr: ['motion'] }, ['motion', 'http']),
};

/** The camera in an agent config, parsed by the agent's own parser (with the import's agent settings). */
function parseCameras(cameras: Array<Record<string, unknown>>, agent: Record<string, unknown>) {
  return parseAgentConfig({ deviceId: 'site-1', broker: { url: 'mqtt://localhost:1883' }, upload: { connectionString: 'UseDevelopmentStorage=true' }, ...agent, cameras }).cameras;
}

describe('importTopology over Microsoft\'s 56 topology files (shared/topology/import-topology.ts)', () => {
  it('the table names every file in the folder, and the folder holds 56', () => {
    const dirs = readdirSync(TOPOLOGIES_DIR).filter((d) => statSync(path.join(TOPOLOGIES_DIR, d)).isDirectory()).sort();
    assert.equal(dirs.length, 56);
    assert.deepEqual(Object.keys(EXPECTED).sort(), dirs);
  });

  for (const [file, expected] of Object.entries(EXPECTED)) {
    if ('unsupported' in expected) {
      it(`${file}: refused with one error naming ${expected.unsupported.length} unsupported node(s)`, () => {
        assert.throws(
          () => importTopology(readTopology(file), { name: 'pipeline-1', parameters: { rtspUrl: RTSP } }),
          (e: unknown) => {
            assert.ok(e instanceof ValidationError, String(e));
            assert.equal(e.code, 'UnsupportedTopologyNode');
            for (const node of expected.unsupported) assert.ok(e.message.includes(node), `${e.message} lacks ${node}`);
            const named = e.message.match(/\w+ \(#Microsoft\.[A-Za-z.]+\)/g) ?? [];
            assert.equal(named.length, expected.unsupported.length, e.message);
            return true;
          },
        );
      });
      continue;
    }
    it(`${file}: imports as ${expected.dialect}, camera ${expected.cameraMode}, policy ${JSON.stringify(expected.policy)}`, () => {
      const r = importTopology(readTopology(file), { name: 'Pipeline_1', parameters: { rtspUrl: RTSP, ...expected.params } });
      assert.equal(r.dialect, expected.dialect);
      assert.equal(r.cameras.length, 1);
      const [camera] = parseCameras(r.cameras, r.agent);
      assert.equal(camera.id, 'pipeline-1');
      assert.equal(camera.mode, expected.cameraMode);
      // lva-*-evr-hubMessage-files hard-code their camera URL and ignore ${rtspUrl}.
      if (!/hubMessage-files/.test(file)) assert.equal(camera.url, RTSP);
      assert.equal(camera.motionDetection !== undefined, expected.features.includes('motion'), 'motion');
      assert.equal(camera.httpExtension !== undefined, expected.features.includes('http'), 'http extension');
      assert.equal(camera.fileSink !== undefined, expected.features.includes('file'), 'file sink');
      if (expected.policy === 'none') {
        assert.deepEqual(r.policies, {});
      } else {
        const policy = parseRecordingPolicy(r.policies['pipeline-1']);
        if (expected.policy === 'cvr') {
          assert.equal(policy.mode, 'cvr');
          assert.equal(policy.evr, undefined);
        } else {
          assert.equal(policy.mode, 'evr');
          assert.deepEqual(policy.evr?.signals.map((s) => s.type), expected.policy.evr);
        }
      }
    });
  }
});

describe('importTopology mapping details', () => {
  it('ava-evr-motion-video-sink: gate values, motion sensitivity, sink settings and notes', () => {
    const r = importTopology(readTopology('ava-evr-motion-video-sink'), { name: 'door-1', parameters: { rtspUrl: RTSP, motionSensitivity: 'High' } });
    assert.deepEqual(r.cameras, [{ id: 'door-1', url: RTSP, username: 'dummyUserName', password: 'dummyPassword', motionDetection: { sensitivity: 'high' }, mode: 'evr' }]);
    assert.deepEqual(r.agent, { segmentLength: 'PT30S', localMediaCachePath: '/var/lib/videoanalyzer/tmp/', localMediaCacheMaximumSizeMiB: 2048 });
    assert.deepEqual(r.policies, {
      'door-1': {
        mode: 'evr',
        retention: { archive: 'P7D' },
        evr: { signals: [{ type: 'motion' }], signalGate: { activationEvaluationWindow: 'PT1S', activationSignalOffset: 'PT0S', minimumActivationTime: 'PT30S', maximumActivationTime: 'PT30S' } },
      },
    });
    assert.ok(r.notes.some((n) => n.includes("video 'sample-motion-video' → the archive of camera 'door-1'")), r.notes.join('\n'));
    assert.ok(r.notes.some((n) => n.includes('hubSink') && n.includes('keepwatch/{deviceId}/events/door-1')), r.notes.join('\n'));
  });

  it('file sinks: AVA keeps folder and pattern with system names resolved; LVA 1.0 splits filePathPattern and renames ${System.DateTime}', () => {
    const ava = importTopology(readTopology('ava-evr-hubMessage-file-sink'), { name: 'gate-7', parameters: { rtspUrl: RTSP } });
    assert.deepEqual(ava.cameras[0].fileSink, { baseDirectoryPath: '/var/media', fileNamePattern: 'sampleFilesFromEVR-EVRtoFilesBasedOnHubMessages-gate-7-filesinkOutput-${System.Runtime.DateTime}', maximumSizeMiB: 512 });
    assert.ok(ava.notes.some((n) => n.includes("IoT Hub input 'recordingTrigger'") && n.includes('keepwatch/{deviceId}/signals/gate-7')), ava.notes.join('\n'));
    const lva = importTopology(readTopology('lva-1.0-evr-hubMessage-files'), { name: 'gate-7', parameters: { rtspUrl: RTSP } });
    assert.deepEqual(lva.cameras[0].fileSink, { baseDirectoryPath: '/var/media', fileNamePattern: 'sampleFilesFromEVR-${System.Runtime.DateTime}', maximumSizeMiB: 512 });
    assert.ok(lva.notes.some((n) => n.includes('no maximumSizeMiB')));
  });

  it('HTTP extension: LVA 1.0 encoded image format and frame rate filter, credentials as Basic authentication', () => {
    const r = importTopology(readTopology('lva-1.0-httpExtension'), { name: 'cam', parameters: { rtspUrl: RTSP, frameRate: '3', imageEncoding: 'Png', inferencingUserName: 'u', inferencingPassword: 'p' } });
    assert.deepEqual(r.cameras[0].httpExtension, {
      url: 'http://yolov3/score',
      headers: { Authorization: `Basic ${Buffer.from('u:p').toString('base64')}` },
      image: { scale: { mode: 'preserveAspectRatio', width: 416, height: 416 }, format: 'png' },
      maximumSamplesPerSecond: 3,
    });
  });

  it('a cloud sink with retentionPeriod sets the policy retention; camera ids come from the pipeline name', () => {
    const doc = readTopology('ava-cvr-video-sink') as { properties: { sinks: Array<Record<string, any>> } };
    doc.properties.sinks[0].videoCreationProperties.retentionPeriod = 'P30D';
    const r = importTopology(doc, { name: 'Lobby_Cam.2', parameters: { rtspUrl: RTSP } });
    assert.deepEqual(r.policies, { 'lobby-cam-2': { mode: 'cvr', retention: { archive: 'P30D' } } });
    assert.throws(() => importTopology(doc, { name: '___', parameters: { rtspUrl: RTSP } }), (e: unknown) => e instanceof ValidationError && e.code === 'InvalidPipelineName' && /"___"/.test(e.message));
  });

  it('nothing half-applied: a bad value anywhere fails the whole import with the node named', () => {
    assert.throws(
      () => importTopology(readTopology('ava-evr-motion-video-sink'), { name: 'p', parameters: { rtspUrl: RTSP, motionSensitivity: 'extreme' } }),
      (e: unknown) => e instanceof ValidationError && e.code === 'InvalidTopology' && /motionDetection/.test(e.message) && /sensitivity "extreme" is not one of low, medium, high/.test(e.message),
    );
    assert.throws(
      () => importTopology(readTopology('ava-cvr-video-sink'), { name: 'p', parameters: { rtspUrl: 'http://not-rtsp/' } }),
      (e: unknown) => e instanceof ValidationError && /rtspSource/.test(e.message) && /rtsp:\/\//.test(e.message),
    );
  });

  it('a SecretString value never appears in an error message', () => {
    const doc = {
      '@apiVersion': '1.1',
      name: 'Secretive',
      properties: {
        parameters: [{ name: 'rtspUrl', type: 'secretString' }, { name: 'mode', type: 'SecretString', default: 'tcp' }],
        sources: [{ '@type': '#Microsoft.VideoAnalyzer.RtspSource', name: 'rtspSource', transport: '${mode}', endpoint: { '@type': '#Microsoft.VideoAnalyzer.UnsecuredEndpoint', url: '${rtspUrl}' } }],
        sinks: [{ '@type': '#Microsoft.VideoAnalyzer.VideoSink', name: 'videoSink', videoName: 'v', inputs: [{ nodeName: 'rtspSource' }] }],
      },
    };
    assert.throws(
      () => importTopology(doc, { name: 'p', parameters: { rtspUrl: RTSP, mode: 'hunter2' } }),
      (e: unknown) => e instanceof ValidationError && e.code === 'InvalidTopology' && !e.message.includes('hunter2') && e.message.includes('transport "***"'),
    );
    const r = importTopology(doc, { name: 'p', parameters: { rtspUrl: 'rtsp://admin:hunter2@10.0.0.5/s' } });
    assert.deepEqual(r.secretParameterNames, ['rtspUrl', 'mode']);
    assert.equal(r.cameras[0].url, 'rtsp://admin:hunter2@10.0.0.5/s', 'the config needs the value itself');
    // A secret that ends up in a note (here the video name) is masked there.
    const named = structuredClone(doc);
    named.properties.parameters.push({ name: 'video', type: 'SecretString' });
    (named.properties.sinks[0] as Record<string, unknown>).videoName = '${video}';
    const n = importTopology(named, { name: 'p', parameters: { rtspUrl: RTSP, video: 'classified-video' } });
    assert.ok(n.notes.some((x) => x.includes("video '***'")), n.notes.join('\n'));
    assert.ok(!n.notes.join('\n').includes('classified-video'));
  });
});
