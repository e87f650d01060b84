import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { LineSplitter, splitLines } from './line-splitter';
import { everyPeriod } from './shared-interval';

/** Bytes read from the FIFO at once (ffmpeg writes about 2 kB/s at verbose with the start guard). */
const READ_BUFFER_BYTES = 16 * 1024;

/**
 * The lines of a child's stderr (ffmpeg's log), read either at once (each write wakes the agent) or in batches.
 *
 * Why batches: at `-loglevel verbose` the start guard's `noise` bitstream filter logs every video packet, and ffmpeg
 * writes each log line in two or more `write()` calls; read as it comes, that wakes the agent's event loop about 30 – 50
 * times a second per camera, which cost 2 – 5 % of a core at 16 cameras (docs/benchmarks.md). Batched
 * ({@link batch}), the stderr is read once per interval, or at once when {@link flush}ed.
 *
 * How: the child's stderr is a FIFO (`mkfifo` in a private temp folder, unlinked at once) read through a `net.Socket`
 * with `onread`, whose `pause()` stops reading the descriptor (a child_process pipe keeps reading into its buffer
 * while paused). Where `mkfifo` is missing or fails, the child's stderr is an ordinary pipe read at once, and
 * {@link batch} does nothing.
 */
export class StderrLines {
  /** What to give the child as its stderr in `spawn`'s `stdio`. */
  readonly stdio: number | 'pipe';
  private socket: net.Socket | undefined;
  private readFd: number | undefined;
  private batched = false;
  /** Stops the batch reads (from {@link everyPeriod}); a no-op until {@link batch}. */
  private stopBatches: () => void = () => {};
  private readonly splitter: LineSplitter;
  private endedResolve!: () => void;
  /** Resolves once the child's stderr ended (the child and every holder of its write end exited). */
  readonly ended = new Promise<void>((r) => (this.endedResolve = r));

  /**
   * Prepares the FIFO (or, failing that, asks for a pipe).
   * @param skipPrefixes line prefixes never decoded ({@link LineSplitter})
   */
  constructor(
    private readonly skipPrefixes: readonly string[],
    private readonly onLine: (line: string) => void,
  ) {
    this.splitter = new LineSplitter(skipPrefixes, onLine);
    let stdio: number | 'pipe' = 'pipe';
    try {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'kw-stderr-'));
      try {
        const fifo = path.join(dir, 'stderr');
        execFileSync('mkfifo', ['-m', '600', fifo], { stdio: 'ignore' });
        // Non-blocking read end first, so that opening the write end does not wait for a reader.
        this.readFd = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
        stdio = openSync(fifo, constants.O_WRONLY);
      } finally {
        rmSync(dir, { recursive: true, force: true }); // the open descriptors keep the FIFO
      }
    } catch {
      if (this.readFd !== undefined) closeSync(this.readFd);
      this.readFd = undefined;
      stdio = 'pipe';
    }
    this.stdio = stdio;
  }

  /**
   * Starts reading, right after `spawn`: closes the parent's copy of the write end (so the stderr ends when the child
   * exits), or reads `child.stderr` when it is a pipe.
   */
  start(child: ChildProcess): void {
    if (typeof this.stdio !== 'number' || this.readFd === undefined) {
      if (!child.stderr) {
        this.endedResolve();
        return;
      }
      splitLines(child.stderr, this.skipPrefixes, this.onLine);
      child.stderr.once('close', () => this.endedResolve());
      return;
    }
    closeSync(this.stdio);
    const buffer = Buffer.alloc(READ_BUFFER_BYTES);
    // `onread` (documented for `socket.connect`; Node's Socket constructor reads it too, and @types/node lacks it there):
    // with it, `pause()` stops reading the descriptor.
    const options: net.SocketConstructorOpts & { onread: net.OnReadOpts } = {
      fd: this.readFd,
      readable: true,
      writable: false,
      onread: {
        buffer,
        callback: (n: number, buf: Uint8Array) => {
          this.splitter.push(Buffer.from(buf.buffer, buf.byteOffset, n));
          // A full buffer may leave more behind: read on, so that a burst of lines never keeps ffmpeg waiting on the FIFO.
          if (this.batched && n < buffer.length) socket.pause();
          return true;
        },
      },
    };
    const socket = new net.Socket(options);
    this.socket = socket;
    socket.on('error', () => {}); // the read end of our own FIFO: an error only ends it
    socket.once('end', () => this.splitter.end());
    socket.once('close', () => {
      this.stopBatches();
      this.endedResolve();
    });
    socket.resume();
  }

  /** Reads in batches from now on: every `intervalMs`, and on {@link flush}. */
  batch(intervalMs: number): void {
    if (!this.socket || this.batched) return;
    this.batched = true;
    this.socket.pause();
    this.stopBatches = everyPeriod(intervalMs, () => this.flush());
  }

  /** In batches: reads what the child wrote so far, at the next turn of the event loop. */
  flush(): void {
    if (this.batched) this.socket?.resume();
  }

  /** Reads everything as it comes again (the child exited: its last lines say why). */
  prompt(): void {
    if (!this.batched) return;
    this.batched = false;
    this.stopBatches();
    this.socket?.resume();
  }

  /** Stops reading and closes the read end (after the session). */
  close(): void {
    this.stopBatches();
    this.socket?.destroy();
  }
}
