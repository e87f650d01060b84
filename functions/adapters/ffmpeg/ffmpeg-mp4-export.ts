import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { BlobSegmentReader } from '../blob/blob-segment-reader';

/** How much of ffmpeg's stderr is kept for error messages. */
const STDERR_KEEP_CHARS = 4096;

/**
 * ffmpeg arguments of the MP4 export: MPEG-TS segments concatenated byte-wise on stdin (TS packets concatenate; where
 * a new recorder session restarts the timestamps, ffmpeg's discontinuity handling for TS input re-bases them, so gaps
 * leave no hole in the MP4 timeline), codec copy (no transcoding), the first video and any audio streams, cut after
 * `outputDurationMs`, AAC converted from ADTS (a bitstream filter, not a transcode), written as fragmented MP4 (`frag_keyframe+empty_moov`: the moov comes first, so the MP4 streams
 * to a pipe without seeking back).
 * @param outputDurationMs where to stop, ms from the first frame; `undefined` = at the end of the input
 */
export function mp4ExportArgs(outputDurationMs?: number): string[] {
  return [
    '-hide_banner',
    '-loglevel', 'error',
    '-f', 'mpegts',
    '-i', 'pipe:0',
    '-map', '0:v:0',
    '-map', '0:a?',
    '-c', 'copy',
    // AAC in TS is ADTS; MP4 wants the raw form. Older ffmpeg builds (the npm one is 4.1) do not insert it themselves.
    '-bsf:a', 'aac_adtstoasc',
    ...(outputDurationMs !== undefined ? ['-t', (outputDurationMs / 1000).toFixed(3)] : []),
    '-f', 'mp4',
    '-movflags', 'frag_keyframe+empty_moov',
    'pipe:1',
  ];
}

/** Options of {@link startMp4Export}. */
export interface Mp4ExportOptions {
  ffmpegPath: string;
  /** Reads each segment's stored bytes (the Blob reader, or one that also keeps and hashes them: the evidence export). */
  reader: Pick<BlobSegmentReader, 'readSegment'>;
  /** Segment blob names, in time order. */
  blobNames: readonly string[];
  /** See {@link mp4ExportArgs}. */
  outputDurationMs?: number;
  /** Called once when the export fails after the first bytes went out (the stream is then destroyed with `err`). */
  onLateError?: (err: Error) => void;
}

/**
 * Starts ffmpeg, feeds it the segments' bytes in order, and resolves with its MP4 output once the first bytes are
 * there, so a failure before any output (a missing blob, ffmpeg refusing the input) is still an error the caller can
 * answer with a status. A failure later destroys the stream (the HTTP body is cut off, not silently short).
 * The stream's consumer going away (client disconnect) kills ffmpeg and stops the reads.
 * @returns the MP4 byte stream (ffmpeg's stdout)
 * @throws the reader's error (NotFoundError `SegmentMissing`, TransientError), or Error with ffmpeg's stderr when it
 *   exits before writing anything
 */
export async function startMp4Export(opts: Mp4ExportOptions): Promise<Readable> {
  const child = spawn(opts.ffmpegPath, mp4ExportArgs(opts.outputDurationMs), { stdio: ['pipe', 'pipe', 'pipe'] });
  const stdout = child.stdout;
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr = (stderr + d).slice(-STDERR_KEEP_CHARS)));
  child.stdin.on('error', () => {}); // EPIPE when ffmpeg stops reading (-t reached, or killed): the exit tells why

  let started = false;
  let aborted = false;
  let failed: Error | undefined;
  let settleStart: ((err?: Error) => void) | undefined;
  const fail = (err: Error) => {
    if (failed) return;
    failed = err;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (!started) settleStart?.(err);
    else {
      opts.onLateError?.(err);
      stdout.destroy(err);
    }
  };

  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  child.once('error', (err) => fail(new Error(`ffmpeg ${opts.ffmpegPath} did not start: ${err.message}`)));
  void exited.then((code) => {
    if (code !== 0 && !failed && !aborted) fail(new Error(`ffmpeg exited with code ${code} during the MP4 export: ${stderr.trim() || '(no output)'}`));
  });
  stdout.once('close', () => {
    // Closed before its end was read: the consumer destroyed it (client gone), so stop ffmpeg and the reads.
    if (!stdout.readableEnded && child.exitCode === null && child.signalCode === null) {
      aborted = true;
      child.kill('SIGKILL');
    }
  });

  void (async () => {
    try {
      for (const name of opts.blobNames) {
        for await (const chunk of opts.reader.readSegment(name)) {
          if (failed || aborted || child.stdin.destroyed) return;
          if (!child.stdin.write(chunk)) await new Promise<void>((r) => { child.stdin.once('drain', r); child.stdin.once('close', r); });
        }
      }
      child.stdin.end();
    } catch (err) {
      fail(err instanceof Error ? err : new Error(String(err)));
    }
  })();

  await new Promise<void>((resolve, reject) => {
    settleStart = (err) => (err ? reject(err) : resolve());
    const onReadable = () => {
      if (stdout.readableLength === 0) return; // end of an empty output: the exit decides
      stdout.removeListener('readable', onReadable);
      started = true;
      resolve();
    };
    stdout.on('readable', onReadable);
    void exited.then(() => {
      if (!started) {
        stdout.removeListener('readable', onReadable);
        reject(failed ?? new Error(`ffmpeg wrote no MP4 output: ${stderr.trim() || '(no output)'}`));
      }
    });
  });
  return stdout;
}
