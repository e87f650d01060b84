import { execFileSync, spawn } from 'node:child_process';
import { chownSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startLocalStack, type LocalStack } from '../../local/stack';
import { freePort } from '../../testbed/ports';
import { descendants, stillRunning } from '../helpers/process-tree';
import { mediaPath, startRtspServer, type RtspServer } from '../../testbed/rtsp-server';
import { waitFor } from '../helpers/wait';

/**
 * The agent's container image records a camera into Keepwatch: run by scripts/container-check.sh after it built the
 * image (deploy/edge/Containerfile), not part of `npm test` (the build takes minutes).
 *
 * 1. The local stack (Azurite, functions host, MQTT broker) provisions the device `local-device` owning camera
 *    `container-cam`; the stack's own agent is stopped before it records anything (its camera URL refuses).
 * 2. The image runs with `buildah run --isolation chroot --network host` (`podman run` cannot set rlimits in this
 *    sandbox), its own entrypoint and command, the config folder mounted at /etc/keepwatch (read-only) and a cache
 *    folder owned by uid 10001 at /var/lib/keepwatch, the device secret in the environment: as docs/edge.md
 *    "Container" runs it. It records GStreamer's RTSP test camera (testbed/rtsp-server.ts).
 * 3. Passes when the image's dependencies are the versions of package-lock.json, `GET /api/cameras/container-cam/playback` answers 200 with a range (a segment the containerised agent
 *    uploaded was indexed), the image's HEALTHCHECK command exits 0 against the running agent, the cache files belong
 *    to uid 10001 (the image's user), and the agent stops on SIGTERM.
 *
 * Usage: node dist/test/container/agent-image-check.js --image localhost/keepwatch-agent:dev
 * Exit 0 when every check passed, 1 otherwise (the failed check and the agent's last log lines on stderr).
 */

const CAMERA = 'container-cam';
/** The image's user (deploy/edge/Containerfile). */
const IMAGE_UID = 10001;
const INDEXED_TIMEOUT_MS = 120_000;

/** The parts of `buildah inspect --type image` this check reads. */
interface ImageConfig {
  Entrypoint?: string[];
  Cmd?: string[];
  User?: string;
  Volumes?: Record<string, unknown>;
  Healthcheck?: { Test?: string[] };
}

function imageConfig(image: string): ImageConfig {
  const doc = JSON.parse(execFileSync('buildah', ['inspect', '--type', 'image', image], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 })) as { Docker?: { config?: ImageConfig } };
  const config = doc.Docker?.config;
  if (!config) throw new Error(`${image}: no Docker config (build it with --format docker, or HEALTHCHECK is dropped)`);
  return config;
}

/**
 * `buildah run` of `argv` in a fresh working container of `image`; returns the container name (for `buildah rm`) and
 * the process. The image's VOLUMEs are dropped from the working container first: `buildah run` mounts an anonymous
 * volume for each, over the `--volume` binds given for the same paths in an order that varies from run to run
 * (seen with buildah 1.28); `podman run` and `docker run` let the bind win.
 */
function buildahRun(image: string, volumes: string[], runArgs: string[], argv: string[]) {
  const ctr = execFileSync('buildah', ['from', '--pull-never', image], { encoding: 'utf8' }).trim();
  if (volumes.length) execFileSync('buildah', ['config', ...volumes.flatMap((v) => ['--volume', `${v}-`]), ctr]);
  const child = spawn('buildah', ['run', '--isolation', 'chroot', '--network', 'host', ...runArgs, ctr, '--', ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  return { ctr, child };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { image: { type: 'string' } }, strict: true });
  if (!values.image) throw new Error('--image NAME is required');
  const image = values.image;
  const config = imageConfig(image);
  const entry = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const health = config.Healthcheck?.Test ?? [];
  if (entry[0] !== 'keepwatch-agent') throw new Error(`the image's entrypoint is ${JSON.stringify(config.Entrypoint)}, expected ["keepwatch-agent"]`);
  if (health[0] !== 'CMD') throw new Error(`the image has no HEALTHCHECK CMD (${JSON.stringify(health)})`);
  const volumes = Object.keys(config.Volumes ?? {}).sort();
  if (volumes.join(' ') !== '/etc/keepwatch /var/lib/keepwatch') throw new Error(`the image's volumes are ${JSON.stringify(volumes)}, expected /etc/keepwatch and /var/lib/keepwatch`);

  // The image holds the versions the repository's lockfile pins (the package's npm-shrinkwrap.json), not the newest.
  const lock = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', '..', 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> }).packages;
  const modules = '/opt/keepwatch/lib/node_modules/keepwatch-agent/node_modules';
  const pinned = ['@azure/core-auth', '@azure/storage-blob', 'mqtt', 'zod'];
  const versions = buildahRun(image, volumes, [], ['node', '-p', `${JSON.stringify(pinned)}.map((d) => require('${modules}/' + d + '/package.json').version).join(' ')`]);
  let versionsOut = '';
  versions.child.stdout!.on('data', (c: Buffer) => (versionsOut += c.toString()));
  await new Promise((r) => versions.child.once('exit', r));
  execFileSync('buildah', ['rm', versions.ctr], { stdio: 'ignore' });
  const expected = pinned.map((d) => lock[`node_modules/${d}`]!.version).join(' ');
  if (versionsOut.trim() !== expected) throw new Error(`the image's ${pinned.join(', ')} are ${versionsOut.trim() || '(none)'}, the lockfile's ${expected}`);
  process.stdout.write(`ok: the image's dependencies are the lockfile's (${pinned.map((d, i) => `${d} ${expected.split(' ')[i]}`).join(', ')})\n`);

  const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-container-check-'));
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let rtsp: RtspServer | undefined;
  let stack: LocalStack | undefined;
  const containers: string[] = [];
  const agentLog: string[] = [];
  let agent: ReturnType<typeof buildahRun>['child'] | undefined;
  try {
    rtsp = await startRtspServer({ mounts: { '/person': mediaPath('one-by-one-person-detection.mp4') } });
    stack = await startLocalStack({
      dataDir: path.join(dir, 'stack'),
      httpPort: 0,
      inMemoryStorage: true,
      cameras: [{ id: CAMERA, url: 'rtsp://127.0.0.1:1/refused' }],
      segmentLength: 'PT4S',
      print: (l) => print(`[stack] ${l}`),
    });
    const stackAgent = stack.agent;
    await new Promise<void>((r) => {
      stackAgent.once('exit', () => r());
      stackAgent.kill('SIGTERM');
    });
    print(`stack ready at ${stack.apiBase}; its own agent stopped`);

    const configDir = path.join(dir, 'config');
    const cacheDir = path.join(dir, 'cache');
    mkdirSync(configDir);
    mkdirSync(cacheDir);
    chownSync(cacheDir, IMAGE_UID, IMAGE_UID);
    const metricsPort = await freePort();
    writeFileSync(
      path.join(configDir, 'agent.yaml'),
      [
        `deviceId: ${stack.deviceId}`,
        `cameras: [{ id: ${CAMERA}, url: "${rtsp.urls['/person']}" }]`,
        'segmentLength: PT4S',
        'localMediaCachePath: /var/lib/keepwatch/cache',
        `broker: { url: "${stack.mqttUrl}", password: "\${env:KEEPWATCH_DEVICE_SECRET}", protocolVersion: 4 }`,
        `upload: { apiUrl: "${stack.apiBase}", deviceSecret: "\${env:KEEPWATCH_DEVICE_SECRET}" }`,
        `metrics: { port: ${metricsPort}, host: 127.0.0.1 }`,
        '',
      ].join('\n'),
      { mode: 0o644 },
    );
    const startedMs = Date.now();
    const run = buildahRun(image, volumes, ['--volume', `${configDir}:/etc/keepwatch:ro`, '--volume', `${cacheDir}:/var/lib/keepwatch`, '--env', `KEEPWATCH_DEVICE_SECRET=${stack.deviceSecret}`], entry);
    containers.push(run.ctr);
    agent = run.child;
    const exited = new Promise<number | null>((r) => run.child.once('exit', (code) => r(code)));
    for (const stream of [run.child.stdout!, run.child.stderr!]) createInterface({ input: stream }).on('line', (l) => agentLog.push(l));
    print(`container agent started: buildah run … ${entry.join(' ')}`);

    const api = stack.apiBase;
    const key = stack.apiKey;
    const playback = await waitFor(`a segment of ${CAMERA} indexed (GET /api/cameras/${CAMERA}/playback → 200)`, INDEXED_TIMEOUT_MS, async () => {
      if (run.child.exitCode !== null) throw new Error(`the containerised agent exited with ${run.child.exitCode}`);
      const res = await fetch(`${api}/cameras/${CAMERA}/playback`, { headers: { 'x-functions-key': key } });
      return res.status === 200 ? ((await res.json()) as { ranges: Array<{ start: string; end: string }> }) : undefined;
    });
    const first = playback.ranges[0];
    if (!first || Date.parse(first.start) < startedMs - 5_000) throw new Error(`indexed ranges ${JSON.stringify(playback.ranges)} do not start after the container started (${new Date(startedMs).toISOString()})`);
    print(`ok: segment indexed ${((Date.now() - startedMs) / 1000).toFixed(1)} s after start: ranges ${JSON.stringify(playback.ranges)}`);

    const probe = buildahRun(image, volumes, ['--env', `KEEPWATCH_HEALTH_URL=http://127.0.0.1:${metricsPort}/health`], health.slice(1));
    containers.push(probe.ctr);
    const probeCode = await new Promise<number | null>((r) => probe.child.once('exit', (code) => r(code)));
    const doc = (await (await fetch(`http://127.0.0.1:${metricsPort}/health`)).json()) as { status: string };
    if (probeCode !== 0) throw new Error(`the image's HEALTHCHECK command exited ${probeCode}`);
    print(`ok: HEALTHCHECK exits 0 (GET /health: ${JSON.stringify(doc)})`);

    const cameraDir = path.join(cacheDir, 'cache', CAMERA);
    const owners = new Set([cacheDir, path.join(cacheDir, 'cache'), ...readdirSync(cameraDir).map((f) => path.join(cameraDir, f))].map((f) => statSync(f).uid));
    if (owners.size !== 1 || !owners.has(IMAGE_UID)) throw new Error(`cache files are owned by uid ${[...owners].join(', ')}, expected ${IMAGE_UID} only`);
    print(`ok: the agent ran as uid ${IMAGE_UID} (owner of every cache file)`);

    // What a container runtime's stop does: SIGTERM to the entrypoint process. `buildah run` does not forward signals
    // (it kills its child), so the agent, a descendant in the host's PID namespace under chroot isolation, gets it.
    const tree = descendants(run.child.pid!);
    // `node /opt/keepwatch/bin/keepwatch-agent …`, not its parent `buildah-chroot-exec /opt/keepwatch/bin/keepwatch-agent …`.
    const agentPid = tree.find((p) => {
      const argv = readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0');
      return path.basename(argv[0] ?? '') === 'node' && (argv[1] ?? '').endsWith('/keepwatch-agent');
    })?.pid;
    if (agentPid === undefined) throw new Error('the agent process was not found under buildah run');
    process.kill(agentPid, 'SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 45_000))]);
    if (code === 'timeout') throw new Error('the agent did not stop within 45 s of SIGTERM');
    if (code !== 0 || !agentLog.some((l) => l.includes('"msg":"stopping"'))) throw new Error(`the agent did not stop cleanly on SIGTERM (exit ${code})`);
    const left = stillRunning(tree);
    if (left.length) throw new Error(`processes left running after the agent stopped: ${left.map((p) => p.pid).join(', ')}`);
    print(`ok: SIGTERM stops the agent and its ffmpeg (exit ${code})`);
    return 0;
  } catch (err) {
    process.stderr.write(`container check FAILED: ${(err as Error).message}\n--- the containerised agent's last log lines:\n${agentLog.slice(-30).join('\n')}\n`);
    return 1;
  } finally {
    // A killed `buildah run` leaves its container's processes running (re-parented to PID 1): kill them first.
    if (agent?.pid !== undefined && agent.exitCode === null) {
      for (const p of stillRunning(descendants(agent.pid)).reverse()) process.kill(p.pid, 'SIGKILL');
      agent.kill('SIGKILL');
    }
    for (const ctr of containers) {
      try {
        execFileSync('buildah', ['rm', ctr], { stdio: 'ignore' });
      } catch {
        // already gone
      }
    }
    await stack?.stop();
    await rtsp?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`container check: ${(err as Error).message}\n`);
    process.exit(1);
  },
);
