import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { assertTimeZone, exportFileName } from '../../shared/export/export-file-name';
import { planExport } from '../../shared/export/plan-export';
import { playableSegments } from '../../shared/hls/playable-segments';
import { assertId } from '../../shared/ids';
import { parsePlaybackRange } from '../../shared/playback-range';
import { toIso, toIsoDuration } from '../../shared/time';
import { startMp4Export } from '../adapters/ffmpeg/ffmpeg-mp4-export';
import { registerHttp } from '../app';
import { ACCESS } from '../auth/access';
import { dateTimeQuery, keyedErrors, parameterRef, type RouteSpec } from '../openapi/route-spec';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';

/** Response header listing the parts of the requested range with no media: `start/end` ISO 8601 intervals, `, `-separated. */
export const GAPS_HEADER = 'keepwatch-gaps';

/**
 * `GET /api/cameras/{cameraId}/export.mp4?start=ISO&end=ISO[&tz=IANA]` (function key) → `200 video/mp4`, streamed:
 * one MP4 of the range with codec copy (ffmpeg; functions/adapters/ffmpeg/ffmpeg-mp4-export.ts), fragmented
 * (`frag_keyframe+empty_moov`) so it streams without seeking.
 * - Trim: keyframe granularity at the start (the MP4 begins at the keyframe opening the segment that contains
 *   `start`, at most one segment early), exact at the end; a range partly in a gap is snapped to the media.
 * - Gaps inside the range are left out of the MP4 timeline and listed in the `Keepwatch-Gaps` header
 *   (`2026-11-21T10:00:30.000Z/2026-11-21T10:01:00.000Z, ...`; empty when none).
 * - `Content-Disposition: attachment; filename="{cameraId}_{start}_{duration}.mp4"`, start = the snapped start in UTC
 *   (`cam1_2026-11-21T10-00-00Z_PT30S.mp4`) or in the IANA zone `tz` (`…T11-00-00+01-00_…`).
 * - Caps: range ≤ `KEEPWATCH_EXPORT_MAX_DURATION` (default PT1H) and segment bytes ≤ `KEEPWATCH_EXPORT_MAX_BYTES`
 *   (default 2 GiB), else 400.
 * Errors: 400 `InvalidCameraId`, `MissingParameter`, `InvalidDateTime`, `InvalidRange`, `RangeTooLong` (> 24 h),
 * `ExportTooLong`, `ExportTooLarge`, `InvalidTimeZone`; 404 `CameraNotFound`, `NoMediaInRange`, `SegmentMissing`;
 * 503 storage unavailable. A failure after the first bytes cuts the body off (the transfer is incomplete, never a
 * silently short file).
 */
export async function exportMp4(
  request: HttpRequest,
  context: InvocationContext,
  deps: Pick<FunctionsDeps, 'settings' | 'cameras' | 'segmentIndex' | 'segmentReader' | 'ffmpegPath'> = defaultDeps(),
): Promise<HttpResponseInit> {
  try {
    const cameraId = assertId('camera', request.params.cameraId ?? '');
    const window = parsePlaybackRange(request.query.get('start'), request.query.get('end'));
    const maxMs = deps.settings.exportMaxDurationMs;
    if (window.endMs - window.startMs > maxMs) {
      throw new ValidationError(
        `export range spans ${toIsoDuration(window.endMs - window.startMs)}, more than the maximum ${toIsoDuration(maxMs)} (KEEPWATCH_EXPORT_MAX_DURATION); export a shorter range, or run it as a job (POST /api/exports, up to 24 h)`,
        undefined,
        'ExportTooLong',
      );
    }
    const tzParam = request.query.get('tz');
    const timeZone = tzParam ? assertTimeZone(tzParam) : undefined;
    if (!(await deps.cameras.getCamera(cameraId))) {
      throw new NotFoundError(`camera '${cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    }
    const { segments, dropped } = playableSegments(await deps.segmentIndex.listSegmentSpans(cameraId, window.startMs, window.endMs));
    if (dropped > 0) context.warn('overlapping segments left out of export', { cameraId, dropped });
    const plan = planExport(window, segments, deps.settings.exportMaxBytes);
    if (!plan) {
      throw new NotFoundError(`camera '${cameraId}' has no recorded media between ${toIso(window.startMs)} and ${toIso(window.endMs)}`, 'NoMediaInRange');
    }
    const body = await startMp4Export({
      ffmpegPath: deps.ffmpegPath(),
      reader: deps.segmentReader,
      blobNames: plan.segments.map((s) => s.blobName),
      outputDurationMs: plan.outputDurationMs,
      onLateError: (err) => context.error('mp4 export failed while streaming', { cameraId, error: err.message }),
    });
    const fileName = exportFileName(cameraId, plan.snapped.startMs, plan.snapped.endMs - plan.snapped.startMs, timeZone);
    context.log('mp4 export started', { cameraId, segments: plan.segments.length, inputBytes: plan.inputBytes, gaps: plan.gaps.length });
    return {
      status: 200,
      body,
      headers: {
        'content-type': 'video/mp4',
        'content-disposition': `attachment; filename="${fileName}"`,
        'cache-control': 'no-store',
        [GAPS_HEADER]: plan.gaps.map((g) => `${toIso(g.startMs)}/${toIso(g.endMs)}`).join(', '),
      },
    };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/cameras/{cameraId}/export.mp4`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  method: 'GET',
  path: '/cameras/{cameraId}/export.mp4',
  operationId: 'export-mp4',
  summary: 'One MP4 of a time range (codec copy), as a download',
  description: 'Capped in duration and bytes (400 above the cap). Gaps inside the range are listed in `Keepwatch-Gaps`.',
  tags: ['playback'],
  access: ACCESS.viewer,
  parameters: [
    parameterRef('cameraId'),
    dateTimeQuery('start', true, 'range start'),
    dateTimeQuery('end', true, 'range end (exclusive)'),
    { name: 'tz', in: 'query', required: false, description: 'IANA time zone of the file name (default UTC)', schema: { type: 'string', examples: ['Europe/Berlin'] } },
  ],
  responses: {
    '200': {
      description: 'the MP4, streamed',
      headers: {
        'Content-Disposition': { description: 'attachment with a file name like `cam1_2026-11-21T10-00-00Z_PT30S.mp4`', schema: { type: 'string' } },
        'Keepwatch-Gaps': { description: 'gaps inside the range, `start/end` ISO intervals separated by `, `', schema: { type: 'string' } },
      },
      content: { 'video/mp4': { schema: { type: 'string' } } },
    },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => exportMp4(request, context));
