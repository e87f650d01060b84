import { randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError } from '../../shared/errors';
import { redact } from '../../shared/redact';
import { parseExportJobBody } from '../../shared/schemas/export-job';
import type { ExportJobRecord } from '../adapters/blob/blob-export-jobs';
import { registerHttp } from '../app';
import { ExportJob, ExportJobRequest } from '../openapi/components';
import { json, keyedErrors, type RouteSpec } from '../openapi/route-spec';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { readJsonBody } from '../http/http-json-body';
import { exportJobResponse } from './export-job-response';
import { runExportJob, type ExportJobDeps } from './export-job-run';
import { ACCESS } from '../auth/access';

export type ExportsCreateDeps = ExportJobDeps & Pick<FunctionsDeps, 'cameras' | 'recordings'>;

/**
 * `POST /api/exports` (function key), body `{ cameraId, start, end }` or `{ cameraId, recordingId }`
 * (shared/schemas/export-job.ts) → `202 ExportJob` with `Location: /api/exports/{id}`: an evidence export job. The
 * job runs at once in this process (functions/exports/export-job-run.ts) and reports its progress on
 * `GET /api/exports/{id}`; when the process goes away mid-job, the `exports-resume` timer starts it again. The range may
 * be up to 24 h, longer than the synchronous `export.mp4` cap.
 * Errors: 400 `MissingBody`, `InvalidJson`, `InvalidExport`, `InvalidDateTime`, `InvalidRange`, `RangeTooLong`; 404
 * `CameraNotFound`, `RecordingNotFound`; 503 storage unavailable.
 */
export async function exportsCreate(request: HttpRequest, context: InvocationContext, deps: ExportsCreateDeps = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const body = parseExportJobBody(await readJsonBody(request));
    if (!(await deps.cameras.getCamera(body.cameraId))) {
      throw new NotFoundError(`camera '${body.cameraId}' is unknown: nothing has been recorded for it`, 'CameraNotFound');
    }
    let range: { startMs: number; endMs: number };
    if ('recordingId' in body) {
      const r = await deps.recordings.get(body.cameraId, body.recordingId);
      if (!r) throw new NotFoundError(`camera '${body.cameraId}' has no recording '${body.recordingId}'`, 'RecordingNotFound');
      range = { startMs: r.startMs, endMs: r.endMs };
    } else range = body;
    const nowMs = deps.now();
    const job: ExportJobRecord = {
      id: randomUUID(),
      cameraId: body.cameraId,
      startMs: range.startMs,
      endMs: range.endMs,
      ...('recordingId' in body ? { recordingId: body.recordingId } : {}),
      state: 'queued',
      segmentsDone: 0,
      segmentsTotal: 0,
      bytesDone: 0,
      bytesTotal: 0,
      progress: 0,
      attempts: 0,
      createdAtMs: nowMs,
      updatedAtMs: nowMs,
    };
    await deps.exportJobs.create(job);
    context.log('export job queued', { cameraId: job.cameraId, exportId: job.id });
    void runExportJob(job.id, deps).then(
      (done) => context.log('export job ended', { exportId: job.id, state: done?.state, error: done?.error }),
      (err: unknown) => context.error('export job could not run; the exports-resume timer retries it', { exportId: job.id, error: redact(String(err)) }),
    );
    return { status: 202, jsonBody: exportJobResponse(job), headers: { 'cache-control': 'no-store', location: `/api/exports/${job.id}` } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `POST /api/exports`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  access: ACCESS.viewer,
  method: 'POST',
  path: '/exports',
  operationId: 'exports-create',
  summary: 'Starts an evidence export job of a range or a recording: MP4 + the segments it came from + their SHA-256',
  description: 'Answers 202 at once; `GET /api/exports/{exportId}` (the `Location`) reports progress and, when done, a download URL of the bundle (tar).',
  tags: ['playback'],
  requestBody: ExportJobRequest,
  responses: {
    '202': { description: 'the job, queued', content: json(ExportJob) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => exportsCreate(request, context));
