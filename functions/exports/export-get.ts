import type { HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { NotFoundError, ValidationError } from '../../shared/errors';
import { registerHttp } from '../app';
import { ExportJob } from '../openapi/components';
import { json, keyedErrors, type RouteSpec } from '../openapi/route-spec';
import { defaultDeps, type FunctionsDeps } from '../deps';
import { errorResponse } from '../http/http-errors';
import { exportJobResponse } from './export-job-response';
import { ACCESS } from '../auth/access';

/** An export id: a UUID as `POST /api/exports` makes them. */
const EXPORT_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * `GET /api/exports/{exportId}` (function key) → `200 ExportJob`: the job's state (`queued`, `running`, `done`,
 * `failed`), its progress (0..1, segments and bytes read of the total) and, when `done`, `downloadUrl`: a read-only SAS
 * URL of the bundle, valid for `KEEPWATCH_PLAYBACK_TTL` (`expiresAt`). A `failed` job carries its `error`.
 * Errors: 400 `InvalidExportId`; 404 `ExportNotFound`; 503 storage unavailable.
 */
export async function exportGet(request: HttpRequest, context: InvocationContext, deps: Pick<FunctionsDeps, 'exportJobs' | 'sasSigner' | 'settings' | 'now'> = defaultDeps()): Promise<HttpResponseInit> {
  try {
    const id = request.params.exportId ?? '';
    if (!EXPORT_ID.test(id)) throw new ValidationError(`export id ${JSON.stringify(id.slice(0, 40))} is not a UUID`, undefined, 'InvalidExportId');
    const job = await deps.exportJobs.get(id);
    if (!job) throw new NotFoundError(`export '${id}' does not exist`, 'ExportNotFound');
    let download: { url: string; expiresAtMs: number } | undefined;
    if (job.state === 'done' && job.bundleBlobName) {
      const expiresAtMs = deps.now() + deps.settings.playbackTtlMs;
      download = { url: await deps.sasSigner.blobReadUrl(job.bundleBlobName, expiresAtMs), expiresAtMs };
    }
    return { status: 200, jsonBody: exportJobResponse(job, download), headers: { 'cache-control': 'no-store' } };
  } catch (err) {
    return errorResponse(err, context);
  }
}

/** `GET /api/exports/{exportId}`, as the OpenAPI document lists it (functions/openapi/openapi.ts). */
export const route: RouteSpec = {
  access: ACCESS.viewer,
  method: 'GET',
  path: '/exports/{exportId}',
  operationId: 'export-get',
  summary: 'An evidence export job: state, progress and, when done, the download URL of its bundle',
  tags: ['playback'],
  parameters: [{ name: 'exportId', in: 'path', required: true, description: 'the export id (UUID) POST /api/exports answered', schema: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' } }],
  responses: {
    '200': { description: 'the job', content: json(ExportJob) },
    ...keyedErrors(400, 404),
  },
};

registerHttp(route, (request, context) => exportGet(request, context));
