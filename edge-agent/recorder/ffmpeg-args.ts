import path from 'node:path';
import type { CameraConfig } from '../../shared/schemas/agent-config';

/** File descriptor on which ffmpeg writes the segment list (CSV) for the recorder to read. */
export const SEGMENT_LIST_FD = 3;

/** File descriptor on which ffmpeg writes its `-progress` reports (`key=value` lines about every 0.5 s while packets flow). */
export const PROGRESS_FD = 4;

/**
 * The ffmpeg input URL with credentials put into the userinfo (RTSP has no other way to pass
 * them to ffmpeg), percent-encoded. Non-URL inputs are returned unchanged.
 */
export function inputUrl(camera: Pick<CameraConfig, 'url' | 'username' | 'password'>): string {
  if (!camera.username || !/^[a-z][a-z0-9+.-]*:\/\//i.test(camera.url)) return camera.url;
  const u = new URL(camera.url);
  u.username = encodeURIComponent(camera.username);
  u.password = encodeURIComponent(camera.password ?? '');
  return u.toString();
}

/**
 * Arguments for one recording session of one camera: codec copy (no transcoding) into MPEG-TS
 * segments of `segmentLengthMs` that each start on a keyframe (the segment muxer only cuts at
 * keyframes of the video stream), with the muxer's own segment list as CSV
 * (`file,start_s,end_s`) on fd 3 and, at log level verbose, one
 * `segment:'…' starts with packet … pts_time:…` line on stderr per segment, which the recorder
 * uses to anchor muxer time to UTC (edge-agent/recorder/segment-timeline.ts).
 *
 * stdin stays open (no `-nostdin`): the recorder stops ffmpeg by writing `q` to it. Progress
 * reports go to fd 4 (`-progress`): they stop when no packet arrives, which the recorder's
 * watchdog notices.
 *
 * Non-key frames before the first keyframe are dropped by ffmpeg's stream copy (its default
 * without `-copyinkf`), so the first segment also starts on a keyframe.
 * @param outputPattern e.g. `/cache/cam1/20261121T100000Z-ab12-%06d.ts`
 */
export function recorderArgs(
  camera: CameraConfig,
  segmentLengthMs: number,
  outputPattern: string,
): string[] {
  const isRtsp = /^rtsps?:\/\//i.test(camera.url);
  return [
    '-hide_banner',
    '-nostats',
    '-loglevel',
    'verbose',
    '-progress',
    `pipe:${PROGRESS_FD}`,
    ...(isRtsp ? ['-rtsp_transport', camera.rtspTransport] : []),
    ...camera.inputOptions,
    '-i',
    inputUrl(camera),
    '-map',
    '0:v:0',
    '-map',
    '0:a?',
    '-c',
    'copy',
    '-f',
    'segment',
    '-segment_time',
    (segmentLengthMs / 1000).toFixed(3),
    '-segment_format',
    'mpegts',
    '-segment_list',
    `pipe:${SEGMENT_LIST_FD}`,
    '-segment_list_type',
    'csv',
    outputPattern,
  ];
}

/** The output pattern of a session: `{dir}/{sessionId}-%06d.ts`. */
export function sessionOutputPattern(cameraDir: string, sessionId: string): string {
  return path.join(cameraDir, `${sessionId}-%06d.ts`);
}
