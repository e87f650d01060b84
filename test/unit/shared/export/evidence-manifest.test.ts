import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EVIDENCE_MANIFEST_FORMAT, parseEvidenceManifest } from '../../../../shared/export/evidence-manifest';

const sha = (c: string) => c.repeat(64);
const manifest = {
  format: EVIDENCE_MANIFEST_FORMAT,
  exportId: '0b7e5c8a-3f1d-4e2a-9c6b-5d8f7a1e2c3b',
  cameraId: 'door',
  requested: { start: '2026-11-21T10:00:03.000Z', end: '2026-11-21T10:00:30.000Z' },
  snapped: { start: '2026-11-21T10:00:03.000Z', end: '2026-11-21T10:00:30.000Z' },
  gaps: [],
  createdAt: '2026-11-21T14:00:00.000Z',
  mp4: { file: 'door_2026-11-21T10-00-03Z_PT27S.mp4', bytes: 1000, sha256: sha('a'), outputDurationMs: 30000 },
  segments: [{ file: 'segments/00000_2026-11-21T10-00-00.000Z.ts', blobName: 'door/2026/11/21/10/2026-11-21T10:00:00.000Z.ts', start: '2026-11-21T10:00:00.000Z', durationMs: 8447, bytes: 150212, sha256: sha('b') }],
};

describe('parseEvidenceManifest', () => {
  it('accepts a manifest as the export job writes it', () => {
    assert.deepEqual(parseEvidenceManifest(structuredClone(manifest)), manifest);
  });

  it('refuses another format, unknown keys, bad hashes, no segments and paths that leave the bundle', () => {
    assert.throws(() => parseEvidenceManifest({ ...manifest, format: 'other/1' }), /format/);
    assert.throws(() => parseEvidenceManifest({ ...manifest, signedBy: 'x' }), /signedBy/);
    assert.throws(() => parseEvidenceManifest({ ...manifest, mp4: { ...manifest.mp4, sha256: 'A'.repeat(64) } }), /sha256/);
    assert.throws(() => parseEvidenceManifest({ ...manifest, segments: [] }), /segments/);
    assert.throws(() => parseEvidenceManifest({ ...manifest, mp4: { ...manifest.mp4, file: '../../etc/passwd' } }), /file/);
  });
});
