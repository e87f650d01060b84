import { toIso } from '../../shared/time';
import type { ExportJobRecord, ExportJobState } from '../adapters/blob/blob-export-jobs';

/** An export job as the API shows it (times ISO 8601 UTC with ms). */
export interface ExportJobResponse {
  id: string;
  cameraId: string;
  start: string;
  end: string;
  recordingId?: string;
  state: ExportJobState;
  /** 0..1 */
  progress: number;
  segmentsDone: number;
  segmentsTotal: number;
  bytesDone: number;
  bytesTotal: number;
  createdAt: string;
  updatedAt: string;
  /** When `done`: a read-only SAS URL of the bundle (tar), valid until `expiresAt`. */
  downloadUrl?: string;
  expiresAt?: string;
  bundleBytes?: number;
  error?: { code: string; message: string };
}

/** The API view of a job; `download` when the bundle is stored. */
export function exportJobResponse(job: ExportJobRecord, download?: { url: string; expiresAtMs: number }): ExportJobResponse {
  return {
    id: job.id,
    cameraId: job.cameraId,
    start: toIso(job.startMs),
    end: toIso(job.endMs),
    ...(job.recordingId !== undefined ? { recordingId: job.recordingId } : {}),
    state: job.state,
    progress: Math.round(job.progress * 1000) / 1000,
    segmentsDone: job.segmentsDone,
    segmentsTotal: job.segmentsTotal,
    bytesDone: job.bytesDone,
    bytesTotal: job.bytesTotal,
    createdAt: toIso(job.createdAtMs),
    updatedAt: toIso(job.updatedAtMs),
    ...(download ? { downloadUrl: download.url, expiresAt: toIso(download.expiresAtMs) } : {}),
    ...(job.bundleBytes !== undefined ? { bundleBytes: job.bundleBytes } : {}),
    ...(job.error ? { error: job.error } : {}),
  };
}
