import { redact } from '../../shared/redact';
import type { SessionFailureCause } from '../../shared/contracts/device-events';
import type { StreamInfo } from '../../shared/contracts/stream-info';
import { streamInfoFromDescriptions } from './ffmpeg-stream-info';

/**
 * What a recording session tells about its camera, in the spirit of AVA's diagnostics events
 * (docs/reference/ava-behaviour.md "Events": MediaSessionEstablished with the SDP, AuthorizationError, ProtocolError,
 * UnsupportedMediaFormat, DataDropped).
 */
export type RecorderDiagnostic =
  | { kind: 'session-established'; video: string; audio: string[]; stream?: StreamInfo }
  | { kind: 'authorization-error' | 'protocol-error' | 'unsupported-format' | 'data-dropped' | 'storage-error'; message: string; cause?: SessionFailureCause };

/** The kinds of {@link RecorderDiagnostic}. */
export type DiagnosticKind = RecorderDiagnostic['kind'];

/**
 * Reads one session's ffmpeg stderr (`-loglevel verbose`) line by line and reports diagnostics, each
 * kind at most once per session (a camera that drops packets says so once, not per packet):
 * - `session-established` when the output starts, with the input's video and audio streams as ffmpeg
 *   describes them (`h264 (Main), yuv420p, 1920x1080, 25 fps`: the SDP's essentials) and, parsed from them, the
 *   session's `stream` info (ffmpeg-stream-info.ts; absent when the video description names no codec);
 * - why a session ended or did not start (`authorization-error`, `protocol-error`, `unsupported-format` for video other
 *   than H.264/H.265, each with a `cause`) is not read here but named once the session is over (session-failure.ts,
 *   camera-recorder.ts); G.711 and other audio MPEG-TS cannot carry playably is no failure: the recorder encodes it to
 *   AAC (camera-recorder.ts);
 * - `data-dropped` when RTP reports missed packets or the demuxer drops late ones;
 * - `storage-error` when ffmpeg cannot write the cache (disk full, read-only, permissions).
 */
export class DiagnosticsReader {
  private section: 'none' | 'input' | 'output' = 'none';
  private video: string | undefined;
  private readonly audio: string[] = [];
  private readonly reported = new Set<DiagnosticKind>();

  /** Feeds one stderr line. @returns the diagnostics this line completes (usually none) */
  line(text: string): RecorderDiagnostic[] {
    const out: RecorderDiagnostic[] = [];
    const report = (d: RecorderDiagnostic) => {
      if (this.reported.has(d.kind)) return;
      this.reported.add(d.kind);
      out.push(d);
    };
    if (/^Input #0\b/.test(text)) this.section = 'input';
    else if (/^Output #0\b/.test(text) || /^Stream mapping:/.test(text)) {
      if (this.section === 'input' && this.video) {
        const info = streamInfoFromDescriptions(this.video, this.audio);
        report({ kind: 'session-established', video: this.video, audio: [...this.audio], ...(info ? { stream: info } : {}) });
      }
      this.section = 'output';
    }
    const stream = /^\s*Stream #0:\d+(?:\[[^\]]*\])?(?:\([^)]*\))?: (Video|Audio): (.+)$/.exec(text);
    if (stream && this.section === 'input') {
      const desc = stream[2].trim();
      if (stream[1] === 'Video' && !this.video) {
        this.video = desc;
      } else if (stream[1] === 'Audio') {
        this.audio.push(desc); // audio MPEG-TS cannot carry playably is encoded to AAC by the recorder (ADR 0003)
      }
      return out;
    }
    // At once, not at the session's end: the agent frees cache space on it (agent.ts).
    if (/No space left on device|Read-only file system|Disk quota exceeded/.test(text)) report({ kind: 'storage-error', message: tidy(text), cause: 'storage' });
    else if (/RTP: missed \d+ packets|max delay reached|Packet corrupt|RTP: PT=\d+: bad cseq/.test(text)) report({ kind: 'data-dropped', message: tidy(text) });
    return out;
  }
}

/** A log line without ffmpeg's `[component @ 0x…]` prefix and without credentials, at most 300 characters. */
function tidy(text: string): string {
  return redact(text.replace(/^\[[^\]]*@ 0x[0-9a-f]+\]\s*/, '').trim()).slice(0, 300);
}
