import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HttpRequest } from '@azure/functions';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { cameraPolicyPut } from '../../../functions/cameras/camera-policy-put';
import { createDeps, type FunctionsDeps } from '../../../functions/deps';
import { holdsCreate } from '../../../functions/holds/holds-create';
import { recordingHoldCreate } from '../../../functions/recordings/recording-hold-create';
import type { FunctionsSettings } from '../../../functions/settings';
import { segmentBlobName } from '../../../shared/contracts/blob-naming';
import { toIso } from '../../../shared/time';
import { loadBicep } from '../../helpers/bicep-checks';
import { propertyValues, type BicepValue } from '../../helpers/bicep-values';
import { lifecycleRuleMatches, type LifecycleBlob } from '../../helpers/lifecycle-rule';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { batchContext, segmentEvent, testSettings, viaEventGrid } from '../../helpers/functions-fixtures';
import { ingestStored } from '../../helpers/segment-blob-fixtures';

/**
 * docs/security.md "Holds hold in Azure too": the storage lifecycle backstop (infra/modules/storage.bicep) must never
 * delete a segment a hold keeps, nor one a camera policy keeps. Azurite has no lifecycle management, so the rule is
 * read from the Bicep (tree-sitter-bicep) and its filters applied to Azurite's real blobs and blob index tags, as if
 * every blob were old enough (test/helpers/lifecycle-rule.ts); the tags come from the real ingest and hold handlers.
 */
const ROOT = path.resolve(__dirname, '..', '..', '..', '..');
const SEGMENT_MS = 10_000;

describe('the storage lifecycle backstop never deletes what a hold or a policy keeps', () => {
  let azurite: AzuriteInstance;
  let s: FunctionsSettings;
  let deps: FunctionsDeps;
  let container: ContainerClient;
  let rule: BicepValue;

  before(async () => {
    azurite = await startAzurite();
    s = testSettings(azurite.connectionString, { KEEPWATCH_RETENTION_MAX: 'P9D' });
    deps = createDeps(s);
    await deps.ensureStorage();
    container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(s.recordingsContainer);
    const bicep = await loadBicep();
    const rules = propertyValues(bicep, bicep.parse(readFileSync(path.join(ROOT, 'infra', 'modules', 'storage.bicep'), 'utf8')), 'rules');
    assert.equal(rules.length, 1, 'one lifecycle policy');
    // Two rules delete: the segments' backstop, and the expiry of evidence export bundles under `_exports/` (which no
    // camera id, so no segment, can start with; test/unit/infra/bicep-retention-backstop.test.ts).
    const deleting = (rules[0] as BicepValue[]).filter((r) => JSON.stringify(r).includes('"delete"'));
    assert.deepEqual(deleting.map((r) => (r as { name: string }).name).sort(), ['export-bundles-expiry', 'segments-retention-backstop'], 'the rules that delete');
    rule = deleting.find((r) => (r as { name: string }).name === 'segments-retention-backstop')!;
  });
  after(async () => {
    await azurite?.stop();
  });

  /** Every blob of the recordings container with its type and blob index tags, as the lifecycle filters see it. */
  async function blobs(): Promise<LifecycleBlob[]> {
    const out: LifecycleBlob[] = [];
    for await (const b of container.listBlobsFlat()) {
      const { tags } = await container.getBlobClient(b.name).getTags();
      out.push({ container: s.recordingsContainer, name: b.name, blobType: b.properties.blobType ?? '', tags });
    }
    return out;
  }

  it('held segments are never matched (a hold made before their upload, one made after, a recording hold); every other indexed segment is', async () => {
    const t0 = Math.floor((Date.now() - 3_600_000) / SEGMENT_MS) * SEGMENT_MS;
    const start = (i: number) => t0 + i * SEGMENT_MS;
    const hold = async (i: number, j: number) => {
      const body = { start: toIso(start(i)), end: toIso(start(j)), reason: 'incident' };
      const res = await holdsCreate(new HttpRequest({ method: 'POST', url: 'http://localhost/api/cameras/cam1/holds', params: { cameraId: 'cam1' }, body: { string: JSON.stringify(body) } }), batchContext(), deps);
      assert.equal(res.status, 201, JSON.stringify(res.jsonBody));
    };

    await hold(10, 11); // before segment 10 exists
    const events = Array.from({ length: 12 }, (_, i) => viaEventGrid(segmentEvent({ cameraId: 'cam1', startMs: start(i) })));
    assert.equal((await ingestStored(events, batchContext(), deps)).accepted, 12);
    await hold(2, 4); // after: segments 2 and 3
    const recId = `${start(6) + 1000}-0123456789ab`;
    await deps.recordings.upsert([
      { id: recId, cameraId: 'cam1', deviceId: 'dev1', gateRecordingId: 'motion-cam1-1', startMs: start(6) + 1000, endMs: start(6) + 5000, state: 'complete', sequence: 2, signals: [], signalCount: 1, createdAtMs: start(6), updatedAtMs: start(6) },
    ]);
    const recHold = await recordingHoldCreate(new HttpRequest({ method: 'POST', url: `http://localhost/api/cameras/cam1/recordings/${recId}/hold`, params: { cameraId: 'cam1', recordingId: recId } }), batchContext(), deps);
    assert.equal(recHold.status, 201, JSON.stringify(recHold.jsonBody));
    // An orphan (uploaded, never announced) and a page blob: no backstop tag, never matched.
    await container.getBlockBlobClient(segmentBlobName('cam1', start(20))).uploadData(Buffer.alloc(10));
    await container.getPageBlobClient(segmentBlobName('cam1', start(21))).create(512);

    const matched = lifecycleRuleMatches(rule, { recordingsContainerName: s.recordingsContainer }, await blobs()).map((b) => b.name).sort();
    const held = new Set([2, 3, 6, 10]);
    const expected = Array.from({ length: 12 }, (_, i) => i).filter((i) => !held.has(i)).map((i) => segmentBlobName('cam1', start(i))).sort();
    assert.deepEqual(matched, expected);
    for (const i of held) assert.deepEqual((await container.getBlobClient(segmentBlobName('cam1', start(i))).getTags()).tags, { 'keepwatch-backstop': 'held' }, `segment ${i}`);
  });

  it('a camera policy longer than KEEPWATCH_RETENTION_MAX (what the backstop waits, less its margin) is refused, 400 RetentionTooLong', async () => {
    const put = async (retention: Record<string, unknown>) => {
      const res = await cameraPolicyPut(
        new HttpRequest({ method: 'PUT', url: 'http://localhost/api/cameras/cam2/policy', params: { cameraId: 'cam2' }, body: { string: JSON.stringify({ retention }) } }),
        batchContext(),
        deps,
      );
      return { status: res.status, code: (res.jsonBody as { error?: { code: string } }).error?.code };
    };
    assert.deepEqual(await put({ archive: 'P10D' }), { status: 400, code: 'RetentionTooLong' });
    assert.deepEqual(await put({ archive: 'P7D', recordings: 'P30D' }), { status: 400, code: 'RetentionTooLong' });
    assert.equal(await deps.policies.get('cam2'), undefined, 'nothing stored');
    assert.deepEqual(await put({ archive: 'P9D' }), { status: 200, code: undefined });
  });
});
