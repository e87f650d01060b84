import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RestError } from '@azure/storage-blob';
import { TransientError } from '../../../../../shared/errors';
import { isTransientStorageError, rethrowStorageError, storageStatus } from '../../../../../functions/adapters/storage/storage-errors';

const rest = (statusCode: number) => new RestError(`status ${statusCode}`, { statusCode });

describe('storage error classification', () => {
  it('treats network failures, 408, 429 and most 5xx as transient', () => {
    for (const e of [new Error('ECONNREFUSED'), rest(408), rest(429), rest(500), rest(503)]) assert.equal(isTransientStorageError(e), true, e.message);
  });

  it('treats 4xx, 501, 505 and programming errors as permanent', () => {
    for (const e of [rest(400), rest(403), rest(404), rest(409), rest(412), rest(501), rest(505), new TypeError('x')]) {
      assert.equal(isTransientStorageError(e), false, e.message);
    }
    assert.equal(storageStatus(rest(412)), 412);
    assert.equal(storageStatus('nope'), undefined);
  });

  it('rethrows transient failures as TransientError naming the operation, others unchanged', () => {
    assert.throws(() => rethrowStorageError(rest(503), 'list rows'), (e: unknown) => e instanceof TransientError && /list rows \(HTTP 503\)/.test(e.message));
    const permanent = rest(403);
    assert.throws(() => rethrowStorageError(permanent, 'list rows'), (e: unknown) => e === permanent);
  });
});
