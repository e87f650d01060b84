import { resolveFfmpeg } from '../edge-agent/recorder/ffmpeg-path';
import { runAvailableMediaLatency, type AvailableMediaLatencyResult } from './available-media-latency';
import { killAllTracked } from './child-processes';
import { BENCH_HELP, parseBenchOptions, type BenchOptions } from './bench-options';
import { formatMachineInfo, machineInfo } from './machine-info';
import { MANIFEST_PLAYLIST_TARGETS, runManifestPlaylist, type ManifestPlaylistResult } from './manifest-playlist';
import { PLAYLIST_TARGET_P95_MS, runPlaylistLatency, type PlaylistLatencyResult } from './playlist-latency';
import { PREVIEW_TARGETS, runPreviewLatency, type PreviewLatencyResult } from './preview-latency';
import { RECORDING_TARGETS, runRecordingOverhead, type RecordingOverheadResult } from './recording-overhead';
import { RETENTION_TARGET_RATIO, runRetentionDeletes, type RetentionDeletesResult } from './retention-deletes';
import { runSoak, type SoakResult } from './soak';
import { MOTION_CPU_DEFAULTS, MOTION_CPU_TARGET_RATIO, runMotionCpu, type MotionCpuResult } from './motion-cpu';
import { EVR_BENCH_DEFAULTS, EVR_LATENCY_TARGET_EXTRA_MS, runEvrLatency, type EvrLatencyResult } from './evr-latency';
import { COST_BENCH_DEFAULTS, COST_EVR_SECONDS, printDeployCost, runDeployCost, type CostBenchResult } from './deploy-cost';
import { LIVE_BENCH_DEFAULTS, liveLatencyTargetMs, runLiveLatency, type LiveLatencyResult } from './live-latency';
import { mediaPath } from '../testbed/rtsp-server';

/**
 * `npm run bench`: runs the selected benchmarks one after the other (never in parallel: they would share the CPUs
 * they measure) and ends with a summary of the ratios. Exit code 0 when every benchmark ran, whether or not it met
 * its target (a benchmark reports, it does not gate); 1 when one failed to run; 2 for bad options; 130 when
 * interrupted, after killing every child process it started.
 */
async function main(): Promise<number> {
  let opts: BenchOptions | 'help';
  try {
    opts = parseBenchOptions(process.argv.slice(2), process.env);
  } catch (err) {
    process.stderr.write(`bench: ${(err as Error).message}\n`);
    return 2;
  }
  if (opts === 'help') {
    process.stdout.write(`${BENCH_HELP}\n`);
    return 0;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal}, stopping every child process\n`);
      killAllTracked();
      process.exit(130); // Azurite children are killed by their own exit hooks (local/azurite.ts)
    });
  }
  process.once('exit', killAllTracked);

  const print = (line: string) => process.stdout.write(`${line}\n`);
  const started = Date.now();
  print(`Keepwatch benchmarks, ${new Date().toISOString()}`);
  print(`machine: ${formatMachineInfo(machineInfo(resolveFfmpeg().path))}`);
  let recording: RecordingOverheadResult | undefined;
  let playlist: PlaylistLatencyResult | undefined;
  let manifestPlaylist: ManifestPlaylistResult | undefined;
  let availability: AvailableMediaLatencyResult | undefined;
  let retention: RetentionDeletesResult | undefined;
  let soak: SoakResult | undefined;
  let motion: MotionCpuResult | undefined;
  let evr: EvrLatencyResult | undefined;
  let live: LiveLatencyResult | undefined;
  let cost: CostBenchResult | undefined;
  let costEvr: CostBenchResult | undefined;
  let preview: PreviewLatencyResult | undefined;
  let failed = false;
  const titles: Record<string, string> = { recording: 'recording overhead', playlist: 'playlist latency', manifests: 'playlists from asset manifests', availability: 'availableMedia latency', retention: 'retention deletes', soak: 'resilient-recording soak', motion: 'motion CPU', evr: 'EVR latency and bytes', live: 'live latency (glass → live playlist)', cost: 'cost per camera-month (counted operations × prices)', preview: 'preview latency' };
  for (const name of opts.only) {
    const t0 = Date.now();
    print(`\n== ${titles[name]} ==`);
    try {
      if (name === 'recording') recording = await runRecordingOverhead({ ...opts, print });
      else if (name === 'manifests') manifestPlaylist = await runManifestPlaylist({ requests: opts.requests, warmupRequests: opts.warmupRequests, print });
      else if (name === 'availability') availability = await runAvailableMediaLatency({ requests: opts.requests, warmupRequests: opts.warmupRequests, print });
      else if (name === 'soak') soak = await runSoak({ minutes: opts.soakMinutes, cameras: opts.soakCameras, workDir: opts.workDir, print });
      else if (name === 'evr') evr = await runEvrLatency({ ...EVR_BENCH_DEFAULTS, motionClip: opts.motionClip ?? mediaPath('one-by-one-person-detection.mp4'), workDir: opts.workDir, print });
      else if (name === 'live') live = await runLiveLatency({ ...LIVE_BENCH_DEFAULTS, workDir: opts.workDir, print });
      else if (name === 'motion') motion = await runMotionCpu({ ...MOTION_CPU_DEFAULTS, clip: opts.motionClip ?? mediaPath('one-by-one-person-detection.mp4'), workDir: opts.workDir, print });
      else if (name === 'cost') {
        const clip = mediaPath('one-by-one-person-detection.mp4');
        cost = await runDeployCost({ ...COST_BENCH_DEFAULTS, seconds: opts.costSeconds, clip, workDir: opts.workDir, print });
        printDeployCost(cost, print);
        if (opts.costEvr) {
          print('\n-- the same camera in EVR (motion), one loop of the clip --');
          costEvr = await runDeployCost({ ...COST_BENCH_DEFAULTS, mode: 'evr', seconds: COST_EVR_SECONDS, clip, workDir: opts.workDir, print });
          printDeployCost(costEvr, print);
        }
      } else if (name === 'preview') {
        preview = await runPreviewLatency({ requests: opts.requests, warmupRequests: opts.warmupRequests, ffmpegPath: resolveFfmpeg().path, clip: mediaPath('one-by-one-person-detection.mp4'), print });
      } else if (name === 'retention') retention = await runRetentionDeletes({ segments: opts.retentionSegments, round: opts.retentionRound, print });
      else playlist = await runPlaylistLatency({ requests: opts.requests, warmupRequests: opts.warmupRequests, print });
      print(`(${name} took ${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    } catch (err) {
      failed = true;
      print(`${name} FAILED: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  }

  print('\n== summary ==');
  if (recording) print(`recording: ffmpeg ${recording.ffmpeg.version} (${recording.ffmpeg.source}), start guard ${recording.ffmpeg.startGuard}; cameras from one shared RTSP server (not counted)`);
  for (const r of recording?.ratios ?? []) {
    const base = recording!.runs.find((x) => x.kind === 'baseline' && x.cameras === r.cameras)!;
    const agent = recording!.runs.find((x) => x.kind === 'agent' && x.cameras === r.cameras)!;
    const mib = (b: number) => (b / 1024 ** 2).toFixed(1);
    print(
      `recording ${String(r.cameras).padStart(3)} cameras: agent CPU / (ffmpeg + plain uploader) CPU = ${r.ratio.toFixed(2)} (target ≤ ${RECORDING_TARGETS.maxRatio.toFixed(2)}); ` +
        `memory per camera: agent ${mib(agent.memory.rssBytes / r.cameras)} MiB RSS / ${mib(agent.memory.pssBytes / r.cameras)} MiB PSS, ` +
        `baseline ${mib(base.memory.rssBytes / r.cameras)} / ${mib(base.memory.pssBytes / r.cameras)}`,
    );
  }
  for (const c of recording?.capacity ?? []) {
    print(`recording capacity: ${String(c.cameras).padStart(3)} cameras measured at ${c.percentOfMachine.toFixed(1)} % of the machine (goal: ${RECORDING_TARGETS.capacityCameras} cameras under ${RECORDING_TARGETS.machineShare * 100} %)`);
  }
  for (const c of playlist?.cases ?? []) {
    print(`${c.request} ${c.range.padStart(4)}: p50 ${c.latency.p50Ms.toFixed(1)} ms, p95 ${c.latency.p95Ms.toFixed(1)} ms` +
      (c.range === '24 h' ? ` = ${(c.latency.p95Ms / PLAYLIST_TARGET_P95_MS).toFixed(2)} × target (p95 ≤ ${PLAYLIST_TARGET_P95_MS} ms)` : ''));
  }
  if (playlist) print(`ingest seeding: ${playlist.seeding.rowsPerSecond.toFixed(0)} rows/s`);
  if (manifestPlaylist) {
    const [rows, fromManifests] = manifestPlaylist.cases;
    print(
      `playlist 24 h from manifests: p95 ${fromManifests.latency.p95Ms.toFixed(1)} ms (target ≤ ${MANIFEST_PLAYLIST_TARGETS.p95Ms}), row scan p95 ${rows.latency.p95Ms.toFixed(1)} ms: ` +
        `${manifestPlaylist.speedup.toFixed(2)}× (target ≥ ${MANIFEST_PLAYLIST_TARGETS.speedup}); table pages ${fromManifests.tablePages} + ${fromManifests.pointReads} point read vs ${rows.tablePages} + ${rows.pointReads} (target ≤ ${MANIFEST_PLAYLIST_TARGETS.tablePages} + ${MANIFEST_PLAYLIST_TARGETS.pointReads})`,
    );
  }
  for (const c of availability?.cases ?? []) {
    print(`availableMedia ${c.name.padEnd(18)}: p50 ${c.latency.p50Ms.toFixed(1)} ms, p95 ${c.latency.p95Ms.toFixed(1)} ms, ${c.rowsRead} rows read`);
  }
  if (retention) {
    print(
      `retention: ${retention.batched.segments} segments batched (${retention.batched.runs} runs) at ${retention.batched.perSegmentMs.toFixed(3)} ms/segment, ` +
        `one by one (${retention.oneByOne.segments}) at ${retention.oneByOne.perSegmentMs.toFixed(3)} ms/segment: ratio ${retention.ratio.toFixed(1)} (target ≥ ${RETENTION_TARGET_RATIO}); ` +
        `blobs only ${retention.blobsOnly.ratio.toFixed(1)}×; storage requests per segment ${retention.requestsPerSegment.oneByOne} vs ${retention.requestsPerSegment.batched.toFixed(4)}`,
    );
  }
  if (soak) {
    print(
      `soak ${soak.cameras} cameras ${soak.minutes} min: lost ${soak.lost} = evicted ${soak.evicted} of ${soak.recorded} recorded; ` +
        `peak cache ${(soak.peakCacheBytes / soak.cacheCapBytes).toFixed(3)} × cap; agent RSS end ${(soak.rssEndBytes / soak.rssBaselineBytes).toFixed(2)} × minute 1; ` +
        `${soak.criteria.filter((c) => c.pass).length}/${soak.criteria.length} criteria pass` +
        `${soak.criteria.some((c) => !c.pass) ? ` (failed: ${soak.criteria.filter((c) => !c.pass).map((c) => c.name).join('; ')})` : ''}`,
    );
  }
  for (const c of evr?.cases ?? []) {
    print(`EVR segment ${c.segmentLength}: signal → recording.available p50 ${c.available.p50Ms.toFixed(0)} ms, p95 ${c.available.p95Ms.toFixed(0)} ms (target ≤ ${c.segmentMs + EVR_LATENCY_TARGET_EXTRA_MS} ms)`);
  }
  if (live) {
    print(
      `live ${live.segmentLength}: camera clock of a frame → in the live playlist p95 ${live.firstFrame.p95Ms.toFixed(0)} ms = ` +
        `${(live.firstFrame.p95Ms / liveLatencyTargetMs(live.segmentMs)).toFixed(2)} × target (p95 ≤ 2 × segment length + 2 s = ${liveLatencyTargetMs(live.segmentMs)} ms)`,
    );
  }
  if (evr) print(`EVR bytes stored / CVR bytes: ${evr.bytes.ratio.toFixed(3)} (${evr.bytes.recordings} recordings)`);
  if (motion) {
    print(`motion CPU per camera: agent recorder + detector / ffmpeg copy + decode + scale = ${motion.ratio.toFixed(2)} (target ≤ ${MOTION_CPU_TARGET_RATIO})`);
  }
  if (cost) {
    print(
      `cost per camera-month (7-day retention): $${cost.estimate.perCameraTotalUsd.toFixed(2)} per camera + $${cost.estimate.fixedTotalUsd.toFixed(2)} fixed = ` +
        cost.estimate.fleets.map((f) => `$${f.totalPerCameraUsd.toFixed(2)} per camera at ${f.cameras} cameras`).join(', '),
    );
  }
  for (const c of preview?.cases ?? []) {
    const target = c.camera !== 'hd' ? undefined : c.kind === 'cached' ? PREVIEW_TARGETS.cachedP95Ms : c.kind === 'cold' ? PREVIEW_TARGETS.coldP95Ms : c.kind === 'thumbnail cold' ? PREVIEW_TARGETS.thumbnailColdP95Ms : undefined;
    print(`preview ${c.camera.padEnd(6)} ${c.kind.padEnd(14)}: p50 ${c.latency.p50Ms.toFixed(1)} ms, p95 ${c.latency.p95Ms.toFixed(1)} ms${target ? ` = ${(c.latency.p95Ms / target).toFixed(2)} × target (p95 ≤ ${target} ms)` : ''}`);
  }
  if (costEvr) print(`cost per camera-month in EVR (motion, the person clip): $${costEvr.estimate.perCameraTotalUsd.toFixed(2)} per camera + fixed`);
  print(`total ${((Date.now() - started) / 1000).toFixed(0)} s`);
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    killAllTracked();
    process.exit(1);
  },
);
