import { z } from 'zod';
import { parseWith } from '../validation/format-issues';

/** `format` of an evidence export's manifest.json; a verifier refuses any other. */
export const EVIDENCE_MANIFEST_FORMAT = 'keepwatch-evidence-export/1';

/** Name of the manifest inside the bundle (the first member of the tar). */
export const EVIDENCE_MANIFEST_FILE = 'manifest.json';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/).meta({ description: 'SHA-256, lowercase hex' });
const dateTime = z.string().meta({ format: 'date-time' });
const file = z.string().regex(/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/).max(100).refine((f) => !f.split('/').includes('..'), 'no ".." in a bundle path');

/**
 * manifest.json of an evidence export bundle (a tar: this manifest, the MP4, and the stored segments it was made from).
 * Every hash and size was computed by the cloud from the bytes it read from storage while making the export, never
 * taken from a device. The MP4 is a codec copy of the segments (functions/adapters/ffmpeg/ffmpeg-mp4-export.ts), so its
 * packets are the segments' packets, in order, up to the cut (`keepwatch-admin verify-export`, docs/api.md
 * "Evidence export").
 */
export const evidenceManifestSchema = z.strictObject({
  format: z.literal(EVIDENCE_MANIFEST_FORMAT),
  exportId: z.string(),
  cameraId: z.string(),
  recordingId: z.string().optional(),
  /** The range asked for, and the one the MP4 covers (snapped to stored media). */
  requested: z.strictObject({ start: dateTime, end: dateTime }),
  snapped: z.strictObject({ start: dateTime, end: dateTime }),
  /** Parts of the requested range with no media, left out of the MP4 timeline. */
  gaps: z.array(z.strictObject({ start: dateTime, end: dateTime })),
  createdAt: dateTime,
  mp4: z.strictObject({
    file,
    bytes: z.number().int().min(0),
    sha256,
    /** Where the export cut the output, ms from its first frame; absent: the whole of the last segment. */
    outputDurationMs: z.number().int().min(0).optional(),
  }),
  /** The segments in MP4 order: their stored blob names, times, sizes and SHA-256 of their stored bytes. */
  segments: z
    .array(
      z.strictObject({
        file,
        blobName: z.string(),
        start: dateTime,
        durationMs: z.number().int().min(0),
        bytes: z.number().int().min(0),
        sha256,
      }),
    )
    .min(1),
});

export type EvidenceManifest = z.output<typeof evidenceManifestSchema>;

/**
 * Validates a manifest.json.
 * @throws ValidationError `InvalidEvidenceManifest` naming the bad or unknown keys
 */
export function parseEvidenceManifest(input: unknown): EvidenceManifest {
  return parseWith(evidenceManifestSchema, input, 'evidence manifest', 'InvalidEvidenceManifest');
}
