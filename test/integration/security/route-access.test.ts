import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ALL_ROLES } from '../../../functions/auth/access';
import { AUTH_TEST_USERS, startAuthTestHost, type AuthTestHost } from '../../helpers/auth-host';
import { apiOperations, fillPath, type ApiOperation } from '../../helpers/openapi-operations';

const API_KEY = 'route-access-admin-key';

/** A valid value for each path parameter, so that a let-through request reaches the handler's own checks. */
const PATH_VALUES: Record<string, string> = { cameraId: 'door', deviceId: 'dev-1', recordingId: '1763719200000-0123456789ab', holdId: 'h1', name: 'p1', asset: 'viewer.js', shareId: 'AAAAAAAAAAAAAAAAAAAAAA', exportId: '00000000-0000-4000-8000-000000000000' };

function requestOf(op: ApiOperation): { url: string; init: RequestInit } {
  const query = new URLSearchParams();
  for (const q of op.queryParams.filter((p) => p.required)) {
    if (q.schema.format === 'date-time') query.set(q.name, q.name === 'start' ? '2026-11-21T10:00:00Z' : '2026-11-21T10:05:00Z');
    else if (q.schema.enum) query.set(q.name, String(q.schema.enum[0]));
    else query.set(q.name, '1');
  }
  const values = Object.fromEntries(op.pathParams.map((p) => [p.name, PATH_VALUES[p.name] ?? 'x1']));
  const qs = query.toString();
  return {
    url: `${fillPath(op.template, values)}${qs ? `?${qs}` : ''}`,
    init: { method: op.method, ...(op.body ? { body: '{}', headers: { 'content-type': 'application/json' } } : {}) },
  };
}

/**
 * Every role × every route of the OpenAPI document (so a route added later is covered once documented): a token with
 * a role the route's `x-keepwatch-roles` lists is let through (whatever the handler then answers, never 401/403), any
 * other gets 403 `Forbidden` naming the roles and nothing else; no credential is a 401 with a Bearer challenge; the
 * administrator's key opens every role route. Tokens come from the development issuer over HTTP.
 */
describe('route access: each role × each documented route (tokens of the development issuer)', () => {
  let t: AuthTestHost;
  const operations = apiOperations();
  const roleOps = operations.filter((o) => o.access === 'roles');

  before(async () => {
    t = await startAuthTestHost({ apiKey: API_KEY, tablePrefix: 'access' });
  });
  after(async () => t?.stop());

  const send = (op: ApiOperation, headers: Record<string, string>) => {
    const { url, init } = requestOf(op);
    return fetch(`${t.host.url}${url}`, { ...init, headers: { ...(init.headers as Record<string, string>), ...headers } });
  };

  it('the document declares an access for every route, and roles for every role route', () => {
    assert.ok(roleOps.length >= 25, `role routes: ${roleOps.length}`);
    for (const o of operations) assert.ok(['roles', 'anyone', 'playbackToken', 'deviceSecret'].includes(o.access), `${o.method} ${o.template}: ${o.access}`);
    for (const o of roleOps) {
      assert.ok(o.roles.length > 0 && o.roles.every((r) => (ALL_ROLES as readonly string[]).includes(r)), `${o.method} ${o.template}: ${o.roles.join(', ')}`);
      assert.ok(o.roles.includes('Keepwatch.Admin'), `${o.method} ${o.template}: an admin may do everything`);
    }
  });

  for (const user of AUTH_TEST_USERS.filter((u) => !u.cameras)) {
    it(`${user.id} (${user.roles.join(', ') || 'no role'}): allowed exactly where the document says`, async () => {
      const token = await t.token(user.id);
      const wrong: string[] = [];
      for (const op of roleOps) {
        const res = await send(op, { authorization: `Bearer ${token}` });
        const body = await res.text();
        const allowed = op.roles.some((r) => user.roles.includes(r));
        if (allowed) {
          if (res.status === 401 || res.status === 403) wrong.push(`${op.method} ${op.template}: ${res.status} ${body}`);
          continue;
        }
        if (res.status !== 403) {
          wrong.push(`${op.method} ${op.template}: ${res.status}, expected 403`);
          continue;
        }
        const parsed = JSON.parse(body) as { error: Record<string, unknown> };
        assert.deepEqual(Object.keys(parsed), ['error']);
        assert.deepEqual(Object.keys(parsed.error).sort(), ['code', 'message'], 'nothing but code and message');
        assert.equal(parsed.error.code, 'Forbidden');
        for (const r of op.roles) assert.match(String(parsed.error.message), new RegExp(r.replace('.', '\\.')), `${op.method} ${op.template} names ${r}`);
        assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer .*error="insufficient_scope"/);
      }
      assert.deepEqual(wrong, []);
    });
  }

  it('no credential: 401 Unauthorized with a Bearer challenge on every role route', async () => {
    for (const op of roleOps) {
      const res = await send(op, {});
      assert.equal(res.status, 401, `${op.method} ${op.template}`);
      assert.match(res.headers.get('www-authenticate') ?? '', /^Bearer realm="keepwatch"/);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'Unauthorized');
    }
  });

  it("the administrator's key (header or code query) opens every role route; a wrong key does not", async () => {
    for (const op of roleOps) {
      const viaHeader = await send(op, { 'x-functions-key': API_KEY });
      assert.ok(viaHeader.status !== 401 && viaHeader.status !== 403, `${op.method} ${op.template}: ${viaHeader.status} ${await viaHeader.text()}`);
      const { url, init } = requestOf(op);
      const viaQuery = await fetch(`${t.host.url}${url}${url.includes('?') ? '&' : '?'}code=${encodeURIComponent(API_KEY)}`, init);
      assert.ok(viaQuery.status !== 401 && viaQuery.status !== 403, `${op.method} ${op.template} (code): ${viaQuery.status}`);
      const wrongKey = await send(op, { 'x-functions-key': `${API_KEY}x`, authorization: `Bearer ${await t.token('admin')}` });
      assert.equal(wrongKey.status, 401, `${op.method} ${op.template}: a wrong key is refused even beside a good token`);
    }
  });

  it('routes without a role need nothing (anyone), or their own credential, which neither a token nor the key replaces', async () => {
    const adminToken = await t.token('admin');
    for (const op of operations.filter((o) => o.access !== 'roles')) {
      if (op.access === 'anyone') {
        const res = await send(op, {});
        assert.equal(res.status, 200, `${op.method} ${op.template}`);
      } else {
        for (const headers of [{ authorization: `Bearer ${adminToken}` }, { 'x-functions-key': API_KEY }] as Record<string, string>[]) {
          const res = await send(op, headers);
          assert.equal(res.status, 401, `${op.method} ${op.template} with ${Object.keys(headers)[0]}: ${res.status}`);
        }
      }
    }
  });

  it('a token scoped to some cameras is refused on routes that reach every camera (devices, pipelines)', async () => {
    const token = await t.token('door-operator');
    for (const op of roleOps.filter((o) => o.cameraScope === 'all' && o.roles.includes('Keepwatch.Operator'))) {
      const res = await send(op, { authorization: `Bearer ${token}` });
      assert.equal(res.status, 403, `${op.method} ${op.template}`);
      assert.match(((await res.json()) as { error: { message: string } }).error.message, /all cameras/);
    }
  });
});
