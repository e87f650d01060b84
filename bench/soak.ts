import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { BlobServiceClient } from '@azure/storage-blob';
import { resolveFfmpeg } from '../edge-agent/recorder/ffmpeg-path';
import { startAzurite } from '../local/azurite';
import { startLocalBroker } from '../local/broker';
import { ensureSimulatedCameraClip, simulatedCamera } from '../local/simulated-camera';
import { parseSegmentBlobName } from '../shared/contracts/blob-naming';
import { startTcpProxy } from '../testbed/tcp-proxy';
import { stopChild, track } from './child-processes';

/** Options of {@link runSoak}; defaults in {@link SOAK_DEFAULTS}. */
export interface SoakOptions {
  /** Length of the recording, minutes (the outages are placed at fixed fractions of it, see {@link SOAK_TIMELINE}). */
  minutes: number;
  /** Simulated cameras the agent records. */
  cameras: number;
  /** Clip cache and run files (the agent's cache, config and full log go to `{workDir}/soak-{time}/`). */
  workDir: string;
  print: (line: string) => void;
}

export const SOAK_DEFAULTS = { minutes: 10, cameras: 8 } as const;

/**
 * When the outages happen, as fractions of the run (docs/benchmarks.md: a storage outage and a broker outage inside a
 * 10-minute soak). With the default 10 minutes: storage cut from minute 2 to 4, broker cut from minute 6 to 7, then
 * recovery until minute 10, a clean stop (SIGTERM) and the agent's drain.
 */
export const SOAK_TIMELINE = { storageCut: 0.2, storageRestore: 0.4, brokerCut: 0.6, brokerRestore: 0.7 } as const;

/**
 * PT2S segments: 5× more segments than PT10S for the same bytes, so evictions, losses and events are counted at a
 * finer grain (one segment ≈ 0.5 MB, so peak cache bytes against the cap is not dominated by one segment's size), and
 * the journal, outbox and uploader work 5× harder than with PT10S.
 */
const SEGMENT_LENGTH = 'PT2S';
/** The agent's resident memory is taken as the baseline this long after its start (the issue's "minute 1"), ms. */
const RSS_BASELINE_MS = 60_000;
/** Pass/fail of the RSS criterion: resident memory at the end ≤ this × the baseline (a leak detector, not a budget). */
export const SOAK_MAX_RSS_RATIO = 1.5;
const DEVICE = 'soak-device';
const CONTAINER = 'recordings';

/** One pass/fail line of the summary. */
export interface SoakCriterion {
  name: string;
  pass: boolean;
  detail: string;
}

/** What {@link runSoak} measured. */
export interface SoakResult {
  minutes: number;
  cameras: number;
  cacheCapBytes: number;
  recorded: number;
  stored: number;
  lost: number;
  evicted: number;
  peakCacheBytes: number;
  rssBaselineBytes: number;
  rssEndBytes: number;
  rssPeakBytes: number;
  /** Seconds after the storage restore until the cache held under 10 % of its cap again; undefined when it never did. */
  backlogDrainedSeconds: number | undefined;
  criteria: SoakCriterion[];
}

interface LogRecord {
  msg?: string;
  level?: number;
  cameraId?: string;
  segmentStartMs?: number;
  url?: string;
}

interface DeviceEvent {
  receivedMs: number;
  type: string;
  data: { cameraId: string; start: string; blobName?: string; cause?: string };
}

/**
 * The resilient-recording soak: the edge agent as a child process (`dist/edge-agent/cli.js`, so its
 * RSS is its own) records `cameras` simulated cameras (a looped H.264 clip read in real time) for `minutes`, with a
 * storage outage and a broker outage inside the run ({@link SOAK_TIMELINE}), made by cutting the test TCP proxies in
 * front of Azurite's blob port and of the embedded MQTT broker (aedes, MQTT 3.1.1). The cache cap
 * (`localMediaCacheMaximumSizeMiB`) holds about half of what the cameras record during the storage outage, so the
 * outage forces evictions. Measured: segments recorded (agent log `segment recorded`), evicted (`cache full: …`), stored
 * (blobs in the container after the clean stop), `segment.uploaded` and `gap` events the broker received, the cache
 * gauge and the agent's RSS scraped every second from its Prometheus endpoint.
 * @throws Error when a part does not start or the agent dies before the end
 */
/** Length of the soak's simulated camera clip (looped), s: named here because the cache cap is computed from its bit rate. */
const SOAK_CLIP_SECONDS = 20;

export async function runSoak(opts: SoakOptions): Promise<SoakResult> {
  const { print } = opts;
  const durationMs = Math.round(opts.minutes * 60_000);
  const ffmpegPath = resolveFfmpeg().path;
  const clip = ensureSimulatedCameraClip({ ffmpegPath, dir: path.join(opts.workDir, 'media'), seconds: SOAK_CLIP_SECONDS });
  const clipBytesPerSecond = statSync(clip).size / SOAK_CLIP_SECONDS;
  const storageOutageS = ((SOAK_TIMELINE.storageRestore - SOAK_TIMELINE.storageCut) * durationMs) / 1000;
  const capMiB = Math.max(1, Math.round((opts.cameras * clipBytesPerSecond * storageOutageS) / 2 / 2 ** 20));
  const cacheCapBytes = capMiB * 2 ** 20;
  const runDir = path.join(opts.workDir, `soak-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  mkdirSync(runDir, { recursive: true });
  print(`${opts.cameras} cameras, ${opts.minutes} min, ${SEGMENT_LENGTH} segments, clip ${(clipBytesPerSecond * 8 / 1e6).toFixed(2)} Mbit/s; ` +
    `cache cap ${capMiB} MiB (about half of the ${storageOutageS.toFixed(0)} s storage outage); run files in ${runDir}`);

  const cleanups: Array<() => Promise<unknown>> = [];
  try {
    const azurite = await startAzurite();
    cleanups.push(() => azurite.stop());
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(CONTAINER);
    await container.create();
    const events: DeviceEvent[] = [];
    const broker = await startLocalBroker({
      port: 0,
      devices: { [DEVICE]: 'soak-password' },
      onMessage: (m) => {
        try {
          const e = JSON.parse(m.payload.toString()) as Omit<DeviceEvent, 'receivedMs'>;
          events.push({ receivedMs: Date.now(), type: e.type, data: e.data });
        } catch {
          print(`broker: a message on ${m.topic} is not JSON; ignored`);
        }
      },
    });
    cleanups.push(() => broker.close());
    const blobProxy = await startTcpProxy(azurite.blobPort);
    cleanups.push(() => blobProxy.close());
    const brokerProxy = await startTcpProxy(broker.port);
    cleanups.push(() => brokerProxy.close());

    const cameraIds = Array.from({ length: opts.cameras }, (_, i) => `soak-${i + 1}`);
    const configFile = path.join(runDir, 'agent.json');
    writeFileSync(configFile, JSON.stringify({
      deviceId: DEVICE,
      cameras: cameraIds.map((id) => simulatedCamera(id, clip)),
      segmentLength: SEGMENT_LENGTH,
      localMediaCachePath: path.join(runDir, 'cache'),
      localMediaCacheMaximumSizeMiB: capMiB,
      broker: { url: `mqtt://127.0.0.1:${brokerProxy.port}`, password: 'soak-password', protocolVersion: 4 },
      upload: { connectionString: azurite.connectionString.replace(azurite.blobEndpoint, `http://127.0.0.1:${blobProxy.port}/${azurite.accountName}`), container: CONTAINER },
      ffmpegPath,
      logLevel: 'debug',
      metrics: { port: 0 },
    }, null, 2));

    const startedMs = Date.now();
    const agent = track(spawn(process.execPath, [path.join(__dirname, '..', 'edge-agent', 'cli.js'), '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'] }));
    cleanups.push(() => stopChild(agent, 'SIGTERM', 45_000)); // on an error; its ffmpeg children go with it (tree kill after 45 s)
    const logFile = createWriteStream(path.join(runDir, 'agent.log'));
    const recorded: LogRecord[] = [];
    const evicted: LogRecord[] = [];
    const warnings = new Map<string, number>();
    let metricsUrl: string | undefined;
    createInterface({ input: agent.stdout! }).on('line', (line) => {
      logFile.write(`${line}\n`);
      let o: LogRecord;
      try {
        o = JSON.parse(line) as LogRecord;
      } catch {
        return;
      }
      if (o.msg === 'segment recorded') recorded.push(o);
      else if (o.msg === 'cache full: oldest segment evicted before upload') evicted.push(o);
      else if (o.msg === 'metrics and health endpoint listening') metricsUrl = o.url;
      if ((o.level ?? 0) >= 40) warnings.set(String(o.msg), (warnings.get(String(o.msg)) ?? 0) + 1);
    });
    createInterface({ input: agent.stderr! }).on('line', (line) => logFile.write(`[stderr] ${line}\n`));
    let exitedEarly = false;
    agent.once('exit', () => (exitedEarly = true));

    // Scrape the cache gauge and the agent's RSS every second.
    const samples: Array<{ atMs: number; cacheBytes: number; rssBytes: number }> = [];
    let scraping = false;
    const scraper = setInterval(() => {
      if (!metricsUrl || scraping) return;
      scraping = true;
      fetch(metricsUrl, { signal: AbortSignal.timeout(900) })
        .then((r) => r.text())
        .then((text) => {
          const gauge = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
          samples.push({ atMs: Date.now() - startedMs, cacheBytes: gauge('keepwatch_cache_bytes'), rssBytes: gauge('keepwatch_agent_process_resident_memory_bytes') });
        })
        .catch(() => {}) // a missed sample (busy agent) is just a missed sample
        .finally(() => (scraping = false));
    }, 1000);
    cleanups.push(async () => clearInterval(scraper));

    const until = async (fraction: number, what: string, act: () => void) => {
      const wait = startedMs + fraction * durationMs - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (exitedEarly) throw new Error(`the agent exited before the end (see ${runDir}/agent.log)`);
      act();
      print(`${((Date.now() - startedMs) / 1000).toFixed(0).padStart(4)} s: ${what} (${recorded.length} segments recorded, ${evicted.length} evicted, ${events.length} events received)`);
    };
    let brokerRestoredMs = 0;
    let storageRestoredMs = 0;
    await until(SOAK_TIMELINE.storageCut, 'storage cut', () => blobProxy.cut());
    await until(SOAK_TIMELINE.storageRestore, 'storage restored', () => { blobProxy.restore(); storageRestoredMs = Date.now() - startedMs; });
    await until(SOAK_TIMELINE.brokerCut, 'broker cut', () => brokerProxy.cut());
    await until(SOAK_TIMELINE.brokerRestore, 'broker restored', () => { brokerProxy.restore(); brokerRestoredMs = Date.now(); });
    await until(1, 'stopping the agent (SIGTERM)', () => {});
    const stop = await stopChild(agent, 'SIGTERM', 60_000);
    clearInterval(scraper);
    await new Promise<void>((r) => logFile.end(r));
    print(`agent exited: code ${stop.code}, signal ${stop.signal}${stop.killed ? ', SIGKILLed after 60 s' : ''}, ${((Date.now() - startedMs) / 1000).toFixed(0)} s after its start`);

    // What is in Blob, against what was recorded and evicted.
    const key = (cameraId: string, startMs: number) => `${cameraId}@${startMs}`;
    const storedKeys = new Set<string>();
    for await (const b of container.listBlobsFlat()) {
      const p = parseSegmentBlobName(b.name);
      if (p) storedKeys.add(key(p.cameraId, p.startMs));
    }
    const recordedKeys = new Set(recorded.map((o) => key(String(o.cameraId), Number(o.segmentStartMs))));
    const evictedKeys = new Set(evicted.map((o) => key(String(o.cameraId), Number(o.segmentStartMs))));
    const lostKeys = [...recordedKeys].filter((k) => !storedKeys.has(k));
    const lostNotEvicted = lostKeys.filter((k) => !evictedKeys.has(k));
    const evictedButStored = [...evictedKeys].filter((k) => storedKeys.has(k));
    const storedNotRecorded = [...storedKeys].filter((k) => !recordedKeys.has(k));
    const gapKeys = new Set(events.filter((e) => e.type === 'gap' && e.data.cause === 'eviction').map((e) => key(e.data.cameraId, Date.parse(e.data.start))));
    const evictedWithoutGap = [...evictedKeys].filter((k) => !gapKeys.has(k));
    const uploadedEvents = events.filter((e) => e.type === 'segment.uploaded');
    const announced = new Set(uploadedEvents.map((e) => key(e.data.cameraId, Date.parse(e.data.start))));
    const storedNotAnnounced = [...storedKeys].filter((k) => !announced.has(k));

    // Order per camera: each segment.uploaded event's segment starts after the previous one's (first deliveries).
    const inversions = (list: DeviceEvent[]) => {
      const last = new Map<string, number>();
      const seen = new Set<string>();
      let n = 0;
      for (const e of list) {
        const start = Date.parse(e.data.start);
        if (seen.has(key(e.data.cameraId, start))) continue; // a republish (acknowledgement lost in the outage)
        seen.add(key(e.data.cameraId, start));
        if (start < (last.get(e.data.cameraId) ?? -Infinity)) n++;
        last.set(e.data.cameraId, Math.max(start, last.get(e.data.cameraId) ?? -Infinity));
      }
      return n;
    };
    const afterBroker = uploadedEvents.filter((e) => e.receivedMs >= brokerRestoredMs);
    const inversionsAfterBroker = inversions(afterBroker);
    const inversionsAll = inversions(uploadedEvents);

    const peakCacheBytes = Math.max(0, ...samples.map((s) => s.cacheBytes).filter(Number.isFinite));
    const rss = samples.filter((s) => Number.isFinite(s.rssBytes));
    const rssBaseline = rss.find((s) => s.atMs >= Math.min(RSS_BASELINE_MS, durationMs / 2))?.rssBytes ?? NaN;
    const rssEnd = rss.at(-1)?.rssBytes ?? NaN;
    const rssPeak = Math.max(...rss.map((s) => s.rssBytes));
    const drained = samples.find((s) => s.atMs > storageRestoredMs && s.cacheBytes < cacheCapBytes / 10);
    const MiB = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    const show = (keys: string[]) => (keys.length ? ` e.g. ${keys.slice(0, 3).join(', ')}` : '');

    const criteria: SoakCriterion[] = [
      { name: 'storage outage forced evictions', pass: evictedKeys.size > 0, detail: `${evictedKeys.size} segments evicted` },
      { name: 'lost == evicted', pass: lostNotEvicted.length === 0 && evictedButStored.length === 0 && lostKeys.length === evictedKeys.size,
        detail: `lost ${lostKeys.length} (recorded ${recordedKeys.size} − stored ${storedKeys.size - storedNotRecorded.length}) vs evicted ${evictedKeys.size}; ` +
          `lost but not evicted ${lostNotEvicted.length}${show(lostNotEvicted)}, evicted but stored ${evictedButStored.length}${show(evictedButStored)}` },
      { name: 'no blob that was not recorded', pass: storedNotRecorded.length === 0, detail: `${storedNotRecorded.length}${show(storedNotRecorded)}` },
      { name: 'every eviction has a gap event (cause eviction)', pass: evictedWithoutGap.length === 0, detail: `${evictedKeys.size - evictedWithoutGap.length}/${evictedKeys.size}${show(evictedWithoutGap)}` },
      { name: 'every stored segment announced (segment.uploaded)', pass: storedNotAnnounced.length === 0,
        detail: `${storedKeys.size - storedNotAnnounced.length}/${storedKeys.size}; ${uploadedEvents.length - announced.size} republished${show(storedNotAnnounced)}` },
      { name: 'peak cache bytes ≤ cap', pass: peakCacheBytes <= cacheCapBytes, detail: `${MiB(peakCacheBytes)} / ${MiB(cacheCapBytes)} = ${(peakCacheBytes / cacheCapBytes).toFixed(3)} × cap (${samples.length} samples)` },
      { name: `agent RSS end ≤ ${SOAK_MAX_RSS_RATIO} × minute 1`, pass: rssEnd <= SOAK_MAX_RSS_RATIO * rssBaseline,
        detail: `${MiB(rssBaseline)} → ${MiB(rssEnd)} = ${(rssEnd / rssBaseline).toFixed(2)} × (growth ${MiB(rssEnd - rssBaseline)}), peak ${MiB(rssPeak)}` },
      { name: 'segment.uploaded in order per camera after the broker outage', pass: inversionsAfterBroker === 0,
        detail: `${inversionsAfterBroker} out of order among ${afterBroker.length} received after the restore (whole run: ${inversionsAll} among ${uploadedEvents.length})` },
      { name: 'clean stop', pass: stop.code === 0 && !stop.killed && !warnings.has('stopping with segments still in the cache; they are uploaded at the next start'),
        detail: `exit code ${stop.code}${warnings.has('stopping with segments still in the cache; they are uploaded at the next start') ? ', segments left in the cache' : ''}` },
    ];
    writeFileSync(path.join(runDir, 'metrics.csv'), `seconds,cache_bytes,rss_bytes\n${samples.map((s) => `${(s.atMs / 1000).toFixed(1)},${s.cacheBytes},${s.rssBytes}`).join('\n')}\n`);
    const rssByMinute = Array.from({ length: Math.ceil(durationMs / 60_000) }, (_, m) => rss.find((s) => s.atMs >= (m + 1) * 60_000)?.rssBytes ?? rssEnd);
    print(`agent RSS at the end of each minute, MiB: ${rssByMinute.map((b) => (b / 2 ** 20).toFixed(0)).join(' ')} (samples in ${runDir}/metrics.csv)`);
    print(`backlog after the storage outage drained (cache < 10 % of cap) ${drained ? `${((drained.atMs - storageRestoredMs) / 1000).toFixed(0)} s after the restore` : 'never'}`);
    print(`agent warnings and errors by message: ${[...warnings].map(([m, n]) => `${n}× "${m}"`).join('; ') || 'none'}`);
    for (const c of criteria) print(`${c.pass ? 'PASS' : 'FAIL'} ${c.name}: ${c.detail}`);
    return {
      minutes: opts.minutes,
      cameras: opts.cameras,
      cacheCapBytes,
      recorded: recordedKeys.size,
      stored: storedKeys.size,
      lost: lostKeys.length,
      evicted: evictedKeys.size,
      peakCacheBytes,
      rssBaselineBytes: rssBaseline,
      rssEndBytes: rssEnd,
      rssPeakBytes: rssPeak,
      backlogDrainedSeconds: drained ? (drained.atMs - storageRestoredMs) / 1000 : undefined,
      criteria,
    };
  } finally {
    for (const c of cleanups.reverse()) await c().catch(() => {});
  }
}
