import { DEVICE_SECRET_PATTERN } from '../device-secret';
import { z } from 'zod';
import { ValidationError } from '../errors';
import { ID_PATTERN } from '../ids';
import { isLoopbackHost, isTlsOrLoopbackUrl } from '../loopback-url';
import { MINUTE_MS, SECOND_MS, parseIsoDuration, toIsoDuration } from '../time';
import { cameraMotionSchema } from './camera-motion';
import { parseWith } from '../validation/format-issues';
import { fileNamePatternProblems } from './file-name-pattern';
import { httpExtensionSchema } from './http-extension';

/**
 * Defaults of the agent configuration, in one place.
 * `segmentLength` PT10S and the PT2S..PT5M bounds are Keepwatch's (AVA's video sink allowed
 * PT30S..PT5M in 30 s steps, docs/reference/ava-behaviour.md "Nodes"; Keepwatch allows shorter segments for lower
 * playback latency). `localMediaCacheMaximumSizeMiB` 2048 is the value AVA's samples settled on
 * (docs/reference/ava-behaviour.md "Resilient recording"; live-video-analytics PRs #26/#27).
 */
export const AGENT_DEFAULTS = {
  segmentLength: 'PT10S',
  localMediaCachePath: './keepwatch-cache',
  localMediaCacheMaximumSizeMiB: 2048,
  rtspTransport: 'tcp',
  container: 'recordings',
  logLevel: 'info',
  /** AVA's edge module served Prometheus metrics on 9600 (docs/reference/ava-behaviour.md "Events"). */
  /** Cap of the exponential backoff between reconnect attempts to a camera. */
  cameraReconnectMaximumDelay: 'PT30S',
  /** How long a recording session may mux no packet before the watchdog restarts it. */
  cameraWatchdogTimeout: 'PT15S',
  metricsPort: 9600,
  metricsHost: '127.0.0.1',
  /** Camera recording mode: continuous video recording unless told otherwise. */
  mode: 'cvr',
  /**
   * The EVR cache horizon: how far back the cache keeps EVR segments no upload window has claimed yet (after each
   * one's end), so a late signal's pre-roll can still reach them: AVA's largest pre-roll (`activationSignalOffset`
   * down to −1 min, docs/reference/ava-behaviour.md "Nodes") plus 30 s for the cloud's decision.
   */
  evrCacheHorizon: 'PT1M30S',
} as const;

export const SEGMENT_LENGTH_MIN_MS = 2 * SECOND_MS;
export const SEGMENT_LENGTH_MAX_MS = 5 * MINUTE_MS;
/** Bounds of `evrCacheHorizon`, ms. */
export const EVR_CACHE_HORIZON_MIN_MS = 10 * SECOND_MS;
export const EVR_CACHE_HORIZON_MAX_MS = 10 * MINUTE_MS;
/** The config key `evrCacheHorizon` had before it was renamed; operators' files may still carry it. */
export const DEPRECATED_EVR_CACHE_HORIZON_KEY = 'evrCacheHold';

const id = z.string().regex(ID_PATTERN, 'expected 1 to 32 characters from a-z, 0-9 and -');

/** An ISO 8601 duration string between `minMs` and `maxMs` (inclusive); the message names the bounds. */
function isoDuration(minMs: number, maxMs: number) {
  return z.string().superRefine((text, ctx) => {
    let ms: number;
    try {
      ms = parseIsoDuration(text, 'value');
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: `${(err as Error).message.replace(/^value /, '')}; allowed ${toIsoDuration(minMs)}..${toIsoDuration(maxMs)}` });
      return;
    }
    if (ms < minMs || ms > maxMs) ctx.addIssue({ code: 'custom', message: `${text} is outside ${toIsoDuration(minMs)}..${toIsoDuration(maxMs)}` });
  });
}

/** A blob container name: 3 to 63 characters from a-z, 0-9 and single '-', starting and ending with a letter or digit (Azure's rule). */
const containerName = z.string().regex(/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/, "expected a container name (3 to 63 characters from a-z, 0-9 and single '-')");

const cameraSchema = z.strictObject({
  /** Camera id, `[a-z0-9-]{1,32}`. */
  id,
  /** Any ffmpeg input; `rtsp://` URLs are read over TCP unless `rtspTransport` says otherwise. Userinfo is allowed but prefer `username`/`password`. */
  url: z.string().min(1),
  /** RTSP user name (kept out of logs). */
  username: z.string().min(1).optional(),
  /** RTSP password (kept out of logs); `${env:NAME}` placeholders are resolved by the loader. */
  password: z.string().optional(),
  /** RTSP lower transport; `tcp` (AVA's interleaved mode) by default. */
  rtspTransport: z.enum(['tcp', 'udp', 'http']).default(AGENT_DEFAULTS.rtspTransport),
  /** Extra ffmpeg input options placed before `-i` (e.g. `["-re", "-stream_loop", "-1"]` for a file). */
  inputOptions: z.array(z.string()).default([]),
  /** `cvr` (default): every segment is uploaded; `evr`: only segments overlapping a commanded upload window (docs/contracts.md "EVR on the agent"). */
  mode: z.enum(['cvr', 'evr']).default(AGENT_DEFAULTS.mode),
  /** AVA's file sink (docs/reference/ava-behaviour.md "Nodes"): one MP4 per final upload window, on the device; needs `mode: evr`. */
  fileSink: z
    .strictObject({
      /** Absolute folder of the MP4s (created when missing), inside the agent's `fileSinkRoot`. */
      baseDirectoryPath: z.string().regex(/^\//, 'expected an absolute path'),
      /** File name with variables (shared/schemas/file-name-pattern.ts); `.mp4` is appended unless present. */
      fileNamePattern: z.string().min(1).superRefine((text, ctx) => {
        for (const message of fileNamePatternProblems(text)) ctx.addIssue({ code: 'custom', message });
      }),
      /** The sink's MP4s are deleted oldest first while they exceed this (MiB = 1024² bytes). */
      maximumSizeMiB: z.number().int().min(1).max(16 * 1024 * 1024),
    })
    .optional(),
  /** Motion detection on grey frames from the recording ffmpeg (shared/schemas/camera-motion.ts); absent = off. */
  motionDetection: cameraMotionSchema.optional(),
  /** AVA HTTP extension: sampled images POSTed to an inference server (shared/schemas/http-extension.ts); absent = off. */
  httpExtension: httpExtensionSchema.optional(),
});

const brokerSchema = z.strictObject({
  /** `mqtt://`, `mqtts://`, `ws://` or `wss://` URL of the MQTT 5 broker. */
  url: z.string().regex(/^(mqtts?|wss?):\/\/[^\s]+$/, 'expected an mqtt://, mqtts://, ws:// or wss:// URL'),
  /** MQTT user name; defaults to the device id. */
  username: z.string().min(1).optional(),
  /** Device credential (password or token). */
  password: z.string().optional(),
  /**
   * MQTT protocol: 5 (default; what Event Grid's MQTT broker and Mosquitto speak) or 4 (= 3.1.1,
   * for brokers without MQTT 5 such as the embedded aedes of `npm start`). With 4 there are no
   * content-type properties, so Event Grid hands the payload on as `data_base64`; ingest reads both.
   */
  protocolVersion: z.union([z.literal(4), z.literal(5)]).default(5),
  /**
   * PEM file of the device's X.509 client certificate (TLS client authentication, `mqtts://` or `wss://` only);
   * with `clientKeyFile`, instead of `password`. Event Grid's MQTT broker checks its SHA-256 thumbprint against the
   * client registered under the MQTT user name (the device id unless `username` is set), infra/README.md
   * "MQTT authentication". A relative path is resolved against the config file's folder.
   */
  clientCertFile: z.string().min(1).optional(),
  /** PEM file of the private key of `clientCertFile` (unencrypted). Relative to the config file's folder. */
  clientKeyFile: z.string().min(1).optional(),
  /**
   * PEM file of the CA certificate(s) the broker's server certificate must chain to, for a broker whose certificate
   * is not signed by a public CA (a local broker); absent = Node's public CA list. `mqtts://` or `wss://` only.
   */
  caFile: z.string().min(1).optional(),
});

/** The broker section as validated (before the TLS files are read). */
export type BrokerConfig = z.output<typeof brokerSchema>;

const uploadSchema = z.union([
  z.strictObject({
    /** Storage connection string (locally: Azurite's). */
    connectionString: z.string().min(1),
    container: containerName.default(AGENT_DEFAULTS.container),
  }),
  z.strictObject({
    /** Blob service URL, e.g. `https://{account}.blob.core.windows.net`; https unless loopback (the SAS travels in it). */
    blobServiceUrl: z
      .string()
      .url()
      .refine((u) => isTlsOrLoopbackUrl(u), 'must be https:// (the SAS token travels with every request); http:// only to this machine (127.0.0.1, ::1, localhost)'),
    container: containerName.default(AGENT_DEFAULTS.container),
    /** A SAS token (create-only) for the container; without it the request is anonymous. */
    sasToken: z.string().optional(),
  }),
  z.strictObject({
    /**
     * The Keepwatch API base, `https://{app}.azurewebsites.net/api` (locally `http://127.0.0.1:7071/api`): the agent
     * asks `POST {apiUrl}/devices/{deviceId}/upload-urls` for create-only URLs of the segments it is about to upload
     * (docs/devices.md). The device holds neither a storage key nor the API key.
     */
    apiUrl: z
      .string()
      .url()
      .refine((u) => /^https?:\/\//.test(u) && !/[?#]/.test(u), 'an http(s) URL without query or fragment, e.g. https://keepwatch.example.com/api')
      // The device secret travels in every request (docs/security.md): never in clear over a network.
      .refine((u) => !/^https?:\/\//.test(u) || isTlsOrLoopbackUrl(u), 'must be https:// (the device secret travels with every request); http:// only to this machine (127.0.0.1, ::1, localhost)'),
    /**
     * The storage origin every upload URL must point at, `https://{account}.blob.core.windows.net` (locally Azurite's
     * `http://127.0.0.1:10000`; a path such as Azurite's `/devstoreaccount1` is allowed and must prefix the URL's path).
     * Absent: the origin of the first URL the API hands out in this run is pinned (docs/security.md "Where the agent
     * uploads"). A URL to any other origin is refused and its segment kept and retried. https unless loopback.
     */
    storageOrigin: z
      .string()
      .url()
      .refine((u) => /^https?:\/\/[^/?#]+(\/[^?#]*)?$/.test(u), 'an http(s) origin without query or fragment, e.g. https://account.blob.core.windows.net')
      .refine((u) => !/^https?:\/\//.test(u) || isTlsOrLoopbackUrl(u), 'must be https://; http:// only to this machine (127.0.0.1, ::1, localhost)')
      .optional(),
    /** The device secret `POST /api/devices` or the provisioning CLI printed (43 base64url characters); never logged. */
    deviceSecret: z.string().regex(DEVICE_SECRET_PATTERN, 'the 43-character device secret that provisioning printed'),
    /** The cloud's recordings container; the agent refuses URLs outside it. Default `recordings`. */
    container: containerName.default(AGENT_DEFAULTS.container),
  }),
]);

/** The agent config file (YAML or JSON) as written. */
export const agentConfigFileSchema = z.strictObject({
  /** This installation's device id, `[a-z0-9-]{1,32}`. */
  deviceId: id,
  cameras: z.array(cameraSchema).min(1, 'expected at least one camera'),
  /** ISO 8601 duration, PT2S..PT5M, default PT10S. */
  segmentLength: z
    .string()
    .default(AGENT_DEFAULTS.segmentLength)
    .superRefine((text, ctx) => {
      let ms: number;
      try {
        ms = parseIsoDuration(text, 'segmentLength');
      } catch (err) {
        const allowed = `${toIsoDuration(SEGMENT_LENGTH_MIN_MS)}..${toIsoDuration(SEGMENT_LENGTH_MAX_MS)}`;
        ctx.addIssue({ code: 'custom', message: `${(err as Error).message.replace(/^segmentLength /, '')}; allowed ${allowed}` });
        return;
      }
      if (ms < SEGMENT_LENGTH_MIN_MS || ms > SEGMENT_LENGTH_MAX_MS) {
        ctx.addIssue({ code: 'custom', message: `${text} is outside ${toIsoDuration(SEGMENT_LENGTH_MIN_MS)}..${toIsoDuration(SEGMENT_LENGTH_MAX_MS)}` });
      }
    }),
  /** ISO 8601 cap of the exponential backoff (with jitter) between reconnect attempts to a camera, PT1S..PT5M, default PT30S. */
  cameraReconnectMaximumDelay: isoDuration(SECOND_MS, 5 * MINUTE_MS).default(AGENT_DEFAULTS.cameraReconnectMaximumDelay),
  /** ISO 8601 time a recording session may mux no packet before the watchdog kills and restarts it, PT2S..PT5M, default PT15S. */
  cameraWatchdogTimeout: isoDuration(2 * SECOND_MS, 5 * MINUTE_MS).default(AGENT_DEFAULTS.cameraWatchdogTimeout),
  /**
   * ISO 8601 EVR cache horizon: how long an EVR segment outside every upload window stays cached after its end,
   * PT10S..PT10M, default PT1M30S (applied by {@link parseAgentConfig}).
   */
  evrCacheHorizon: isoDuration(EVR_CACHE_HORIZON_MIN_MS, EVR_CACHE_HORIZON_MAX_MS).optional(),
  /** The old name of `evrCacheHorizon`, still read (with a warning); both at once is an error. */
  [DEPRECATED_EVR_CACHE_HORIZON_KEY]: isoDuration(EVR_CACHE_HORIZON_MIN_MS, EVR_CACHE_HORIZON_MAX_MS).optional(),
  /** Folder for the segment cache. */
  localMediaCachePath: z.string().min(1).default(AGENT_DEFAULTS.localMediaCachePath),
  /**
   * Folder every camera's `fileSink.baseDirectoryPath` must be inside (a topology or a live pipeline command cannot
   * make the agent write or trim MP4s elsewhere); default `{localMediaCachePath}/file-sinks`; relative to the config
   * file's folder.
   */
  fileSinkRoot: z.string().min(1).optional(),
  /** Cache cap in MiB (1 MiB = 1024² bytes, as AVA). */
  localMediaCacheMaximumSizeMiB: z.number().int().min(1).max(16 * 1024 * 1024).default(AGENT_DEFAULTS.localMediaCacheMaximumSizeMiB),
  broker: brokerSchema,
  upload: uploadSchema,
  /** Path of the ffmpeg binary; else FFMPEG_PATH, ffmpeg-static, @ffmpeg-installer/ffmpeg. */
  ffmpegPath: z.string().min(1).optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default(AGENT_DEFAULTS.logLevel),
  /** Prometheus metrics (`GET /metrics`) and health (`GET /health`) over HTTP; port 0 = a free port, `false` = off. */
  metrics: z
    .union([
      z.literal(false),
      z.strictObject({
        port: z.number().int().min(0).max(65535).default(AGENT_DEFAULTS.metricsPort),
        /** Listen address; the default keeps the endpoint on the device itself, `0.0.0.0` opens it to a scraper. */
        host: z.string().min(1).default(AGENT_DEFAULTS.metricsHost),
      }),
    ])
    .default({ port: AGENT_DEFAULTS.metricsPort, host: AGENT_DEFAULTS.metricsHost }),
});

export type CameraConfig = z.output<typeof cameraSchema>;
export type UploadTarget = z.output<typeof uploadSchema>;

/** The validated agent config with durations in ms and the cache cap in bytes. */
export type AgentConfig = Omit<z.output<typeof agentConfigFileSchema>, 'segmentLength' | 'localMediaCacheMaximumSizeMiB' | 'cameraReconnectMaximumDelay' | 'cameraWatchdogTimeout' | 'evrCacheHorizon' | typeof DEPRECATED_EVR_CACHE_HORIZON_KEY> & {
  segmentLengthMs: number;
  /** The EVR cache horizon (`evrCacheHorizon`, or its old name `evrCacheHold`), ms. */
  evrCacheHorizonMs: number;
  cameraReconnectMaximumDelayMs: number;
  cameraWatchdogTimeoutMs: number;
  maxCacheBytes: number;
};

/** Camera ids must be unique: two cameras with one id would write into one archive. */
function verifyUniqueCameraIds(cameras: readonly CameraConfig[]): void {
  const seen = new Set<string>();
  for (const c of cameras) {
    if (seen.has(c.id)) throw new ValidationError(`agent config: camera id '${c.id}' appears more than once`);
    seen.add(c.id);
  }
}

/**
 * The broker's TLS options make sense together: a client certificate needs its key (and the reverse), TLS files need a
 * TLS URL (`mqtts://`, `wss://`), and a certificate replaces the password: Event Grid authenticates a client by one
 * method, and a password sent beside a certificate would only travel to the broker for nothing.
 */
function verifyBrokerTls(broker: BrokerConfig): void {
  const tls = /^(mqtts|wss):/.test(broker.url);
  if (broker.clientCertFile !== undefined && broker.clientKeyFile === undefined) throw new ValidationError('agent config: broker.clientCertFile needs broker.clientKeyFile (the PEM file of its private key)');
  if (broker.clientKeyFile !== undefined && broker.clientCertFile === undefined) throw new ValidationError('agent config: broker.clientKeyFile needs broker.clientCertFile (the PEM file of the client certificate)');
  for (const key of ['clientCertFile', 'caFile'] as const) {
    if (broker[key] !== undefined && !tls) throw new ValidationError(`agent config: broker.${key} needs a TLS broker URL (mqtts:// or wss://), not ${broker.url.split(':')[0]}://`);
  }
  // The device's MQTT password must not cross a network in clear (docs/security.md).
  if (broker.password !== undefined && !tls) {
    let host = '';
    try {
      host = new URL(broker.url).hostname;
    } catch {
      host = '';
    }
    if (!isLoopbackHost(host)) throw new ValidationError(`agent config: broker.password would travel in clear to ${host || 'the broker'}: use mqtts:// or wss:// (mqtt:// and ws:// only to this machine: 127.0.0.1, ::1, localhost)`);
  }
  if (broker.clientCertFile !== undefined && broker.password !== undefined) {
    throw new ValidationError('agent config: broker.password and broker.clientCertFile are mutually exclusive: a device authenticates by its certificate or by a password, not both');
  }
}

/** A file sink writes EVR clips (AVA: a file sink sits right after a signal gate), so it needs `mode: evr`. */
function verifyFileSinks(cameras: readonly CameraConfig[]): void {
  for (const c of cameras) {
    if (c.fileSink && c.mode !== 'evr') throw new ValidationError(`agent config: camera '${c.id}': fileSink needs mode 'evr' (it writes one MP4 per upload window)`);
  }
}

/**
 * Validates one camera entry (the config file's `cameras[i]` shape), e.g. a camera a live pipeline command brings at
 * run time (shared/contracts/pipeline-commands.ts).
 * @param what names the camera's origin in the message ("live pipeline 'door-1' camera")
 * @throws ValidationError naming every bad or unknown key; a file sink without `mode: evr`
 */
export function parseCameraConfig(input: unknown, what: string): CameraConfig {
  const camera = parseWith(cameraSchema, input, what);
  verifyFileSinks([camera]);
  return camera;
}

/** The warning {@link parseAgentConfig} gives for a file that still says `evrCacheHold`. */
export const DEPRECATED_EVR_CACHE_HORIZON_WARNING = `agent config: ${DEPRECATED_EVR_CACHE_HORIZON_KEY} is the old name of evrCacheHorizon and is read as it; rename it to evrCacheHorizon`;

/**
 * The EVR cache horizon the file sets, ms: `evrCacheHorizon`, else its old name `evrCacheHold` (then `warn` is told
 * {@link DEPRECATED_EVR_CACHE_HORIZON_WARNING} once), else the default PT1M30S.
 * @throws ValidationError when both keys are set
 */
function evrCacheHorizonMs(horizon: string | undefined, old: string | undefined, warn: (message: string) => void): number {
  if (horizon !== undefined && old !== undefined) {
    throw new ValidationError(`agent config: ${DEPRECATED_EVR_CACHE_HORIZON_KEY} and evrCacheHorizon are both set: ${DEPRECATED_EVR_CACHE_HORIZON_KEY} is the old name of evrCacheHorizon; keep only evrCacheHorizon`);
  }
  if (old !== undefined) {
    warn(DEPRECATED_EVR_CACHE_HORIZON_WARNING);
    return parseIsoDuration(old, `agent config: ${DEPRECATED_EVR_CACHE_HORIZON_KEY}`);
  }
  return parseIsoDuration(horizon ?? AGENT_DEFAULTS.evrCacheHorizon, 'agent config: evrCacheHorizon');
}

/**
 * Validates an agent config document (already read from YAML/JSON, placeholders resolved).
 * @param warn told what the caller should log as a warning about a valid document: a deprecated key
 *   ({@link DEPRECATED_EVR_CACHE_HORIZON_WARNING}); default: nothing is told
 * @throws ValidationError naming every bad or unknown key at once, e.g.
 *   `agent config: segmentLength: PT1S is outside PT2S..PT5M; unknown key 'colour'`; `evrCacheHold` beside
 *   `evrCacheHorizon`
 */
export function parseAgentConfig(doc: unknown, warn: (message: string) => void = () => {}): AgentConfig {
  const file = parseWith(agentConfigFileSchema, doc, 'agent config');
  const segmentLengthMs = parseIsoDuration(file.segmentLength, 'agent config: segmentLength');
  verifyUniqueCameraIds(file.cameras);
  verifyFileSinks(file.cameras);
  verifyBrokerTls(file.broker);
  const { segmentLength: _s, localMediaCacheMaximumSizeMiB, cameraReconnectMaximumDelay, cameraWatchdogTimeout, evrCacheHorizon, [DEPRECATED_EVR_CACHE_HORIZON_KEY]: oldEvrCacheHorizon, ...rest } = file;
  return {
    ...rest,
    segmentLengthMs,
    evrCacheHorizonMs: evrCacheHorizonMs(evrCacheHorizon, oldEvrCacheHorizon, warn),
    cameraReconnectMaximumDelayMs: parseIsoDuration(cameraReconnectMaximumDelay, 'agent config: cameraReconnectMaximumDelay'),
    cameraWatchdogTimeoutMs: parseIsoDuration(cameraWatchdogTimeout, 'agent config: cameraWatchdogTimeout'),
    maxCacheBytes: localMediaCacheMaximumSizeMiB * 1024 * 1024,
  };
}
