import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { agentStarted } from './agent-started';
import { stackApiKey } from './api-key';
import { watchCameraStates } from './camera-states-console';
import { watchParent } from './parent-watch';
import { waitForRunPlayback } from './run-playback';
import { readStartSettings } from './start-settings';
import type { DevIssuer } from './dev-issuer';
import { startLocalStack } from './stack';

/** `npm start -- --help`: a text file, so that scripts/start.mjs prints it without compiling anything first. */
const HELP_FILE = path.join(__dirname, '..', '..', 'local', 'start-help.txt');
/** What stops the stack: Ctrl-C, a supervisor or IDE stop button (npm passes SIGTERM on), a closed terminal. */
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** How to get a bearer token from the development issuer (docs/security.md "Local development issuer"). */
function devIssuerLines(issuer: DevIssuer, apiBase: string): string {
  return (
    `  Tokens:  development issuer ${issuer.url} (sign-in page: ${issuer.url}/authorize; users ${issuer.users.map((u) => u.id).join(', ')})\n` +
    `           TOKEN=$(curl -s -d grant_type=client_credentials -d client_id=viewer -d client_secret=${issuer.clientSecret} ${issuer.url}/token | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')\n` +
    `           curl -H "Authorization: Bearer $TOKEN" ${apiBase}/cameras\n`
  );
}

async function main(): Promise<void> {
  const sinceMs = Date.now(); // media recorded before this is an earlier run's
  const settings = readStartSettings(process.argv.slice(2), process.env); // every setting, before anything starts
  if (settings.help) {
    process.stdout.write(readFileSync(HELP_FILE, 'utf8'));
    return;
  }
  const cameras = settings.cameras;
  const dataDir = path.resolve(settings.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const apiKey = stackApiKey(dataDir, settings.apiKey);
  // Ctrl-C while starting: stop what already runs (Azurite runs detached and would outlive us); a second one exits.
  const startup = new AbortController();
  let interruptedAtMs = 0;
  const interruptStartup = () => {
    if (startup.signal.aborted) {
      // npm passes a terminal's Ctrl-C on to us, so one press arrives twice: only a later one quits at once.
      if (Date.now() - interruptedAtMs > 1000) process.exit(130);
      return;
    }
    interruptedAtMs = Date.now();
    process.stdout.write('\nInterrupted while starting; stopping what already runs (Ctrl-C again to quit at once)…\n');
    startup.abort(new Error('interrupted while starting'));
  };
  for (const s of STOP_SIGNALS) process.on(s, interruptStartup);
  // npm killed (SIGKILL, or a shell between it and us died): no one would ever stop us otherwise.
  let onParentGone = interruptStartup;
  watchParent(() => onParentGone());
  const stack = await startLocalStack({
    signal: startup.signal,
    dataDir,
    httpPort: settings.httpPort,
    apiKey: apiKey.key,
    mqttPort: settings.mqttPort,
    blobPort: settings.blobPort,
    tablePort: settings.tablePort,
    agentMetricsPort: settings.agentMetricsPort,
    devIssuerPort: settings.devIssuerPort,
    cameras,
    segmentLength: settings.segmentLength,
  });
  let stopping = false;
  const stop = (exitCode: number, why?: string) => {
    if (stopping) return;
    stopping = true;
    if (why) process.stderr.write(`keepwatch: ${why}; stopping everything\n`);
    process.stdout.write('\nStopping (the agent uploads its last segments first)…\n');
    stack.stop().then(() => process.exit(exitCode), () => process.exit(1));
  };
  for (const s of STOP_SIGNALS) {
    process.off(s, interruptStartup);
    process.on(s, () => stop(0));
  }
  onParentGone = () => stop(1, 'the process that started this one is gone');
  if (startup.signal.aborted) return stop(0); // stopped during the last step of starting, which does not look
  // A child that dies on its own ends the stack, with exit code 1: nothing runs half.
  for (const child of stack.children) {
    void child.exited.then(({ code, signal }) => {
      if (!stopping) stop(1, `${child.name} exited (${signal ? `signal ${signal}` : `code ${code}`})`);
    });
  }
  const agentExit = stack.children.find((c) => c.name === 'the agent')!.exited;
  if ((await agentStarted(stack.agentLog, agentExit)) === 'exited') return; // said above, and stopping
  const viewerUrl = `${stack.apiBase}/viewer#key=${encodeURIComponent(stack.apiKey)}`;
  const keyFrom = apiKey.source === 'environment' ? 'from KEEPWATCH_API_KEY' : `kept in ${apiKey.file}; set KEEPWATCH_API_KEY to choose one`;
  process.stdout.write(
    `\nKeepwatch is running.\n  API:     ${stack.apiBase}   (try: curl -H 'x-functions-key: ${stack.apiKey}' ${stack.apiBase}/cameras)\n` +
      `  Viewer:  ${viewerUrl}\n` +
      (stack.devIssuer ? `           or ${stack.apiBase}/viewer to sign in as a test user of the development issuer\n` : '') +
      `  API key: ${stack.apiKey}   (${keyFrom})\n` +
      `  Cameras: ${stack.cameraIds.join(', ')}${cameras.length ? '' : ' (simulated)'}\n` +
      (stack.devIssuer ? devIssuerLines(stack.devIssuer, stack.apiBase) : '') +
      `Waiting for the first segment to be uploaded and indexed (a camera that does not record says why)… Ctrl-C stops everything.\n\n`,
  );
  // Which cameras record, and why the others do not, for as long as the stack runs.
  void watchCameraStates({ agentLog: stack.agentLog, print: (line) => process.stdout.write(`${line}\n`), stopped: () => stopping });
  const cameraId = stack.cameraIds[0];
  const playback = await waitForRunPlayback({ apiBase: stack.apiBase, apiKey: stack.apiKey, cameraId, sinceMs, stopped: () => stopping }).catch((err: unknown) => {
    process.stderr.write(`keepwatch: ${(err as Error).message}\n`);
    return undefined;
  });
  if (!playback) return;
  process.stdout.write(
    `\nThis run's recording of '${cameraId}' is playable (HLS, expires ${playback.expiresAt}):\n  ${playback.hlsUrl}\n` +
      `Open it in VLC or: ffplay '${playback.hlsUrl}'\n` +
      `Another range (at most 24 h): curl -H 'x-functions-key: ${stack.apiKey}' '${stack.apiBase}/cameras/${cameraId}/playback?start=<ISO time>&end=<ISO time>'\n\n`,
  );
}

main().catch((err: unknown) => {
  process.stderr.write(`keepwatch: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
