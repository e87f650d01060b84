import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, describe, it } from 'node:test';
import { chromium } from 'playwright-core';
import { descendants, stillRunning, type ProcessInfo } from '../../helpers/process-tree';
import { until, waitFor } from '../../helpers/wait';

/**
 * `npm start` as a person runs it, as real processes: npm → node (scripts/start.mjs, then dist/local/start.js) →
 * Azurite, the agent and its ffmpeg recording the simulated camera. What it prints, what it leaves behind when stopped
 * however it is stopped, and what a restart on the same data folder says.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const START = path.join(ROOT, 'dist', 'local', 'start.js');
/** Starting takes a few seconds; on a loaded 2-core machine, with a first compile by `npm start`, much longer. */
const START_TIMEOUT_MS = 180_000;

/** One `npm start` (or `node dist/local/start.js`) process, its console, and every process it ever had below it. */
class StartRun {
  readonly child: ChildProcess;
  readonly lines: Array<{ text: string; atMs: number }> = [];
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every descendant seen while it ran, sampled every 200 ms (an ffmpeg restarted in between is seen too). */
  readonly seen = new Map<string, ProcessInfo>();
  private readonly sampler: NodeJS.Timeout;

  constructor(command: string, args: string[], env: NodeJS.ProcessEnv) {
    this.child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    createInterface({ input: this.child.stdout! }).on('line', (text) => this.lines.push({ text, atMs: Date.now() }));
    this.child.stderr!.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((r) => this.child.once('exit', (code, signal) => r({ code, signal })));
    const sample = () => {
      for (const p of descendants(this.child.pid!)) this.seen.set(`${p.pid}/${p.startTicks}`, p);
    };
    this.sampler = setInterval(sample, 200);
    void this.exited.then(() => clearInterval(this.sampler));
  }

  line(re: RegExp): string | undefined {
    return this.lines.find((l) => re.test(l.text))?.text;
  }

  /** Waits for a console line, failing early (with the console) if the process ends first. */
  async waitForLine(re: RegExp, timeoutMs = START_TIMEOUT_MS): Promise<string> {
    await until(`a line matching ${re}`, timeoutMs, () => this.line(re) !== undefined || this.child.exitCode !== null || this.child.signalCode !== null);
    const text = this.line(re);
    assert.ok(text, `no line matching ${re}; exit ${this.child.exitCode}\n--- stdout\n${this.console()}\n--- stderr\n${this.stderr}`);
    return text;
  }

  console(): string {
    return this.lines.map((l) => l.text).join('\n');
  }

  /** The stack's children as seen: Azurite, the agent, its ffmpeg (each must have been running). */
  stackProcesses(): { azurite: ProcessInfo[]; agent: ProcessInfo[]; ffmpeg: ProcessInfo[] } {
    const all = [...this.seen.values()];
    return {
      azurite: all.filter((p) => p.command.includes('azurite.js')),
      agent: all.filter((p) => p.command.includes(path.join('edge-agent', 'cli.js'))),
      ffmpeg: all.filter((p) => /ffmpeg/.test(p.command.split(' ')[0])),
    };
  }

  /** Asserts that nothing it ever had below it still runs (`grace` ms to let them go). */
  async assertNothingLeft(graceMs: number): Promise<void> {
    const seen = [...this.seen.values()];
    await until('every process below npm start to end', graceMs, () => stillRunning(seen).length === 0).catch(() => {});
    const left = stillRunning(seen);
    assert.deepEqual(left.map((p) => `${p.pid} (parent ${p.ppid}) ${p.command.slice(0, 160)}`), [], 'processes left behind');
  }

  kill(): void {
    for (const p of stillRunning([...this.seen.values()])) {
      try {
        process.kill(p.pid, 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
    this.child.kill('SIGKILL');
  }
}

/** Temporary folders of this file's runs, removed at the end. */
const tempDirs: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** The environment of a run: its own data folder, free ports, 2 s segments (the first is indexed sooner). */
function startEnv(dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, KEEPWATCH_DATA_DIR: dataDir, KEEPWATCH_HTTP_PORT: '0', KEEPWATCH_SEGMENT_LENGTH: 'PT2S' };
  delete env.KEEPWATCH_API_KEY;
  return { ...env, ...extra };
}

/** Chromium flags for a machine without network (as test/e2e/viewer-browser.test.ts). */
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/**
 * Opens the printed viewer URL in Debian's Chromium: the page takes the key from the fragment (no key form), lists the
 * camera, drops the fragment from the address, and no request carries the key in its URL.
 */
async function assertViewerTakesKey(viewerUrl: string, key: string): Promise<void> {
  const context = await chromium.launchPersistentContext(tempDir('kw-chromium-'), { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    await page.goto(viewerUrl);
    await page.locator('#cameras button[data-camera="sim-1"]').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#key-form').isVisible(), false, 'no key form: the key came with the URL');
    assert.equal(page.url(), viewerUrl.split('#')[0], 'the key left the address bar');
    assert.deepEqual(requested.filter((u) => u.includes(key) || u.includes(encodeURIComponent(key))), [], 'the key is in no requested URL');
  } finally {
    await context.close();
  }
}

const PLAYABLE = /^This run's recording of 'sim-1' is playable/;

/** The playback URL printed after the "playable" line. */
function printedPlaylistUrl(run: StartRun): string {
  const i = run.lines.findIndex((l) => PLAYABLE.test(l.text));
  return run.lines[i + 1].text.trim();
}

describe('npm start tells the truth (local/start.ts, scripts/start.mjs)', () => {
  after(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('a bad KEEPWATCH_SEGMENT_LENGTH (and every other bad setting) stops npm start before anything starts: exit code ≠ 0, one line each, never "Keepwatch is running"', async () => {
    const dataDir = path.join(tempDir('kw-start-bad-'), 'data');
    const run = new StartRun('npm', ['start'], startEnv(dataDir, { KEEPWATCH_SEGMENT_LENGTH: '10s' }));
    const { code } = await run.exited;
    assert.notEqual(code, 0, run.console());
    assert.match(run.stderr, /^ {2}KEEPWATCH_SEGMENT_LENGTH="10s" is not an ISO 8601 duration such as PT10S, PT5M or P7D; allowed PT2S\.\.PT5M$/m);
    assert.doesNotMatch(run.console(), /Keepwatch is running/);
    assert.equal(existsSync(dataDir), false, 'nothing was created');
    assert.deepEqual(run.stackProcesses().azurite, [], 'Azurite never started');

    const many = spawnSync(process.execPath, [START, '--cameras', 'door=rtsp://10.0.0.5/stream', '--camera', 'Door=rtsp://10.0.0.5/stream'], {
      env: startEnv(dataDir, { KEEPWATCH_SEGMENT_LENGTH: 'PT1S', KEEPWATCH_MQTT_PORT: 'mqtt', KEEPWATCH_API_KEY: 'short' }),
      encoding: 'utf8',
    });
    assert.equal(many.status, 1);
    const problems = many.stderr.split('\n').filter((l) => l.startsWith('  '));
    assert.match(many.stderr, /^keepwatch: 4 settings are wrong; nothing was started:$/m);
    assert.deepEqual(problems, [
      "  Unknown option '--cameras' (did you mean --camera?) (see --help)",
      '  KEEPWATCH_MQTT_PORT="mqtt" is not a port number (0-65535)',
      '  KEEPWATCH_API_KEY: has 5 characters; expected 8 to 256 visible ASCII characters',
      '  KEEPWATCH_SEGMENT_LENGTH=PT1S is outside PT2S..PT5M',
    ]);
    assert.ok(!many.stderr.includes('short'), 'the API key is not echoed');
  });

  it('--help is answered without compiling; npm start compiles only what changed (tsc incremental, dist/.tsbuildinfo)', () => {
    // A project of one source file with the repository's compiler options and scripts/start.mjs as `npm start`.
    const dir = tempDir('kw-start-build-');
    mkdirSync(path.join(dir, 'local'));
    cpSync(path.join(ROOT, 'scripts', 'start.mjs'), path.join(dir, 'scripts', 'start.mjs'));
    cpSync(path.join(ROOT, 'local', 'start-help.txt'), path.join(dir, 'local', 'start-help.txt'));
    const help = readFileSync(path.join(dir, 'local', 'start-help.txt'), 'utf8');
    const start = (...args: string[]) => spawnSync(process.execPath, [path.join(dir, 'scripts', 'start.mjs'), ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000 });

    // No TypeScript installed and nothing compiled: --help still answers.
    for (const flag of ['--help', '-h']) {
      const r = start(flag);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout, help);
      assert.equal(existsSync(path.join(dir, 'dist')), false, 'nothing was compiled');
    }
    assert.match(help, /--camera ID=URL/);

    const tsconfig = JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')) as { compilerOptions: object };
    writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: tsconfig.compilerOptions, include: ['local'] }));
    symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
    const source = path.join(dir, 'local', 'start.ts');
    const output = path.join(dir, 'dist', 'local', 'start.js');
    writeFileSync(source, "process.stdout.write(`stack v1 ${process.argv.slice(2).join(' ')}\\n`);\n");

    const first = start('--camera', 'x=y');
    assert.equal(first.status, 0, first.stderr);
    assert.match(first.stdout, /^stack v1 --camera x=y$/m, 'runs the compiled entry with the arguments');
    assert.ok(existsSync(path.join(dir, 'dist', '.tsbuildinfo')), 'incremental build info kept in dist/');
    const compiledAt = statSync(output).mtimeMs;

    const again = start();
    assert.match(again.stdout, /^stack v1 $/m);
    assert.equal(statSync(output).mtimeMs, compiledAt, 'nothing changed: nothing compiled');
    assert.doesNotMatch(again.stdout, /Compiling TypeScript/);

    // Saved while another build ran: older than that build's info. Compiled all the same (contents are compared).
    writeFileSync(source, "process.stdout.write('stack v2\\n');\n");
    utimesSync(source, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    assert.match(start().stdout, /^stack v2$/m, 'a changed source is compiled, whatever its timestamp');
    rmSync(output);
    assert.match(start().stdout, /^stack v2$/m, 'a deleted output is compiled again (tsc alone would trust its build info)');

    writeFileSync(source, "const n: number = 'x';\nprocess.stdout.write(`stack v3 ${n}\\n`);\n");
    const broken = start();
    assert.equal(broken.status, 1);
    assert.match(broken.stdout + broken.stderr, /TS2322/);
    assert.match(broken.stderr, /the TypeScript build failed \(tsc exited \d+\); nothing was started/);
    assert.doesNotMatch(broken.stdout, /stack v3/);
  });

  it('SIGTERM to npm (what supervisors and IDE stop buttons send) stops Azurite, the agent and its ffmpeg: nothing is left behind', async () => {
    const run = new StartRun('npm', ['start'], startEnv(path.join(tempDir('kw-start-npm-'), 'data')));
    try {
      await run.waitForLine(PLAYABLE);
      const { azurite, agent, ffmpeg } = run.stackProcesses();
      assert.ok(azurite.length && agent.length && ffmpeg.length, `Azurite, the agent and ffmpeg were running: ${[...run.seen.values()].map((p) => p.command).join('\n')}`);
      run.child.kill('SIGTERM');
      const { code } = await run.exited;
      assert.equal(code, 0, run.stderr);
      await run.assertNothingLeft(5000);
      assert.match(run.console(), /Stopping \(the agent uploads its last segments first\)/);
    } finally {
      run.kill();
    }
  });

  it('a restart on the same data folder keeps the API key (0600, printed with the viewer URL) and offers only media of the new run; SIGTERM to node leaves nothing behind', async () => {
    const dataDir = path.join(tempDir('kw-start-restart-'), 'data');
    const first = new StartRun(process.execPath, [START], startEnv(dataDir));
    let key = '';
    try {
      await first.waitForLine(PLAYABLE);
      key = /^ {2}API key: (\S+) {3}\(kept in (.+); set KEEPWATCH_API_KEY to choose one\)$/.exec(first.line(/^ {2}API key: /) ?? '')?.[1] ?? '';
      assert.ok(key, first.console());
      const keyFile = path.join(dataDir, 'api-key');
      assert.equal(readFileSync(keyFile, 'utf8').trim(), key);
      assert.equal(statSync(keyFile).mode & 0o777, 0o600);
      const viewerUrl = /^ {2}Viewer: {2}(\S+)$/.exec(first.line(/^ {2}Viewer: /) ?? '')?.[1] ?? '';
      assert.match(viewerUrl, /^http:\/\/127\.0\.0\.1:\d+\/api\/viewer#key=/);
      assert.equal(decodeURIComponent(viewerUrl.split('#key=')[1]), key);
      await assertViewerTakesKey(viewerUrl, key);
      first.child.kill('SIGTERM');
      assert.equal((await first.exited).code, 0, first.stderr);
      await first.assertNothingLeft(5000);
    } finally {
      first.kill();
    }

    const secondStartMs = Date.now();
    const second = new StartRun(process.execPath, [START], startEnv(dataDir));
    try {
      await second.waitForLine(/^Keepwatch is running/);
      assert.ok(second.line(/^ {2}API key: /)?.includes(key), 'the same key');
      const apiBase = /^ {2}API: {5}(\S+)/.exec(second.line(/^ {2}API: /) ?? '')?.[1];
      assert.ok(apiBase);
      // The first run's media is in the index: an answer about "the latest recording" could offer it.
      const camera = await waitFor('the camera list', 30_000, async () => {
        const res = await fetch(`${apiBase}/cameras`, { headers: { 'x-functions-key': key } }).catch(() => undefined);
        return res?.ok ? ((await res.json()) as { cameras: Array<{ id: string; firstRecorded: string }> }).cameras.find((c) => c.id === 'sim-1') : undefined;
      });
      assert.ok(Date.parse(camera.firstRecorded) < secondStartMs, 'media of the first run is stored');

      await second.waitForLine(PLAYABLE);
      const url = printedPlaylistUrl(second);
      const playlist = await (await fetch(url)).text();
      const times = [...playlist.matchAll(/^#EXT-X-PROGRAM-DATE-TIME:(.+)$/gm)].map((m) => Date.parse(m[1]));
      assert.ok(times.length > 0, playlist);
      for (const t of times) assert.ok(t >= secondStartMs, `segment at ${new Date(t).toISOString()} is older than the second run (${new Date(secondStartMs).toISOString()})`);
      assert.ok(new URL(url).searchParams.get('start')! >= new Date(secondStartMs).toISOString());
      second.child.kill('SIGTERM');
      assert.equal((await second.exited).code, 0, second.stderr);
      await second.assertNothingLeft(5000);
    } finally {
      second.kill();
    }
  });

  it('a child that dies (the agent, killed) ends npm start with exit code 1 and stops the rest, its ffmpeg too', async () => {
    const run = new StartRun(process.execPath, [START], startEnv(path.join(tempDir('kw-start-child-'), 'data')));
    try {
      await run.waitForLine(PLAYABLE);
      const agent = run.stackProcesses().agent.find((p) => p.ppid === run.child.pid);
      assert.ok(agent, run.console());
      process.kill(agent.pid, 'SIGKILL');
      const { code } = await run.exited;
      assert.equal(code, 1);
      assert.match(run.stderr, /keepwatch: the agent exited \(signal SIGKILL\); stopping everything/);
      await run.assertNothingLeft(5000);
    } finally {
      run.kill();
    }
  });

  it('killed with SIGKILL, npm start cannot stop anything: Azurite and the agent (with its ffmpeg) notice and stop on their own', async () => {
    const run = new StartRun(process.execPath, [START], startEnv(path.join(tempDir('kw-start-kill-'), 'data')));
    try {
      await run.waitForLine(PLAYABLE);
      run.child.kill('SIGKILL');
      await run.exited;
      // The agent's own stop: ffmpeg ≤ 10 s, then uploads to a host that is gone ≤ 20 s, broker ≤ 5 s.
      await run.assertNothingLeft(60_000);
    } finally {
      run.kill();
    }
  });
});
