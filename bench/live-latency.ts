import { mkdirSync, mkdtempSync } from 'node:fs';
import path from 'node:path';
import { startLocalStack } from '../local/stack';
import { parseIsoDuration } from '../shared/time';
import { mediaPath, startRtspServer } from '../testbed/rtsp-server';
import { summarize, type LatencySummary } from './percentiles';

/** Options of {@link runLiveLatency}; defaults in {@link LIVE_BENCH_DEFAULTS}. */
export interface LiveBenchOptions {
  /** Measured window, s (after the first segment is live). */
  seconds: number;
  /** Segment length (ISO 8601). */
  segmentLength: string;
  /** How often the live playlist is read, ms (a player reads it every target duration; this finds the instant). */
  pollMs: number;
  workDir: string;
  print: (line: string) => void;
}

export const LIVE_BENCH_DEFAULTS = { seconds: 60, segmentLength: 'PT2S', pollMs: 200 } as const;

/** Target (docs/live.md): glass → live playlist p95 ≤ 2 × segment length + 2 s. */
export const liveLatencyTargetMs = (segmentMs: number): number => 2 * segmentMs + 2000;

/** What {@link runLiveLatency} measured. */
export interface LiveLatencyResult {
  segmentLength: string;
  segmentMs: number;
  /** Camera wall clock of a segment's first frame (its program date-time) → the segment listed in the live playlist, ms. */
  firstFrame: LatencySummary;
  /** Camera wall clock of a segment's end (its last frame) → listed: upload + index + the read, ms. */
  afterClose: LatencySummary;
  /** The live playlist's target duration: a player reloading at it adds up to this much (s). */
  targetDurationS: number;
}

/**
 * Live latency on the local stack: the RTSP test camera (testbed/, GStreamer serving the person clip in real time) is
 * recorded by the agent at `segmentLength`, uploaded to Azurite, indexed by the local Functions host; the bench reads
 * the camera's live playlist every `pollMs` and, for each segment, takes the first read that lists it.
 *
 * The frame's wall clock is the segment's `#EXT-X-PROGRAM-DATE-TIME`: the agent's clock at the moment the camera's first
 * frame of that segment arrived (the agent times segments from frame arrival, shared clock with the camera here: one
 * machine, loopback RTSP, so arrival is within milliseconds of the camera sending it). A segment's first frame waits
 * the longest (the whole segment must close before upload), so `firstFrame` is the worst frame of each segment; a
 * frame `t` ms into the segment is available `t` ms sooner. A player adds its reload phase (≤ one target duration) and
 * its own live-edge distance (hls.js: 3 target durations by default), which are the player's choice, not the cloud's.
 * @throws Error when the camera never appears or fewer than 5 segments are measured
 */
export async function runLiveLatency(opts: LiveBenchOptions): Promise<LiveLatencyResult> {
  const segmentMs = parseIsoDuration(opts.segmentLength, 'live segment length');
  mkdirSync(opts.workDir, { recursive: true });
  const rtsp = await startRtspServer({ mounts: { '/cam': mediaPath('one-by-one-person-detection.mp4') } });
  const camera = 'cam-live-bench';
  try {
    const stack = await startLocalStack({
      dataDir: mkdtempSync(path.join(path.resolve(opts.workDir), 'live-')),
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: camera, url: rtsp.urls['/cam'] }],
      segmentLength: opts.segmentLength,
      print: () => {},
    });
    try {
      const headers = { 'x-functions-key': stack.apiKey };
      let hlsUrl: string | undefined;
      for (const until = Date.now() + 60_000; !hlsUrl; ) {
        const res = await fetch(`${stack.apiBase}/cameras/${camera}/live`, { headers });
        if (res.status === 200) hlsUrl = ((await res.json()) as { hlsUrl: string }).hlsUrl;
        else if (Date.now() > until) throw new Error(`camera ${camera} not live after 60 s: ${res.status} ${await res.text()}`);
        else await new Promise((r) => setTimeout(r, 500));
      }
      const known = new Set<string>();
      const firstFrame: number[] = [];
      const afterClose: number[] = [];
      let targetDurationS = 0;
      let primed = false;
      const endMs = Date.now() + opts.seconds * 1000;
      while (Date.now() < endMs) {
        const text = await (await fetch(hlsUrl)).text();
        const seenMs = Date.now();
        targetDurationS = Number(/#EXT-X-TARGETDURATION:(\d+)/.exec(text)?.[1] ?? 0);
        // Each segment: its program date-time and its EXTINF duration.
        for (const m of text.matchAll(/#EXT-X-PROGRAM-DATE-TIME:(\S+)\n#EXTINF:([\d.]+),/g)) {
          if (known.has(m[1])) continue;
          known.add(m[1]);
          if (!primed) continue; // listed before the first read: its arrival time is unknown
          const startMs = Date.parse(m[1]);
          firstFrame.push(seenMs - startMs);
          afterClose.push(seenMs - (startMs + Number(m[2]) * 1000));
        }
        primed = true;
        await new Promise((r) => setTimeout(r, opts.pollMs));
      }
      if (firstFrame.length < 5) throw new Error(`only ${firstFrame.length} segments went live in ${opts.seconds} s`);
      const result = { segmentLength: opts.segmentLength, segmentMs, firstFrame: summarize(firstFrame), afterClose: summarize(afterClose), targetDurationS };
      const f = result.firstFrame;
      opts.print(
        `live ${opts.segmentLength}: ${f.count} segments; camera clock of a segment's first frame → in the live playlist: p50 ${f.p50Ms.toFixed(0)} ms, ` +
          `p95 ${f.p95Ms.toFixed(0)} ms, max ${f.maxMs.toFixed(0)} ms (target p95 ≤ ${liveLatencyTargetMs(segmentMs)} ms); ` +
          `segment closed → listed p50 ${result.afterClose.p50Ms.toFixed(0)} ms, p95 ${result.afterClose.p95Ms.toFixed(0)} ms; ` +
          `a player reloading every ${targetDurationS} s adds up to ${targetDurationS * 1000} ms`,
      );
      return result;
    } finally {
      await stack.stop();
    }
  } finally {
    await rtsp.stop();
  }
}
