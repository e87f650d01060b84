import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomBytes } from 'node:crypto';
import { TableClient } from '@azure/data-tables';
import { TableLiveMarkStore } from '../../../../../functions/adapters/table/table-live-mark-store';
import { startAzurite, type AzuriteInstance } from '../../../../helpers/azurite';

const T0 = Date.UTC(2026, 10, 21, 10, 0, 0);
const mark = (startMs: number, mediaSequence: number) => ({ startMs, mediaSequence, discontinuitySequence: 2, targetDurationS: 3 });

describe('TableLiveMarkStore on Azurite', () => {
  let azurite: AzuriteInstance;
  let store: TableLiveMarkStore;

  before(async () => {
    azurite = await startAzurite();
    store = new TableLiveMarkStore(TableClient.fromConnectionString(azurite.connectionString, `lm${randomBytes(4).toString('hex')}`, { allowInsecureConnection: true }));
  });

  after(async () => {
    await azurite?.stop();
  });

  it('has no mark before the first write, even before its table exists', async () => {
    assert.equal(await store.get('cam1'), undefined);
  });

  it('creates once, replaces at the ETag read, and reports a lost race as false without writing', async () => {
    assert.equal(await store.put('cam1', mark(T0, 100), undefined, T0), true);
    const first = (await store.get('cam1'))!;
    assert.deepEqual(first.mark, mark(T0, 100));
    // A second creator (another reload that read no row) loses: nothing changes.
    assert.equal(await store.put('cam1', mark(T0 + 2000, 999), undefined, T0), false);
    assert.deepEqual((await store.get('cam1'))!.mark, mark(T0, 100));
    assert.equal(await store.put('cam1', mark(T0 + 2000, 101), first.etag, T0 + 2000), true);
    // A writer holding the old ETag loses.
    assert.equal(await store.put('cam1', mark(T0 + 2000, 555), first.etag, T0 + 2000), false);
    assert.deepEqual((await store.get('cam1'))!.mark, mark(T0 + 2000, 101));
    assert.equal(await store.get('cam2'), undefined, 'one row per camera');
  });
});
