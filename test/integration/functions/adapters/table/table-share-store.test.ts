import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Share } from '../../../../../functions/adapters/table/table-share-store';
import { createDeps, type FunctionsDeps } from '../../../../../functions/deps';
import { startAzurite, type AzuriteInstance } from '../../../../helpers/azurite';
import { testSettings } from '../../../../helpers/functions-fixtures';

const T0 = Date.UTC(2026, 10, 21, 10);

const share = (id: string, createdAtMs: number, extra: Partial<Share> = {}): Share => ({
  id: id.padEnd(22, 'x'),
  cameraId: 'door',
  startMs: T0,
  endMs: T0 + 60_000,
  createdAtMs,
  expiresMs: createdAtMs + 3_600_000,
  createdBy: 'someone',
  ...extra,
});

describe('TableShareStore on Azurite', () => {
  let azurite: AzuriteInstance;
  let deps: FunctionsDeps;
  before(async () => {
    azurite = await startAzurite();
    deps = createDeps(testSettings(azurite.connectionString));
  });
  after(async () => {
    await azurite?.stop();
  });

  it('creates, reads back every field, lists a camera newest first, and knows no other camera', async () => {
    const a = share('a', T0, { label: 'for the insurer' });
    const b = share('b', T0 + 1000);
    await deps.shares.create(a);
    await deps.shares.create(b);
    await deps.shares.create({ ...share('c', T0 + 2000), cameraId: 'yard' });
    assert.deepEqual(await deps.shares.get('door', a.id), a);
    assert.equal(await deps.shares.get('door', 'nope'.padEnd(22, 'x')), undefined);
    assert.deepEqual((await deps.shares.list('door')).map((s) => s.id), [b.id, a.id]);
    assert.deepEqual(await deps.shares.list('gate'), []);
  });

  it('a create never overwrites a share of the same id', async () => {
    const first = share('dup', T0);
    await deps.shares.create(first);
    await assert.rejects(deps.shares.create({ ...first, endMs: T0 + 120_000 }));
    assert.equal((await deps.shares.get('door', first.id))?.endMs, T0 + 60_000);
  });

  it('revokes once: the first time stays; an unknown share is undefined', async () => {
    const s = share('rev', T0);
    await deps.shares.create(s);
    assert.deepEqual(await deps.shares.revoke('door', s.id, T0 + 5000), { ...s, revokedAtMs: T0 + 5000 });
    assert.equal((await deps.shares.revoke('door', s.id, T0 + 9000))?.revokedAtMs, T0 + 5000);
    assert.equal((await deps.shares.get('door', s.id))?.revokedAtMs, T0 + 5000);
    assert.equal(await deps.shares.revoke('door', 'none'.padEnd(22, 'x'), T0), undefined);
  });
});
