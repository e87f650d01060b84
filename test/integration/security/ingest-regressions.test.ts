import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createDeps } from '../../../functions/deps';
// Every batch as an honest agent leaves it: the blobs its segment.uploaded events claim are stored first.
import { ingestStored as ingest } from '../../helpers/segment-blob-fixtures';
import { rawPayload } from '../../../functions/ingest/ingest-decode';
import { startAzurite, type AzuriteInstance } from '../../helpers/azurite';
import { batchContext, tableRows, testSettings } from '../../helpers/functions-fixtures';

/**
 * Regressions found by the ingest fuzzer (test/fuzz/ingest.test.ts), kept as fixed cases on real Azurite. Before the
 * fixes each made the whole batch throw, so the trigger retried it and then skipped it, valid events of other devices
 * included: one device could make the cloud drop everyone's events.
 */
describe('ingest regressions found by fuzzing', () => {
  let azurite: AzuriteInstance;
  before(async () => {
    azurite = await startAzurite();
  });
  after(async () => {
    await azurite?.stop();
  });

  it('100 dead letters whose payloads grow when JSON-escaped fit in Table transactions (was RequestBodyTooLarge)', async () => {
    const s = testSettings(azurite.connectionString);
    // 30,000 × U+0001 is 30 KB of UTF-8 (under the 32 KiB cut) but 180 KB as JSON (`\u0001`): 100 of them are 18 MB.
    const batch = Array.from({ length: 100 }, (_, i) => '\u0001'.repeat(30_000 + i));
    const summary = await ingest(batch, batchContext(), createDeps(s));
    assert.equal(summary.deadLettered, 100);
    const rows = await tableRows(azurite.connectionString, s.tables.deadLetters);
    assert.equal(rows.length, 100);
    assert.ok(rows.every((r) => r.reasonCode === 'InvalidJson' && String(r.payload).length >= 30_000));
  });

  it('a message object without a prototype that JSON cannot serialise is dead-lettered (was a TypeError)', async () => {
    const s = testSettings(azurite.connectionString);
    const odd = Object.assign(Object.create(null) as Record<string, unknown>, { x: { y: 0n } });
    assert.deepEqual(rawPayload(odd), { payload: '[object Object]', payloadEncoding: 'utf8' });
    const summary = await ingest([odd], batchContext(), createDeps(s));
    assert.equal(summary.deadLettered, 1);
  });
});
