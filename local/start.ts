import { parseArgs } from 'node:util';
import { parseCameraFlags } from '../edge-agent/config/camera-flags';
import { watchCameraStates } from './camera-states-console';
import { startLocalStack, type LocalStack } from './stack';

const HELP = `npm start [-- options] — runs Keepwatch locally: Azurite, the functions host, an embedded MQTT
broker and the edge agent, recording a simulated camera or the cameras you name.

Options:
  --camera ID=URL   record this camera (repeatable), e.g. --camera cam1=rtsp://192.168.1.20:554/stream1
                    ID: 1-32 of a-z 0-9 -; URL: rtsp:// (TCP) or any ffmpeg input
  --rtsp-transport ID=tcp|udp|http
                    read that camera over this RTSP transport (default tcp), e.g. --rtsp-transport cam1=udp
  -h, --help        this help

Environment (all optional):
  KEEPWATCH_API_KEY             API key for /api (generated and printed when unset)
  KEEPWATCH_HTTP_PORT           HTTP port of the API on 127.0.0.1 (default 7071)
  KEEPWATCH_DATA_DIR            data folder: Azurite data, agent cache and config (default .keepwatch)
  KEEPWATCH_MQTT_PORT           embedded MQTT broker port (default: a free port)
  KEEPWATCH_AZURITE_BLOB_PORT   Azurite blob port (default: a free port)
  KEEPWATCH_AZURITE_TABLE_PORT  Azurite table port (default: a free port)
  KEEPWATCH_AGENT_METRICS_PORT  the agent's /metrics and /health port (default: a free port, printed)
  KEEPWATCH_SEGMENT_LENGTH      segment length, ISO 8601 PT2S..PT5M (default PT10S)
  FFMPEG_PATH                   ffmpeg binary (default: ffmpeg-static, the system ffmpeg ≥ 5, then the 2018 npm build; printed at start)
Two stacks run side by side with different KEEPWATCH_HTTP_PORT and KEEPWATCH_DATA_DIR.`;

/** Reads a port variable. @throws Error naming the variable */
function portFromEnv(name: string, fallback: number): number {
  const v = process.env[name];
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${name}=${JSON.stringify(v)} is not a port number (0-65535)`);
  return n;
}

/** Polls the API until the first camera has recorded media, then prints a playback URL for it. */
async function announceFirstPlayback(stack: LocalStack, stopped: () => boolean): Promise<void> {
  const headers = { 'x-functions-key': stack.apiKey };
  const cameraId = stack.cameraIds[0];
  while (!stopped()) {
    await new Promise((r) => setTimeout(r, 2000));
    try {
      const list = (await (await fetch(`${stack.apiBase}/cameras`, { headers })).json()) as { cameras?: Array<{ id: string; firstRecorded?: string; lastRecorded?: string }> };
      const cam = list.cameras?.find((c) => c.id === cameraId);
      if (!cam?.firstRecorded || !cam.lastRecorded) continue;
      // The newest few minutes: the data folder may hold days of earlier runs (a range is at most 24 h).
      const start = new Date(Math.max(Date.parse(cam.firstRecorded), Date.parse(cam.lastRecorded) - 5 * 60_000)).toISOString();
      const q = new URLSearchParams({ start, end: cam.lastRecorded });
      const res = await fetch(`${stack.apiBase}/cameras/${cameraId}/playback?${q}`, { headers });
      if (!res.ok) {
        process.stderr.write(`playback request failed (${res.status}): ${await res.text()}\n`);
        return;
      }
      const body = (await res.json()) as { hlsUrl: string; expiresAt: string };
      process.stdout.write(
        `\nThe latest recording of '${cameraId}' is playable (HLS, expires ${body.expiresAt}):\n  ${body.hlsUrl}\n` +
          `Open it in VLC or: ffplay '${body.hlsUrl}'\n` +
          `Another range (at most 24 h): curl -H 'x-functions-key: ${stack.apiKey}' '${stack.apiBase}/cameras/${cameraId}/playback?start=<ISO time>&end=<ISO time>'\n\n`,
      );
      return;
    } catch {
      // The host is still starting; try again.
    }
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { camera: { type: 'string', multiple: true }, 'rtsp-transport': { type: 'string', multiple: true }, help: { type: 'boolean', short: 'h' } }, strict: true });
  if (values.help) {
    process.stdout.write(`${HELP}\n`);
    return;
  }
  const cameras = parseCameraFlags(values.camera ?? [], values['rtsp-transport']);
  const generatedKey = !process.env.KEEPWATCH_API_KEY;
  // Ctrl-C while starting: stop what already runs (Azurite runs detached and would outlive us); a second one exits.
  const startup = new AbortController();
  const interruptStartup = () => {
    if (startup.signal.aborted) process.exit(130);
    process.stdout.write('\nInterrupted while starting; stopping what already runs (Ctrl-C again to quit at once)…\n');
    startup.abort(new Error('interrupted while starting'));
  };
  process.on('SIGINT', interruptStartup);
  process.on('SIGTERM', interruptStartup);
  const stack = await startLocalStack({
    signal: startup.signal,
    dataDir: process.env.KEEPWATCH_DATA_DIR || '.keepwatch',
    httpPort: portFromEnv('KEEPWATCH_HTTP_PORT', 7071),
    apiKey: process.env.KEEPWATCH_API_KEY || undefined,
    mqttPort: portFromEnv('KEEPWATCH_MQTT_PORT', 0),
    blobPort: portFromEnv('KEEPWATCH_AZURITE_BLOB_PORT', 0),
    tablePort: portFromEnv('KEEPWATCH_AZURITE_TABLE_PORT', 0),
    agentMetricsPort: portFromEnv('KEEPWATCH_AGENT_METRICS_PORT', 0),
    cameras,
    segmentLength: process.env.KEEPWATCH_SEGMENT_LENGTH || undefined,
  });
  let stopping = false;
  process.stdout.write(
    `\nKeepwatch is running.\n  API:     ${stack.apiBase}   (try: curl -H 'x-functions-key: ${stack.apiKey}' ${stack.apiBase}/cameras)\n` +
      `  API key: ${stack.apiKey}${generatedKey ? '   (generated; set KEEPWATCH_API_KEY to choose one)' : ''}\n` +
      `  Cameras: ${stack.cameraIds.join(', ')}${cameras.length ? '' : ' (simulated)'}\n` +
      `Waiting for the first segment to be uploaded and indexed (a camera that does not record says why)… Ctrl-C stops everything.\n\n`,
  );
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping (the agent uploads its last segments first)…\n');
    stack.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.off('SIGINT', interruptStartup);
  process.off('SIGTERM', interruptStartup);
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  stack.agent.once('exit', (code) => {
    if (!stopping) {
      process.stderr.write(`the agent exited (code ${code}); stopping\n`);
      stop();
    }
  });
  // Which cameras record, and why the others do not, for as long as the stack runs.
  void watchCameraStates({ agentLog: stack.agentLog, print: (line) => process.stdout.write(`${line}\n`), stopped: () => stopping });
  await announceFirstPlayback(stack, () => stopping);
}

main().catch((err: unknown) => {
  process.stderr.write(`keepwatch: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
