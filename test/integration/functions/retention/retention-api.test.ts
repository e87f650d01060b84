import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestHost, type TestHost } from '../../../helpers/test-host';

const API_KEY = 'retention-api-test-key';

describe('policy and holds API through the local functions host', () => {
  let t: TestHost;
  let api: string;

  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'rapi', env: { KEEPWATCH_RETENTION_DEFAULT: 'P14D' } });
    api = t.api;
  });

  after(async () => {
    await t?.stop();
  });

  const call = (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    fetch(`${api}${path}`, {
      method,
      headers: { 'x-functions-key': API_KEY, ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
  async function expectError(res: Response, status: number, code: string, message?: RegExp) {
    const body = (await res.json()) as { error: { code: string; message: string } };
    assert.equal(res.status, status, JSON.stringify(body));
    assert.equal(body.error.code, code, body.error.message);
    if (message) assert.match(body.error.message, message);
  }

  describe('GET/PUT /api/cameras/{cameraId}/policy', () => {
    it('a camera without a policy gets the defaults (KEEPWATCH_RETENTION_DEFAULT) flagged as such, without ETag', async () => {
      const res = await call('GET', '/cameras/door-1/policy');
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('etag'), null);
      assert.deepEqual(await res.json(), { cameraId: 'door-1', policy: { retention: { archive: 'P14D' } }, isDefault: true });
    });

    it('PUT stores and returns the policy with an ETag; the same PUT again is idempotent', async () => {
      const doc = { retention: { archive: 'P30D', recordings: 'P90D', maximumSizeMiB: 51200 } };
      const res = await call('PUT', '/cameras/door-2/policy', doc);
      const body = (await res.json()) as { cameraId: string; policy: unknown; isDefault: boolean; updatedAt: string };
      assert.equal(res.status, 200, JSON.stringify(body));
      const etag = res.headers.get('etag');
      assert.ok(etag);
      assert.deepEqual({ ...body, updatedAt: undefined }, { cameraId: 'door-2', policy: doc, isDefault: false, updatedAt: undefined });
      assert.ok(!Number.isNaN(Date.parse(body.updatedAt)));

      const again = await call('PUT', '/cameras/door-2/policy', doc);
      assert.equal(again.status, 200);
      assert.equal(again.headers.get('etag'), etag, 'same document, same ETag');
      const read = await call('GET', '/cameras/door-2/policy');
      assert.equal(read.headers.get('etag'), etag);
      assert.deepEqual(((await read.json()) as { policy: unknown }).policy, doc);
    });

    it('If-Match: the current ETag or * writes, a stale one is a 412 and changes nothing', async () => {
      const first = await call('PUT', '/cameras/door-3/policy', { retention: { archive: 'P7D' } });
      const etag = first.headers.get('etag')!;
      const second = await call('PUT', '/cameras/door-3/policy', { retention: { archive: 'P8D' } }, { 'if-match': etag });
      assert.equal(second.status, 200);
      const newEtag = second.headers.get('etag')!;
      assert.notEqual(newEtag, etag);
      await expectError(await call('PUT', '/cameras/door-3/policy', { retention: { archive: 'P9D' } }, { 'if-match': etag }), 412, 'PreconditionFailed', /door-3/);
      assert.equal((await call('PUT', '/cameras/door-3/policy', { retention: { archive: 'P10D' } }, { 'if-match': '*' })).status, 200);
      await expectError(await call('PUT', '/cameras/door-4/policy', { retention: { archive: 'P9D' } }, { 'if-match': '*' }), 412, 'PreconditionFailed', /no stored policy/);
      const read = (await (await call('GET', '/cameras/door-3/policy')).json()) as { policy: { retention: { archive: string } } };
      assert.equal(read.policy.retention.archive, 'P10D');
      assert.equal(((await (await call('GET', '/cameras/door-4/policy')).json()) as { isDefault: boolean }).isDefault, true);
    });

    it('bad input is a 400 naming the problem, and stores nothing', async () => {
      await expectError(await call('PUT', '/cameras/cam-x/policy', { retention: { archive: 'P7D' }, mode: 'sometimes' }), 400, 'InvalidPolicy', /mode/);
      await expectError(await call('PUT', '/cameras/cam-x/policy', { retention: { archive: 'PT12H' } }), 400, 'InvalidPolicy', /retention\.archive/);
      await expectError(await call('PUT', '/cameras/cam-x/policy', { retention: { archive: 'P3651D' } }), 400, 'InvalidPolicy', /P3650D/);
      await expectError(await call('PUT', '/cameras/cam-x/policy', { retention: { archive: 'P7D', maximumSizeMiB: 0.5 } }), 400, 'InvalidPolicy', /maximumSizeMiB/);
      await expectError(await call('PUT', '/cameras/cam-x/policy', { retention: { archive: 'P7D', recordings: 'PT36H' } }), 400, 'InvalidPolicy', /retention\.recordings/);
      await expectError(await call('PUT', '/cameras/cam-x/policy', '{"retention":'), 400, 'InvalidJson');
      await expectError(await call('PUT', '/cameras/cam-x/policy', ''), 400, 'MissingBody');
      await expectError(await call('PUT', '/cameras/Cam_X/policy', { retention: { archive: 'P7D' } }), 400, 'InvalidCameraId');
      assert.equal(((await (await call('GET', '/cameras/cam-x/policy')).json()) as { isDefault: boolean }).isDefault, true);
    });

    it('needs the function key', async () => {
      await expectError(await fetch(`${api}/cameras/door-1/policy`), 401, 'Unauthorized');
      await expectError(await fetch(`${api}/cameras/door-1/policy`, { method: 'PUT', body: '{}' }), 401, 'Unauthorized');
    });
  });

  describe('holds', () => {
    it('POST creates (201), GET lists by start, DELETE removes (204, then 404)', async () => {
      const created = await call('POST', '/cameras/lobby/holds', { start: '2026-11-20T10:00:00Z', end: '2026-11-20T12:00:00+01:00', reason: 'incident 7' });
      const hold = (await created.json()) as { id: string; start: string; end: string; reason: string | null; createdAt: string };
      assert.equal(created.status, 201, JSON.stringify(hold));
      assert.match(hold.id, /^[a-z0-9-]{36}$/);
      assert.equal(created.headers.get('location'), `/api/cameras/lobby/holds/${hold.id}`);
      assert.deepEqual(
        { start: hold.start, end: hold.end, reason: hold.reason },
        { start: '2026-11-20T10:00:00.000Z', end: '2026-11-20T11:00:00.000Z', reason: 'incident 7' },
      );
      assert.ok(!Number.isNaN(Date.parse(hold.createdAt)));
      const earlier = (await (await call('POST', '/cameras/lobby/holds', { start: '2026-11-19T00:00:00Z', end: '2026-11-19T01:00:00Z' })).json()) as { id: string; reason: unknown };
      assert.equal('reason' in earlier, false, 'no reason given, none answered');

      const list = (await (await call('GET', '/cameras/lobby/holds')).json()) as { holds: Array<{ id: string }> };
      assert.deepEqual(list.holds.map((h) => h.id), [earlier.id, hold.id]);
      assert.deepEqual((await (await call('GET', '/cameras/other/holds')).json()) as unknown, { holds: [] });

      const del = await call('DELETE', `/cameras/lobby/holds/${hold.id}`);
      assert.equal(del.status, 204);
      await expectError(await call('DELETE', `/cameras/lobby/holds/${hold.id}`), 404, 'HoldNotFound', new RegExp(hold.id));
      const after = (await (await call('GET', '/cameras/lobby/holds')).json()) as { holds: Array<{ id: string }> };
      assert.deepEqual(after.holds.map((h) => h.id), [earlier.id]);
    });

    it('bad input is a 400 naming the problem, and creates nothing', async () => {
      await expectError(await call('POST', '/cameras/gate/holds', { start: '2026-11-20T10:00:00Z', end: '2026-11-20T10:00:00Z' }), 400, 'InvalidRange', /'end'/);
      await expectError(await call('POST', '/cameras/gate/holds', { start: 'noon', end: '2026-11-20T10:00:00Z' }), 400, 'InvalidDateTime', /'start' "noon"/);
      await expectError(await call('POST', '/cameras/gate/holds', { start: '2026-11-20T10:00:00Z', end: '2026-11-21T10:00:00Z', recording: 'r1' }), 400, 'InvalidHold', /unknown key 'recording'/);
      await expectError(await call('POST', '/cameras/gate/holds', 'not json'), 400, 'InvalidJson');
      await expectError(await call('DELETE', '/cameras/gate/holds/a%23b'), 400, 'InvalidHoldId');
      await expectError(await call('DELETE', `/cameras/gate/holds/${'0'.repeat(36)}`), 404, 'HoldNotFound');
      assert.deepEqual((await (await call('GET', '/cameras/gate/holds')).json()) as unknown, { holds: [] });
    });
  });
});
