import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { startLocalBroker, type LocalBroker } from '../../../local/broker';
import { AGENT_CLI } from '../../helpers/agent-process';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { freePort } from '../../../testbed/ports';
import { mediaPath } from '../../../testbed/rtsp-server';

const CAMERA = 'cam-s';

/** One traced system call: its name, the paths it names (fd paths from `-y`, quoted arguments), its text. */
interface Call {
  name: string;
  paths: string[];
  text: string;
}

/**
 * Parses `strace -f -y -o` output: one call per line (`pid name(args) = ret`, or its `<unfinished ...>` start; the
 * `<... resumed>` halves are skipped, the order being that of the starts). Paths come from `fd</path>` and `"…"`.
 */
function parseTrace(text: string): Call[] {
  const calls: Call[] = [];
  for (const line of text.split('\n')) {
    const m = /^\d+\s+(\w+)\((.*)$/.exec(line);
    if (!m) continue;
    const paths = [...m[2].matchAll(/<(\/[^>]*)>|"(\/[^"]*)"/g)].map((p) => p[1] ?? p[2]);
    calls.push({ name: m[1], paths, text: line });
  }
  return calls;
}

/**
 * docs/crash-safety.md: crash safety reaches the disk. A power cut cannot run here, so the order of the agent's
 * durability calls is read from a syscall trace of a real agent process (`strace -f -y`, Debian's strace: see
 * scripts/install-test-deps.sh) recording a camera into Azurite and announcing over aedes, and asserted:
 * - each segment file is fsynced, then its camera folder, before the journal line that names it (fdatasync);
 * - each outbox event is a line appended to the outbox log (created 0600) and fdatasync'ed before the journal's `done`
 *   line that lets its segment go; its acknowledgement is a line appended without a sync; no file per event (no
 *   rename, no folder fsync, no unlink while recording).
 * The guarantee per file system is in docs/crash-safety.md.
 */
describe('crash safety on disk: the fsync order of a real agent, from a syscall trace', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;

  before(async () => {
    azurite = await startAzurite();
    broker = await startLocalBroker({ port: await freePort(), devices: { 'site-s': 'pw' }, onMessage: () => {} });
  });
  after(async () => {
    await broker?.close();
    await azurite?.stop();
  });

  it('segment file and folder before the journal line; the outbox line and its fdatasync before the journal done line', async () => {
    assert.equal(spawnSync('strace', ['-V']).status, 0, 'strace is installed (scripts/install-test-deps.sh)');
    await BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings').createIfNotExists();
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kw-fsync-'));
    const configFile = path.join(cacheDir, '..', `${path.basename(cacheDir)}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({
        deviceId: 'site-s',
        cameras: [{ id: CAMERA, url: mediaPath('one-by-one-person-detection.mp4'), inputOptions: ['-re', '-stream_loop', '-1'] }],
        segmentLength: 'PT2S',
        localMediaCachePath: cacheDir,
        broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
        upload: { connectionString: azurite.connectionString, container: 'recordings' },
        logLevel: 'debug',
        metrics: false,
      }),
    );
    const traceFile = `${cacheDir}.strace`;
    const strace = spawn('strace', ['-f', '-qq', '-y', '-o', traceFile, '-e', 'trace=fsync,fdatasync,rename,renameat,renameat2,unlink,unlinkat,openat,write,pwrite64', process.execPath, AGENT_CLI, '--config', configFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    const lines: Array<Record<string, unknown>> = [];
    createInterface({ input: strace.stdout! }).on('line', (l) => {
      try {
        lines.push(JSON.parse(l) as Record<string, unknown>);
      } catch {
        // not a log record
      }
    });
    const exited = new Promise<void>((r) => strace.once('exit', () => r()));
    const until = Date.now() + 90_000;
    while (lines.filter((o) => o.msg === 'segment uploaded').length < 3 && Date.now() < until) await new Promise((r) => setTimeout(r, 200));
    // SIGTERM to the agent itself (strace's child), a clean stop; strace exits with it.
    const agentPid = Number(readFileSync(`/proc/${strace.pid}/task/${strace.pid}/children`, 'utf8').trim().split(/\s+/)[0]);
    process.kill(agentPid, 'SIGTERM');
    await exited;
    const uploaded = lines.filter((o) => o.msg === 'segment uploaded');
    assert.ok(uploaded.length >= 3, `three segments uploaded under strace (${uploaded.length})`);

    const calls = parseTrace(readFileSync(traceFile, 'utf8'));
    const journal = path.join(cacheDir, 'journal.jsonl');
    const outbox = path.join(cacheDir, 'outbox');
    const outboxLog = path.join(outbox, 'events.jsonl');
    const cameraDir = path.join(cacheDir, CAMERA);
    const isCall = (c: Call, names: string[], p?: string) => names.includes(c.name) && (p === undefined || c.paths.includes(p));
    const FSYNC = ['fsync'];
    const JOURNAL_LINE = ['fdatasync'];
    const nextIndex = (from: number, pred: (c: Call) => boolean) => calls.findIndex((c, i) => i > from && pred(c));
    const show = (from: number, to: number) => calls.slice(Math.max(0, from), to + 1).map((c) => c.text).join('\n');

    // Segments: every recorded segment's file is fsynced, then its folder, then the journal line.
    const recorded = lines.filter((o) => o.msg === 'segment recorded');
    assert.ok(recorded.length >= 3);
    const segmentSyncs = calls.map((c, i) => ({ c, i })).filter(({ c }) => isCall(c, FSYNC) && c.paths.some((p) => p.startsWith(`${cameraDir}/`) && p.endsWith('.ts')));
    assert.ok(segmentSyncs.length >= recorded.length, `each recorded segment file is fsynced (${segmentSyncs.length} fsyncs, ${recorded.length} segments)`);
    for (const { c, i } of segmentSyncs) {
      const dirSync = nextIndex(i, (x) => isCall(x, FSYNC, cameraDir));
      const line = nextIndex(i, (x) => isCall(x, JOURNAL_LINE, journal));
      assert.ok(dirSync > i, `the camera folder is fsynced after ${c.paths[0]}`);
      assert.ok(line > dirSync, `file, then folder, then the journal line:\n${show(i, line)}`);
    }
    // Every journal line that records a segment comes after its file's fsync: no journal line without one before it.
    const journalLines = calls.map((c, i) => ({ c, i })).filter(({ c }) => isCall(c, JOURNAL_LINE, journal));
    assert.ok(journalLines.length >= recorded.length + uploaded.length, 'a line per segment recorded and per segment done');

    // Outbox: one log, opened 0600 for appending; every event line is written and fdatasync'ed before the journal's
    // `done` line of its segment; an acknowledgement line is not synced.
    const logOpen = calls.find((c) => c.name === 'openat' && c.paths.includes(outboxLog) && c.text.includes('O_APPEND'));
    assert.ok(logOpen, 'the outbox log is opened for appending');
    assert.match(logOpen.text, /O_CREAT.*, 0600\)/, `the outbox log is opened 0600: ${logOpen.text}`);
    const isWrite = (c: Call, p: string, what: string) => /^(write|pwrite64)$/.test(c.name) && c.paths.includes(p) && c.text.includes(what);
    const doneLines = calls.map((c, i) => ({ c, i })).filter(({ c }) => isWrite(c, journal, '{\\"op\\":\\"done\\"'));
    assert.ok(doneLines.length >= uploaded.length, `a journal done line per uploaded segment (${doneLines.length})`);
    let previous = -1;
    for (const { i } of doneLines) {
      let eventLine = -1;
      for (let j = i - 1; j > previous && eventLine < 0; j--) if (isWrite(calls[j], outboxLog, '{\\"seq\\":')) eventLine = j;
      assert.ok(eventLine >= 0, `an outbox event line is written before the journal's done line:\n${show(previous + 1, i)}`);
      const eventSync = nextIndex(eventLine, (x) => isCall(x, JOURNAL_LINE, outboxLog));
      assert.ok(eventSync > eventLine && eventSync < i, `outbox line, its fdatasync, then the journal's done line:\n${show(eventLine, i)}`);
      assert.ok(nextIndex(i, (x) => isCall(x, JOURNAL_LINE, journal)) > i, 'the done line is fdatasync\'ed');
      previous = i;
    }
    const eventWrites = calls.filter((c) => isWrite(c, outboxLog, '{\\"seq\\":')).length;
    const ackWrites = calls.filter((c) => isWrite(c, outboxLog, '{\\"ack\\":')).length;
    const logSyncs = calls.filter((c) => isCall(c, JOURNAL_LINE, outboxLog) || isCall(c, FSYNC, outboxLog)).length;
    assert.ok(ackWrites >= uploaded.length, `an acknowledgement line per event (${ackWrites})`);
    assert.equal(logSyncs, eventWrites, 'one fdatasync per event line; acknowledgement lines are not synced');
    const perEventFiles = calls.filter((c) => /^(rename|unlink)/.test(c.name) && c.paths.some((p) => p.startsWith(`${outbox}/`) && p !== outboxLog && p !== `${outboxLog}.tmp`));
    assert.deepEqual(perEventFiles.map((c) => c.text), [], 'no file per event: nothing renamed or deleted in the outbox folder');
  });
});
