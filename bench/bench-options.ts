import path from 'node:path';
import { parseArgs } from 'node:util';
import { PLAYLIST_DEFAULTS } from './playlist-latency';
import { RECORDING_DEFAULTS } from './recording-overhead';
import { RETENTION_DEFAULTS } from './retention-deletes';
import { SOAK_DEFAULTS } from './soak';
import { COST_BENCH_DEFAULTS } from './deploy-cost';

export const BENCHMARKS = ['recording', 'playlist', 'manifests', 'availability', 'retention', 'soak', 'motion', 'evr', 'live', 'cost', 'preview'] as const;
export type BenchmarkName = (typeof BENCHMARKS)[number];
/** What runs without `--only`: every benchmark but the 10-minute soak and the cost count, which run only when named. */
export const DEFAULT_BENCHMARKS: readonly BenchmarkName[] = ['recording', 'playlist', 'manifests', 'availability', 'retention', 'motion', 'evr', 'live', 'preview'];

export const BENCH_HELP = `npm run bench [-- options]  —  Keepwatch benchmarks (docs/benchmarks.md); prints figures and ratios against baselines
measured in the same run on this machine. Not part of npm test.

Options (each also as an environment variable):
  --only NAME               recording | playlist | manifests | availability |         KEEPWATCH_BENCH_ONLY
                            retention | soak | motion | evr | live | cost | preview;
                            repeatable, comma-separated (default: all but soak and cost)
  --seconds S               measured window of each recording run (default ${RECORDING_DEFAULTS.seconds})   KEEPWATCH_BENCH_SECONDS
  --cameras LIST            camera counts recorded by the baseline and the agent       KEEPWATCH_BENCH_CAMERAS
                            (default ${RECORDING_DEFAULTS.cameraCounts.join(',')})
  --capacity-cameras LIST   camera counts whose share of the machine is reported;      KEEPWATCH_BENCH_CAPACITY_CAMERAS
                            counts not in --cameras run the agent alone; 0 = none
                            (default ${RECORDING_DEFAULTS.capacityCameras.join(',')})
  --capacity-seconds S      their measured window (default min(${RECORDING_DEFAULTS.capacitySeconds}, --seconds))     KEEPWATCH_BENCH_CAPACITY_SECONDS
  --warmup-seconds S        before each recording window (default ${RECORDING_DEFAULTS.warmupSeconds})               KEEPWATCH_BENCH_WARMUP_SECONDS
  --requests N              measured requests per playlist/availability/preview case   KEEPWATCH_BENCH_REQUESTS
                            (default ${PLAYLIST_DEFAULTS.requests})
  --warmup-requests N       unmeasured requests first (default ${PLAYLIST_DEFAULTS.warmupRequests})                    KEEPWATCH_BENCH_WARMUP_REQUESTS
  --retention-segments N    expired segments the batched retention runs delete         KEEPWATCH_BENCH_RETENTION_SEGMENTS
                            (default ${RETENTION_DEFAULTS.segments})
  --retention-round N       segments per retention run, and deleted one by one for     KEEPWATCH_BENCH_RETENTION_ROUND
                            the baseline (default ${RETENTION_DEFAULTS.round})
  --soak-minutes M          length of the soak (default ${SOAK_DEFAULTS.minutes})                           KEEPWATCH_BENCH_SOAK_MINUTES
  --soak-cameras N          simulated cameras of the soak (default ${SOAK_DEFAULTS.cameras})                  KEEPWATCH_BENCH_SOAK_CAMERAS
  --cost-seconds S          counted window of the cost run, one camera (default ${COST_BENCH_DEFAULTS.seconds})  KEEPWATCH_BENCH_COST_SECONDS
  --cost-evr                the cost run also counts one EVR pass (motion, one loop     KEEPWATCH_BENCH_COST_EVR=1
                            of the clip: 140 s more)
  --motion-clip FILE        clip of the motion CPU and EVR bytes benchmarks (default   KEEPWATCH_BENCH_MOTION_CLIP
                            test/fixtures/media/one-by-one-person-detection.mp4)
  --work-dir DIR            clip cache and run files (default bench-output; the        KEEPWATCH_BENCH_DIR
                            recording clip is cached in the temp dir)
  -h, --help

With the defaults the recording benchmark (baseline and agent at 16 and 64 cameras, the agent alone at 128) takes about
12 minutes (five runs, each after a 60 s warm-up), the playlist and availability benchmarks under 1 minute each
the retention benchmark a few minutes, the motion CPU benchmark under a minute, the EVR benchmark (latency at PT2S and PT10S
segments, EVR/CVR bytes over one pass of the motion clip) about 6 minutes, the soak its --soak-minutes plus about a minute,
the cost count (docs/deploy.md) its --cost-seconds plus about 40 s, the preview latency benchmark about 2 minutes.
Example, quick: npm run bench -- --only recording --seconds 20 --warmup-seconds 10 --cameras 4,8 --capacity-cameras 0`;

/** The run's settings, from flags first, then the environment, then the defaults. */
export interface BenchOptions {
  only: BenchmarkName[];
  seconds: number;
  cameraCounts: number[];
  /** Capacity camera counts; empty = none. */
  capacityCameras: number[];
  capacitySeconds: number;
  warmupSeconds: number;
  requests: number;
  warmupRequests: number;
  retentionSegments: number;
  retentionRound: number;
  soakMinutes: number;
  soakCameras: number;
  /** Counted window of the cost run, s. */
  costSeconds: number;
  /** The cost run also counts an EVR pass. */
  costEvr: boolean;
  /** Clip of the motion CPU benchmark; undefined = the benchmark's default. */
  motionClip?: string;
  workDir: string;
}

/**
 * Parses argv and `KEEPWATCH_BENCH_*`.
 * @throws Error naming the option and the bad value
 */
export function parseBenchOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions | 'help' {
  const { values } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string', multiple: true },
      seconds: { type: 'string' },
      cameras: { type: 'string' },
      'capacity-cameras': { type: 'string' },
      'capacity-seconds': { type: 'string' },
      'warmup-seconds': { type: 'string' },
      requests: { type: 'string' },
      'warmup-requests': { type: 'string' },
      'retention-segments': { type: 'string' },
      'retention-round': { type: 'string' },
      'soak-minutes': { type: 'string' },
      'soak-cameras': { type: 'string' },
      'cost-seconds': { type: 'string' },
      'cost-evr': { type: 'boolean' },
      'work-dir': { type: 'string' },
      'motion-clip': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) return 'help';
  const pick = (flag: string, envName: string): string | undefined => (values as Record<string, unknown>)[flag] as string | undefined ?? (env[envName] || undefined);
  const int = (flag: string, envName: string, fallback: number, min: number): number => {
    const text = pick(flag, envName);
    if (text === undefined) return fallback;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${flag} (${envName}) ${JSON.stringify(text)}: expected a whole number ≥ ${min}`);
    return n;
  };
  const onlyText = values.only?.join(',') ?? env.KEEPWATCH_BENCH_ONLY;
  const only = onlyText ? onlyText.split(',').map((s) => s.trim()).filter(Boolean) : [...DEFAULT_BENCHMARKS];
  for (const name of only) {
    if (!(BENCHMARKS as readonly string[]).includes(name)) throw new Error(`--only (KEEPWATCH_BENCH_ONLY) ${JSON.stringify(name)}: expected one of ${BENCHMARKS.join(', ')}`);
  }
  const camerasText = pick('cameras', 'KEEPWATCH_BENCH_CAMERAS');
  const cameraCounts = camerasText === undefined ? [...RECORDING_DEFAULTS.cameraCounts] : camerasText.split(',').map((s) => Number(s.trim()));
  if (cameraCounts.length === 0 || cameraCounts.some((n) => !Number.isInteger(n) || n < 1 || n > 256)) {
    throw new Error(`--cameras (KEEPWATCH_BENCH_CAMERAS) ${JSON.stringify(camerasText)}: expected comma-separated counts from 1 to 256`);
  }
  const capacityText = pick('capacity-cameras', 'KEEPWATCH_BENCH_CAPACITY_CAMERAS');
  const capacityCameras = capacityText === undefined ? [...RECORDING_DEFAULTS.capacityCameras] : capacityText.trim() === '0' ? [] : capacityText.split(',').map((s) => Number(s.trim()));
  if (capacityCameras.some((n) => !Number.isInteger(n) || n < 1 || n > 256)) {
    throw new Error(`--capacity-cameras (KEEPWATCH_BENCH_CAPACITY_CAMERAS) ${JSON.stringify(capacityText)}: expected 0 or comma-separated counts from 1 to 256`);
  }
  const seconds = int('seconds', 'KEEPWATCH_BENCH_SECONDS', RECORDING_DEFAULTS.seconds, 5);
  return {
    only: only as BenchmarkName[],
    seconds,
    cameraCounts,
    capacityCameras,
    capacitySeconds: int('capacity-seconds', 'KEEPWATCH_BENCH_CAPACITY_SECONDS', Math.min(RECORDING_DEFAULTS.capacitySeconds, seconds), 5),
    warmupSeconds: int('warmup-seconds', 'KEEPWATCH_BENCH_WARMUP_SECONDS', RECORDING_DEFAULTS.warmupSeconds, 0),
    requests: int('requests', 'KEEPWATCH_BENCH_REQUESTS', PLAYLIST_DEFAULTS.requests, 1),
    warmupRequests: int('warmup-requests', 'KEEPWATCH_BENCH_WARMUP_REQUESTS', PLAYLIST_DEFAULTS.warmupRequests, 0),
    retentionSegments: int('retention-segments', 'KEEPWATCH_BENCH_RETENTION_SEGMENTS', RETENTION_DEFAULTS.segments, 1),
    retentionRound: int('retention-round', 'KEEPWATCH_BENCH_RETENTION_ROUND', RETENTION_DEFAULTS.round, 1),
    soakMinutes: int('soak-minutes', 'KEEPWATCH_BENCH_SOAK_MINUTES', SOAK_DEFAULTS.minutes, 1),
    soakCameras: int('soak-cameras', 'KEEPWATCH_BENCH_SOAK_CAMERAS', SOAK_DEFAULTS.cameras, 1),
    costSeconds: int('cost-seconds', 'KEEPWATCH_BENCH_COST_SECONDS', COST_BENCH_DEFAULTS.seconds, 10),
    costEvr: values['cost-evr'] === true || env.KEEPWATCH_BENCH_COST_EVR === '1',
    motionClip: ((c) => (c === undefined ? undefined : path.resolve(c)))(pick('motion-clip', 'KEEPWATCH_BENCH_MOTION_CLIP')),
    workDir: path.resolve(pick('work-dir', 'KEEPWATCH_BENCH_DIR') ?? 'bench-output'),
  };
}
