import { ValidationError } from '../errors';
import { HTTP_EXTENSION_MAX_SAMPLES_PER_SECOND } from '../schemas/http-extension';
import { RECORDING_POLICY_DEFAULTS } from '../schemas/recording-policy';
import { TOPIC_ROOT } from '../contracts/topics';
import { getCi, nodeKind, type TopologyNode } from './parse-topology';

/**
 * Maps the nodes of one LVA/AVA edge topology (parameters and system variables already substituted) to Keepwatch:
 * - RTSP source → a camera (`url`, `username`/`password`, `rtspTransport`);
 * - motion detection → the camera's `motionDetection` (sensitivity, outputMotionRegion, eventAggregationWindow);
 * - signal gate → `mode: 'evr'` on the camera and a cloud policy `{ mode: 'evr', evr: { signals, signalGate } }`;
 * - video sink (AVA) / asset sink (LVA) → the archive: agent `segmentLength`, `localMediaCachePath`,
 *   `localMediaCacheMaximumSizeMiB`, policy `retention.archive` from `retentionPeriod`;
 * - file sink → the camera's `fileSink` (LVA 1.0 `filePathPattern` split into folder and name);
 * - IoT Hub message source → external signals on `keepwatch/{deviceId}/signals/{cameraId}` (a note);
 * - IoT Hub message sink → the events the agent already publishes (a note);
 * - HTTP extension (+ LVA 1.0 frame rate filter) → the camera's `httpExtension`.
 * Node and property rules: docs/reference/ava-behaviour.md "Nodes". Any other node type is unsupported: see {@link
 * unsupportedNodes}.
 */

/** Node kinds ({@link nodeKind}) Keepwatch maps. */
export const SUPPORTED_NODE_KINDS = [
  'rtspsource',
  'iothubmessagesource',
  'motiondetectionprocessor',
  'signalgateprocessor',
  'frameratefilterprocessor',
  'httpextension',
  'assetsink',
  'videosink',
  'filesink',
  'iothubmessagesink',
] as const;

/** The properties each supported kind may carry (besides `@type`, `name`, `inputs`). */
const KNOWN_PROPERTIES: Record<string, readonly string[]> = {
  rtspsource: ['endpoint', 'transport'],
  iothubmessagesource: ['hubInputName'],
  motiondetectionprocessor: ['sensitivity', 'outputMotionRegion', 'eventAggregationWindow'],
  signalgateprocessor: ['activationEvaluationWindow', 'activationSignalOffset', 'minimumActivationTime', 'maximumActivationTime'],
  frameratefilterprocessor: ['maximumFps'],
  httpextension: ['endpoint', 'image', 'samplingOptions'],
  assetsink: ['assetNamePattern', 'segmentLength', 'localMediaCachePath', 'localMediaCacheMaximumSizeMiB'],
  videosink: ['videoName', 'videoCreationProperties', 'videoPublishingOptions', 'localMediaCachePath', 'localMediaCacheMaximumSizeMiB'],
  filesink: ['filePathPattern', 'baseDirectoryPath', 'fileNamePattern', 'maximumSizeMiB'],
  iothubmessagesink: ['hubOutputName'],
};

/** A file sink without `maximumSizeMiB` (LVA 1.0 had no such property): Keepwatch's cap, as Microsoft's 2.0/AVA samples. */
export const FILE_SINK_DEFAULT_MAXIMUM_SIZE_MIB = 512;

/** What the nodes become. */
export interface MappedNodes {
  cameras: Array<Record<string, unknown>>;
  agent: Record<string, unknown>;
  policies: Record<string, Record<string, unknown>>;
  notes: string[];
}

/**
 * The nodes Keepwatch cannot run, as `name (@type)`. Every node of an AVA cloud or batch topology (top-level `Kind`)
 * is unsupported: those ran in Azure, not on a device.
 */
export function unsupportedNodes(nodes: readonly TopologyNode[], cloudKind: string | undefined): string[] {
  return nodes.filter((n) => cloudKind !== undefined || !(SUPPORTED_NODE_KINDS as readonly string[]).includes(n.kind)).map((n) => `${n.name} (${n.type})`);
}

function invalid(message: string): ValidationError {
  return new ValidationError(message, undefined, 'InvalidTopology');
}

type Props = Record<string, unknown>;

function isObject(v: unknown): v is Props {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

/** A scalar property as a string (AVA writes scalars as strings; one LVA 1.0 sample writes a number). */
function text(node: TopologyNode, obj: Props, key: string, required = false): string | undefined {
  const v = getCi(obj, key);
  if (v === undefined || v === null || v === '') {
    if (required) throw invalid(`node '${node.name}': ${key} is required`);
    return undefined;
  }
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw invalid(`node '${node.name}': ${key} must be a string`);
}

function integer(node: TopologyNode, obj: Props, key: string, required = false): number | undefined {
  const t = text(node, obj, key, required);
  if (t === undefined) return undefined;
  if (!/^\s*\d+\s*$/.test(t)) throw invalid(`node '${node.name}': ${key} ${JSON.stringify(t)} must be a whole number`);
  return Number(t);
}

function bool(node: TopologyNode, obj: Props, key: string): boolean | undefined {
  const v = getCi(obj, key);
  if (v === undefined || v === '') return undefined;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  throw invalid(`node '${node.name}': ${key} ${JSON.stringify(v)} must be true or false`);
}

/** Enum values match case-insensitively (LVA `Tcp`, AVA `tcp`, docs/reference/ava-behaviour.md "Names"); returns the canonical spelling. */
function enumValue<T extends string>(node: TopologyNode, key: string, value: string | undefined, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  const hit = allowed.find((a) => a.toLowerCase() === value.trim().toLowerCase());
  if (!hit) throw invalid(`node '${node.name}': ${key} ${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
  return hit;
}

function verifyProperties(node: TopologyNode): void {
  const known = (KNOWN_PROPERTIES[node.kind] ?? []).map((k) => k.toLowerCase());
  const unknown = Object.keys(node.props).filter((k) => !known.includes(k.toLowerCase()));
  if (unknown.length) throw invalid(`node '${node.name}' (${node.type}): unknown propert${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((k) => `'${k}'`).join(', ')}`);
}

/** `{ url, credentials }` of an endpoint; `tunnel` (AVA cloud) is refused. */
function endpointOf(node: TopologyNode): { url: string; credentials?: Props; tls: boolean; tlsOptions: boolean } {
  const ep = getCi(node.props, 'endpoint');
  if (!isObject(ep)) throw invalid(`node '${node.name}': endpoint is required`);
  const kind = typeof ep['@type'] === 'string' ? nodeKind(ep['@type']) : '';
  if (kind !== 'unsecuredendpoint' && kind !== 'tlsendpoint') throw invalid(`node '${node.name}': endpoint @type ${JSON.stringify(ep['@type'])} is not UnsecuredEndpoint or TlsEndpoint`);
  if (getCi(ep, 'tunnel') !== undefined) throw invalid(`node '${node.name}': endpoint.tunnel (AVA cloud pipelines) is not supported`);
  const url = text(node, ep, 'url', true) as string;
  const credentials = getCi(ep, 'credentials');
  if (credentials !== undefined && !isObject(credentials)) throw invalid(`node '${node.name}': endpoint.credentials must be an object`);
  return { url, credentials, tls: kind === 'tlsendpoint', tlsOptions: getCi(ep, 'trustedCertificates') !== undefined || getCi(ep, 'validationOptions') !== undefined };
}

function credentialKind(c: Props): string {
  return typeof c['@type'] === 'string' ? nodeKind(c['@type']) : '';
}

/** Everything one camera (one RTSP source) gets, built node by node. */
interface CameraDraft {
  camera: Props;
  policy?: Props;
  /** The gate's signal filters; `undefined` = every signal counts (an IoT Hub message source feeds the gate). */
  signalTypes?: Set<string>;
  hasCloudSink: boolean;
  hasGate: boolean;
}

/** The nodes reachable downstream of `start` (inclusive), following inputs backwards. */
function downstream(start: TopologyNode, nodes: readonly TopologyNode[]): Set<string> {
  const reached = new Set([start.name]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const n of nodes) {
      if (!reached.has(n.name) && n.inputs.some((i) => reached.has(i))) {
        reached.add(n.name);
        grew = true;
      }
    }
  }
  return reached;
}

function mapRtspSource(node: TopologyNode, draft: CameraDraft, notes: string[]): void {
  const ep = endpointOf(node);
  if (!/^rtsps?:\/\//i.test(ep.url)) throw invalid(`node '${node.name}': endpoint.url must be an rtsp:// or rtsps:// URL (AVA RtspEndpointUrlInvalidScheme)`);
  draft.camera.url = ep.url;
  if (ep.credentials) {
    if (credentialKind(ep.credentials) !== 'usernamepasswordcredentials') throw invalid(`node '${node.name}': RTSP credentials must be UsernamePasswordCredentials`);
    const username = text(node, ep.credentials, 'username');
    const password = text(node, ep.credentials, 'password');
    if (username) {
      draft.camera.username = username;
      if (password !== undefined) draft.camera.password = password;
    }
  }
  if (ep.tlsOptions) notes.push(`${node.name}: TlsEndpoint trustedCertificates/validationOptions are ignored; ffmpeg checks rtsps:// against the system's CAs`);
  const transport = enumValue(node, 'transport', text(node, node.props, 'transport'), ['tcp', 'http'] as const);
  if (transport) draft.camera.rtspTransport = transport;
}

function mapMotion(node: TopologyNode, draft: CameraDraft): void {
  if (draft.camera.motionDetection) throw invalid(`node '${node.name}': Keepwatch runs one motion detector per camera`);
  const motion: Props = {};
  const sensitivity = enumValue(node, 'sensitivity', text(node, node.props, 'sensitivity'), ['low', 'medium', 'high'] as const);
  if (sensitivity) motion.sensitivity = sensitivity;
  const region = bool(node, node.props, 'outputMotionRegion');
  if (region !== undefined) motion.outputMotionRegion = region;
  const window = text(node, node.props, 'eventAggregationWindow');
  if (window) motion.eventAggregationWindow = window;
  draft.camera.motionDetection = motion;
}

const GATE_KEYS = ['activationEvaluationWindow', 'activationSignalOffset', 'minimumActivationTime', 'maximumActivationTime'] as const;

function mapSignalGate(node: TopologyNode, nodes: readonly TopologyNode[], draft: CameraDraft, notes: string[]): Props {
  if (draft.hasGate) throw invalid(`node '${node.name}': Keepwatch runs one signal gate per camera`);
  draft.hasGate = true;
  const gate: Props = {};
  for (const k of GATE_KEYS) {
    const v = text(node, node.props, k);
    if (v !== undefined) gate[k] = v;
  }
  const types = new Set<string>();
  let external = false;
  for (const input of node.inputs) {
    const from = nodes.find((n) => n.name === input) as TopologyNode;
    if (from.kind === 'motiondetectionprocessor') types.add('motion');
    else if (from.kind === 'httpextension') types.add('inference');
    else if (from.kind === 'iothubmessagesource') external = true;
    else if (from.kind !== 'rtspsource') throw invalid(`node '${node.name}': input '${input}' (${from.type}) cannot feed a signal gate`);
  }
  if (!external && !types.size) throw invalid(`node '${node.name}': the signal gate has no event input (motion detection, HTTP extension or IoT Hub message source)`);
  draft.signalTypes = external ? undefined : types;
  if (external && (draft.camera.motionDetection || nodes.some((n) => n.kind === 'httpextension'))) {
    notes.push(`${node.name}: the gate counts every signal of the camera (external ones have free types), so motion or inference signals that did not feed the gate in the topology open recordings too`);
  }
  return gate;
}

function mapHttpExtension(node: TopologyNode, nodes: readonly TopologyNode[], draft: CameraDraft, notes: string[]): void {
  if (draft.camera.httpExtension) throw invalid(`node '${node.name}': Keepwatch runs one HTTP extension per camera`);
  const ep = endpointOf(node);
  const ext: Props = { url: ep.url };
  if (ep.credentials) {
    const kind = credentialKind(ep.credentials);
    if (kind === 'httpheadercredentials') {
      ext.headers = { [text(node, ep.credentials, 'headerName', true) as string]: text(node, ep.credentials, 'headerValue') ?? '' };
    } else if (kind === 'usernamepasswordcredentials') {
      const user = text(node, ep.credentials, 'username');
      // AVA sent UsernamePasswordCredentials to the extension as HTTP Basic authentication.
      if (user) ext.headers = { Authorization: `Basic ${Buffer.from(`${user}:${text(node, ep.credentials, 'password') ?? ''}`, 'utf8').toString('base64')}` };
    } else {
      throw invalid(`node '${node.name}': endpoint.credentials @type must be UsernamePasswordCredentials or HttpHeaderCredentials`);
    }
  }
  const image = getCi(node.props, 'image');
  if (image !== undefined && !isObject(image)) throw invalid(`node '${node.name}': image must be an object`);
  const img: Props = {};
  if (isObject(image)) {
    const scale = getCi(image, 'scale');
    if (isObject(scale)) {
      const s: Props = {};
      const mode = enumValue(node, 'image.scale.mode', text(node, scale, 'mode'), ['preserveAspectRatio', 'pad', 'stretch'] as const);
      if (mode) s.mode = mode;
      const width = integer(node, scale, 'width');
      const height = integer(node, scale, 'height');
      if (width !== undefined) s.width = width;
      if (height !== undefined) s.height = height;
      if (width !== undefined || height !== undefined) img.scale = s;
      else if (mode) notes.push(`${node.name}: image.scale.mode ${mode} without width or height: images keep the camera's size`);
    }
    const format = getCi(image, 'format');
    if (isObject(format)) {
      const fkind = typeof format['@type'] === 'string' ? nodeKind(format['@type']) : '';
      let f: string | undefined;
      if (fkind === 'imageformatjpeg') f = 'jpeg';
      else if (fkind === 'imageformatpng') f = 'png';
      else if (fkind === 'imageformatbmp') f = 'bmp';
      else if (fkind === 'imageformatencoded') f = (enumValue(node, 'image.format.encoding', text(node, format, 'encoding'), ['jpeg', 'bmp', 'png'] as const) ?? 'jpeg') as string;
      else throw invalid(`node '${node.name}': image.format ${JSON.stringify(format['@type'])} is not supported (Keepwatch sends JPEG, PNG or BMP)`);
      img.format = f;
      const quality = integer(node, format, 'quality');
      if (quality !== undefined && f === 'jpeg') img.quality = quality;
    }
  }
  if (Object.keys(img).length) ext.image = img;
  let sps: number | undefined;
  const sampling = getCi(node.props, 'samplingOptions');
  if (isObject(sampling)) {
    const t = text(node, sampling, 'maximumSamplesPerSecond');
    if (t !== undefined) sps = Number(t);
    if (bool(node, sampling, 'skipSamplesWithoutAnnotation')) notes.push(`${node.name}: samplingOptions.skipSamplesWithoutAnnotation is ignored; every sampled frame is sent`);
  }
  // LVA 1.0 limited the extension's frame rate with a separate FrameRateFilterProcessor upstream
  // (docs/reference/ava-behaviour.md "Nodes").
  for (const input of node.inputs) {
    const from = nodes.find((n) => n.name === input) as TopologyNode;
    if (from.kind === 'frameratefilterprocessor') {
      const fps = text(from, from.props, 'maximumFps');
      if (fps !== undefined) sps = Number(fps);
    }
    if (from.kind === 'motiondetectionprocessor' || from.kind === 'signalgateprocessor') {
      notes.push(`${node.name}: fed by '${from.name}' in the topology; Keepwatch samples the camera's frames whether or not ${from.kind === 'signalgateprocessor' ? 'the gate is open' : 'they show motion'}`);
    }
  }
  if (sps !== undefined) {
    if (!(sps > 0)) throw invalid(`node '${node.name}': maximumSamplesPerSecond must be a number above 0`);
    if (sps > HTTP_EXTENSION_MAX_SAMPLES_PER_SECOND) {
      notes.push(`${node.name}: ${sps} samples per second lowered to Keepwatch's maximum ${HTTP_EXTENSION_MAX_SAMPLES_PER_SECOND}`);
      sps = HTTP_EXTENSION_MAX_SAMPLES_PER_SECOND;
    }
    ext.maximumSamplesPerSecond = sps;
  }
  draft.camera.httpExtension = ext;
}

function mapCloudSink(node: TopologyNode, nodes: readonly TopologyNode[], draft: CameraDraft, agent: Props, notes: string[]): void {
  if (draft.hasCloudSink) throw invalid(`node '${node.name}': one video or asset sink per camera`);
  draft.hasCloudSink = true;
  const cameraId = draft.camera.id as string;
  let segmentLength: string | undefined;
  let retention: string | undefined;
  if (node.kind === 'videosink') {
    const videoName = text(node, node.props, 'videoName', true);
    notes.push(`${node.name}: video '${videoName}' → the archive of camera '${cameraId}'`);
    const create = getCi(node.props, 'videoCreationProperties');
    if (create !== undefined) {
      if (!isObject(create)) throw invalid(`node '${node.name}': videoCreationProperties must be an object`);
      const unknown = Object.keys(create).filter((k) => !['title', 'description', 'segmentlength', 'retentionperiod'].includes(k.toLowerCase()));
      if (unknown.length) throw invalid(`node '${node.name}': unknown videoCreationProperties ${unknown.map((k) => `'${k}'`).join(', ')}`);
      segmentLength = text(node, create, 'segmentLength');
      retention = text(node, create, 'retentionPeriod');
      if (getCi(create, 'title') !== undefined || getCi(create, 'description') !== undefined) notes.push(`${node.name}: videoCreationProperties title/description are not kept`);
    }
    if (getCi(node.props, 'videoPublishingOptions') !== undefined) notes.push(`${node.name}: videoPublishingOptions are ignored (preview images are always made on demand, GET /api/cameras/{id}/preview; playback is HLS from the archive)`);
  } else {
    const pattern = text(node, node.props, 'assetNamePattern', true);
    notes.push(`${node.name}: asset name pattern '${pattern}' → the archive of camera '${cameraId}' (EVR recordings are listed per window, not as separate assets)`);
    segmentLength = text(node, node.props, 'segmentLength');
  }
  if (segmentLength !== undefined) setAgent(agent, 'segmentLength', segmentLength, node, notes);
  const cachePath = text(node, node.props, 'localMediaCachePath');
  if (cachePath !== undefined) setAgent(agent, 'localMediaCachePath', cachePath, node, notes);
  const cacheMiB = integer(node, node.props, 'localMediaCacheMaximumSizeMiB');
  if (cacheMiB !== undefined) setAgent(agent, 'localMediaCacheMaximumSizeMiB', cacheMiB, node, notes);
  const gated = node.inputs.some((i) => nodes.find((n) => n.name === i)?.kind === 'signalgateprocessor');
  draft.policy = { mode: gated ? 'evr' : 'cvr', retention: { archive: retention ?? RECORDING_POLICY_DEFAULTS.archive } };
  if (retention === undefined) notes.push(`${node.name}: no retentionPeriod; the policy keeps the archive ${RECORDING_POLICY_DEFAULTS.archive} (change retention.archive before you PUT it)`);
}

/** Agent settings are shared by the agent's cameras: a second, different value is a conflict the first one wins. */
function setAgent(agent: Props, key: string, value: unknown, node: TopologyNode, notes: string[]): void {
  if (agent[key] !== undefined && agent[key] !== value) {
    notes.push(`${node.name}: ${key} ${JSON.stringify(value)} differs from ${JSON.stringify(agent[key])} of another sink; the agent has one ${key}, the first is kept`);
    return;
  }
  agent[key] = value;
}

function mapFileSink(node: TopologyNode, nodes: readonly TopologyNode[], draft: CameraDraft, notes: string[]): void {
  if (draft.camera.fileSink) throw invalid(`node '${node.name}': one file sink per camera`);
  const gated = node.inputs.some((i) => nodes.find((n) => n.name === i)?.kind === 'signalgateprocessor');
  if (!gated) throw invalid(`node '${node.name}': a file sink must be fed by a signal gate (AVA's rule, and Keepwatch writes one MP4 per recording window)`);
  let base: string;
  let name: string;
  const pathPattern = text(node, node.props, 'filePathPattern');
  if (pathPattern !== undefined) {
    // LVA 1.0: one absolute path pattern; its last segment is the file name.
    const i = pathPattern.lastIndexOf('/');
    if (i < 0) throw invalid(`node '${node.name}': filePathPattern '${pathPattern}' must be an absolute path`);
    base = pathPattern.slice(0, i) || '/';
    name = pathPattern.slice(i + 1);
  } else {
    base = text(node, node.props, 'baseDirectoryPath', true) as string;
    name = text(node, node.props, 'fileNamePattern', true) as string;
  }
  let max = integer(node, node.props, 'maximumSizeMiB');
  if (max === undefined) {
    max = FILE_SINK_DEFAULT_MAXIMUM_SIZE_MIB;
    notes.push(`${node.name}: no maximumSizeMiB (LVA 1.0); the file sink keeps at most ${max} MiB`);
  }
  draft.camera.fileSink = { baseDirectoryPath: base, fileNamePattern: name, maximumSizeMiB: max };
}

/**
 * Maps the substituted nodes.
 * @param nodes every node supported (see {@link unsupportedNodes}), parameters and system variables substituted
 * @param cameraIdOf the camera id of an RTSP source node (one camera per RTSP source)
 * @throws ValidationError `InvalidTopology` naming the node and property for anything Keepwatch cannot map
 */
export function mapNodes(nodes: readonly TopologyNode[], cameraIdOf: (source: TopologyNode) => string): MappedNodes {
  for (const n of nodes) verifyProperties(n);
  const sources = nodes.filter((n) => n.kind === 'rtspsource');
  if (!sources.length) throw invalid('the topology has no RTSP source, so there is no camera to record');
  const notes: string[] = [];
  const agent: Props = {};
  const cameras: Props[] = [];
  const policies: Record<string, Props> = {};
  const claimed = new Map<string, string>();
  for (const source of sources) {
    const draft: CameraDraft = { camera: { id: cameraIdOf(source) }, hasCloudSink: false, hasGate: false };
    const reach = downstream(source, nodes);
    // Event sources that feed this camera's nodes (an IoT Hub message source has no media input of its own).
    for (const n of nodes) if (n.kind === 'iothubmessagesource' && nodes.some((m) => reach.has(m.name) && m.inputs.includes(n.name))) reach.add(n.name);
    const mine = nodes.filter((n) => reach.has(n.name));
    for (const n of mine) {
      const other = claimed.get(n.name);
      if (other && n.kind !== 'iothubmessagesource') throw invalid(`node '${n.name}' is downstream of two RTSP sources ('${other}', '${source.name}')`);
      claimed.set(n.name, source.name);
    }
    // Order: source, processors feeding others first (motion before gate before extension), sinks last.
    const order = ['rtspsource', 'iothubmessagesource', 'motiondetectionprocessor', 'frameratefilterprocessor', 'signalgateprocessor', 'httpextension', 'videosink', 'assetsink', 'filesink', 'iothubmessagesink'];
    mine.sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
    let gate: Props | undefined;
    for (const n of mine) {
      switch (n.kind) {
        case 'rtspsource':
          mapRtspSource(n, draft, notes);
          break;
        case 'iothubmessagesource':
          notes.push(`${n.name}: IoT Hub input '${text(n, n.props, 'hubInputName') ?? ''}' → external signals for camera '${draft.camera.id}': publish JSON {"type": "..."} to ${TOPIC_ROOT}/{deviceId}/signals/${draft.camera.id} or POST /api/cameras/${draft.camera.id}/signals`);
          break;
        case 'motiondetectionprocessor':
          mapMotion(n, draft);
          break;
        case 'frameratefilterprocessor':
          if (!nodes.some((m) => m.inputs.includes(n.name) && m.kind === 'httpextension')) notes.push(`${n.name}: a frame rate filter limits only an HTTP extension's samples in Keepwatch; ignored here`);
          break;
        case 'signalgateprocessor':
          gate = mapSignalGate(n, nodes, draft, notes);
          break;
        case 'httpextension':
          mapHttpExtension(n, nodes, draft, notes);
          break;
        case 'videosink':
        case 'assetsink':
          mapCloudSink(n, nodes, draft, agent, notes);
          break;
        case 'filesink':
          mapFileSink(n, nodes, draft, notes);
          break;
        case 'iothubmessagesink':
          notes.push(`${n.name}: IoT Hub output '${text(n, n.props, 'hubOutputName') ?? ''}' → the agent publishes its signals (motion, inference) as CloudEvents on ${TOPIC_ROOT}/{deviceId}/events/${draft.camera.id}, and the cloud forwards recording events to Event Hubs (docs/contracts.md)`);
          break;
      }
    }
    finishCamera(draft, gate, notes);
    cameras.push(draft.camera);
    if (draft.policy) policies[draft.camera.id as string] = draft.policy;
  }
  return { cameras, agent, policies, notes };
}

/**
 * Sets the camera's mode and the policy's `evr` section. Keepwatch's signal gate runs in the cloud: an EVR camera
 * needs its policy even when the topology only had a file sink (the windows are then uploaded to the archive too).
 */
function finishCamera(draft: CameraDraft, gate: Props | undefined, notes: string[]): void {
  const id = draft.camera.id as string;
  if (gate) {
    draft.camera.mode = 'evr';
    if (draft.policy?.mode === 'cvr') throw invalid(`camera '${id}': a video/asset sink fed by the RTSP source (CVR) and a signal gate in one topology; Keepwatch records a camera either continuously or by events`);
    if (!draft.policy) {
      draft.policy = { mode: 'evr', retention: { archive: RECORDING_POLICY_DEFAULTS.archive } };
      notes.push(`camera '${id}': the topology records to no video/asset sink, but Keepwatch's signal gate runs in the cloud: the recording windows are uploaded to the archive too (retention ${RECORDING_POLICY_DEFAULTS.archive})`);
    }
    draft.policy.evr = { signals: draft.signalTypes ? [...draft.signalTypes].sort().map((type) => ({ type })) : [], signalGate: gate };
  } else if (!draft.hasCloudSink) {
    // No sink: AVA recorded nothing. An EVR camera without an EVR policy uploads nothing but still publishes signals.
    draft.camera.mode = 'evr';
    notes.push(`camera '${id}': the topology has no video, asset or file sink, so nothing is recorded: the camera runs in EVR mode without a policy (segments stay in the cache, signals are published)`);
  }
}
