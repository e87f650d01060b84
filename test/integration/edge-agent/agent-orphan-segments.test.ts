import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { startLocalBroker, type BrokerMessage, type LocalBroker } from '../../../local/broker';
import { JOURNAL_FILE } from '../../../edge-agent/journal/segment-journal';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { startAgentProcess } from '../../helpers/agent-process';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { decodeFully } from '../../helpers/ffmpeg';
import { freePort } from '../../../testbed/ports';
import { mediaPath } from '../../../testbed/rtsp-server';

const CAMERA = 'cam-o';

/** ffmpeg processes writing into `dir` (an orphan once its agent is dead), from /proc. */
function ffmpegWritingInto(dir: string): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return /ffmpeg/.test(path.basename(argv[0])) && argv.some((a) => a.startsWith(dir));
      } catch {
        return false;
      }
    })
    .map(Number);
}

const waitFor = async (what: string, cond: () => boolean, timeoutMs = 60_000) => {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
};

/**
 * docs/crash-safety.md: after a SIGKILL the agent's ffmpeg lives on and keeps writing complete segments until the next
 * agent starts. That agent kills it and adopts the complete segments (uploaded, timed from their files) instead of
 * deleting them; only the file the orphan was writing is lost. Real agent processes, real ffmpeg, Azurite, aedes.
 */
describe('Agent restart after SIGKILL: the orphaned ffmpeg\'s complete segments are adopted', () => {
  let azurite: AzuriteInstance;
  let broker: LocalBroker;
  const received: BrokerMessage[] = [];

  before(async () => {
    azurite = await startAzurite();
    broker = await startLocalBroker({ port: await freePort(), devices: { 'site-o': 'pw' }, onMessage: (m) => received.push(m) });
  });
  after(async () => {
    await broker?.close();
    await azurite?.stop();
  });

  it('uploads every complete segment the orphan wrote, abutting the dead run\'s last one; deletes only the partial file', async (t) => {
    const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient('recordings');
    await container.createIfNotExists();
    const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'kw-orphan-'));
    const configFile = path.join(cacheDir, '..', `${path.basename(cacheDir)}.json`);
    writeFileSync(
      configFile,
      JSON.stringify({
        deviceId: 'site-o',
        cameras: [{ id: CAMERA, url: mediaPath('one-by-one-person-detection.mp4'), inputOptions: ['-re', '-stream_loop', '-1'] }],
        segmentLength: 'PT2S',
        localMediaCachePath: cacheDir,
        broker: { url: broker.url, password: 'pw', protocolVersion: 4 },
        upload: { connectionString: azurite.connectionString, container: 'recordings' },
        logLevel: 'debug',
        metrics: false,
      }),
    );
    const first = startAgentProcess(configFile);
    await waitFor('two segments of the first run', () => first.lines.filter((o) => o.msg === 'segment recorded').length >= 2);
    first.child.kill('SIGKILL');
    await first.exited;
    // The dead run's last segment is the last one its journal holds: the kill may land between a segment's
    // 'segment recorded' log line and its journal line, and such a segment is one of the orphan's to adopt.
    const journaled = readFileSync(path.join(cacheDir, JOURNAL_FILE), 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { op: string; startMs?: number; durationMs?: number })
      .filter((r) => r.op === 'recorded')
      .map((r) => ({ startMs: r.startMs!, durationMs: r.durationMs! }))
      .sort((a, b) => a.startMs - b.startMs);
    assert.ok(journaled.length >= 1, 'the dead run journaled a segment');
    const orphans = ffmpegWritingInto(cacheDir);
    assert.ok(orphans.length >= 1, 'the killed agent left its ffmpeg running');
    // The orphan records on for ~7 s: three or four more segments, the last one partial.
    await new Promise((r) => setTimeout(r, 7000));

    const second = startAgentProcess(configFile);
    await waitFor('a segment of the second run', () => second.lines.some((o) => o.msg === 'segment recorded'));
    second.child.kill('SIGTERM');
    await second.exited;
    assert.deepEqual(ffmpegWritingInto(cacheDir), [], 'no orphan left');

    const adopted = second.lines.filter((o) => /adopted$/.test(String(o.msg))).map((o) => ({ startMs: Number(o.segmentStartMs), durationMs: Number(o.durationMs), bytes: Number(o.bytes), estimateOffsetMs: Number(o.estimateOffsetMs) }));
    const lost = second.lines.filter((o) => /lost/.test(String(o.msg)));
    const firstRecorded = first.lines.filter((o) => o.msg === 'segment recorded').map((o) => ({ startMs: Number(o.segmentStartMs), durationMs: Number(o.durationMs) }));
    const context = JSON.stringify({ adopted, lost: lost.map((o) => [o.file, o.reason]), firstRecorded, journaled });
    assert.ok(adopted.length >= 2, `the orphan's complete segments are adopted, not deleted (${context})`);
    assert.equal(lost.length, 1, `only the file the orphan was writing is lost (${context})`);
    assert.match(String(lost[0].msg), /incomplete segment of the previous run deleted/);

    // Timed from their files: one chain, each starting where the previous ended, joined to the dead run's last segment.
    adopted.sort((a, b) => a.startMs - b.startMs);
    for (let i = 1; i < adopted.length; i++) assert.equal(adopted[i].startMs, adopted[i - 1].startMs + adopted[i - 1].durationMs, `adopted segments abut (${context})`);
    for (const a of adopted) assert.ok(a.durationMs > 1000 && a.durationMs < 4000, `an adopted segment lasts about PT2S (${context})`);
    const lastOfFirst = journaled[journaled.length - 1];
    assert.equal(adopted[0].startMs, lastOfFirst.startMs + lastOfFirst.durationMs, `the first adopted segment starts where the dead run's last journaled one ended (${context})`);
    for (const r of firstRecorded) {
      const kept = journaled.some((j) => j.startMs === r.startMs) || adopted.some((a) => a.startMs === r.startMs);
      assert.ok(kept, `every segment the dead run logged is journaled or adopted, on the same timeline (${context})`);
    }
    // The accuracy of the estimate from file times, before it was joined there (docs/crash-safety.md).
    t.diagnostic(`adopted ${adopted.length} segments; estimate offset ${adopted[0].estimateOffsetMs} ms`);
    assert.ok(Math.abs(adopted[0].estimateOffsetMs) <= 1000, `estimate within 1 s of the dead run's own timeline (${context})`);
    const secondFirst = Number(second.lines.find((o) => o.msg === 'segment recorded')!.segmentStartMs);
    assert.ok(adopted[adopted.length - 1].startMs < secondFirst, 'adopted before the second run\'s own segments');

    // Uploaded like any segment: in Blob with the file's bytes, decodable, announced.
    const announced = new Set(received.filter((m) => m.topic === `keepwatch/site-o/events/${CAMERA}`).map((m) => (JSON.parse(m.payload.toString()) as { type: string; data: { blobName?: string } }).data.blobName));
    for (const a of adopted) {
      const name = segmentBlobName(CAMERA, a.startMs);
      const blob = container.getBlockBlobClient(name);
      const props = await blob.getProperties();
      assert.equal(props.contentLength, a.bytes, `${name} holds the adopted file's bytes`);
      const file = path.join(cacheDir, '..', `${path.basename(cacheDir)}-${a.startMs}.ts`);
      writeFileSync(file, await blob.downloadToBuffer());
      assert.deepEqual((await decodeFully(file)).errors, [], `${name} decodes without errors`);
      assert.ok(announced.has(name), `${name} was announced (segment.uploaded)`);
    }
    // The restart's gap now starts where the adopted segments end, not where the dead agent stopped, and keeps its cause.
    const gaps = received
      .filter((m) => m.topic === `keepwatch/site-o/events/${CAMERA}`)
      .map((m) => JSON.parse(m.payload.toString()) as { type: string; data: { start: string; end: string; cause: string } })
      .filter((e) => e.type === 'gap')
      .map((e) => ({ startMs: Date.parse(e.data.start), endMs: Date.parse(e.data.end), cause: e.data.cause }));
    const adoptedEnd = adopted[adopted.length - 1].startMs + adopted[adopted.length - 1].durationMs;
    for (const g of gaps) assert.ok(g.startMs >= adoptedEnd || g.endMs <= adopted[0].startMs, `no gap over adopted media: ${JSON.stringify(g)} (${context})`);
    const restart = gaps.find((g) => g.startMs === adoptedEnd);
    assert.ok(restart, `a gap from the last adopted segment to the second run's first: ${JSON.stringify(gaps)} (${context})`);
    assert.equal(restart.cause, 'agent-restart');
    assert.equal(restart.endMs, secondFirst);
  });
});
