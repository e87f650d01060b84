import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { OpenApiParameter } from '../../../functions/openapi/openapi';
import { apiOperations, fillPath, isIdParam } from '../../helpers/openapi-operations';
import { HOSTILE_IDS } from '../../helpers/hostile-ids';
import { errorBodyOf, rawRequest } from '../../helpers/raw-http';
import { storageSnapshot } from '../../helpers/storage-snapshot';
import { startTestHost, type TestHost } from '../../helpers/test-host';

/**
 * docs/security.md: ids reach blob names, Table keys, OData filters and MQTT topics, so every route that takes an id
 * must refuse anything outside `[a-z0-9-]{1,32}` with a 400 naming it, before any storage call, and write nothing.
 * Routes come from the OpenAPI document (test/helpers/openapi-operations.ts): a route added later is covered as soon as
 * it is documented.
 */
const API_KEY = 'security-ids-key';
const T0 = '2026-11-21T10:00:00.000Z';
const T1 = '2026-11-21T10:00:30.000Z';


/** A value a parameter accepts, so only the parameter under test is wrong. */
function validValue(p: OpenApiParameter): string {
  if (p.in === 'path') {
    if (p.name === 'cameraId') return 'cam1';
    if (p.schema.enum) return String(p.schema.enum[0]);
    return isIdParam(p.name) ? '1732183200000-0123456789ab' : 'x1';
  }
  if (p.schema.format === 'date-time') return /end/i.test(p.name) ? T1 : T0;
  if (p.schema.enum) return String(p.schema.enum[0]);
  if (p.schema.examples?.length) return String(p.schema.examples[0]);
  return 'x';
}

function queryOf(params: readonly OpenApiParameter[]): string {
  const q = new URLSearchParams();
  for (const p of params) if (p.required) q.set(p.name, validValue(p));
  const s = q.toString();
  return s ? `?${s}` : '';
}

describe('hostile ids on every documented route', () => {
  let t: TestHost;
  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'secids' });
  });
  after(async () => {
    await t?.stop();
  });

  const operations = apiOperations();

  it('the OpenAPI document lists routes with ids (the harness has something to cover)', () => {
    const withIds = operations.filter((op) => op.pathParams.some((p) => isIdParam(p.name)));
    assert.ok(withIds.length >= 8, `only ${withIds.length} operations take an id`);
    assert.ok(withIds.some((op) => op.method !== 'GET'), 'write routes are among them');
  });

  for (const op of operations) {
    for (const param of op.pathParams) {
      const id = isIdParam(param.name);
      it(`${op.method} ${op.template}: hostile ${param.name} → ${id ? '400' : '4xx'} with the error body, nothing written`, async () => {
        const before = await storageSnapshot(t.azurite.connectionString);
        const base = Object.fromEntries(op.pathParams.map((p) => [p.name, encodeURIComponent(validValue(p))]));
        const failures: string[] = [];
        // A value the parameter's documented pattern allows is not hostile to it (AVA entity names may be upper case).
        const documented = param.schema.pattern === undefined ? undefined : new RegExp(param.schema.pattern);
        const hostile = HOSTILE_IDS.filter((v) => !documented?.test(v));
        // Encoded, as a client library sends it: the parameter arrives decoded and whole (`..%2Fx` → `../x`).
        const encoded = hostile.map((v) => [v, encodeURIComponent(v)] as const);
        // Raw, as an attacker may send it, where the request line allows: `/api/cameras/../x/gaps`, `a'b`.
        const raw = hostile.filter((v) => v && /^[\x21-\x7e]+$/.test(v) && !/[?#]/.test(v)).map((v) => [v, v] as const);
        for (const [value, inPath] of [...encoded, ...raw]) {
          const path = fillPath(op.template, { ...base, [param.name]: inPath }) + queryOf(op.queryParams);
          const r = await rawRequest(t.host.url, op.method, path, { headers: { 'x-functions-key': API_KEY }, ...(op.body ? { body: '{}' } : {}) });
          const err = errorBodyOf(r);
          const label = `${JSON.stringify(value.slice(0, 40))} as ${path.slice(0, 120)}`;
          if (typeof err === 'string') failures.push(`${label}: ${r.status} ${err}`);
          else if (r.status < 400 || r.status >= 500) failures.push(`${label}: status ${r.status}`);
          else if (id && inPath !== value && r.status !== 400) failures.push(`${label}: ${r.status} ${err.code}, expected 400`);
          else if (id && inPath !== value && param.name === 'cameraId' && err.code !== 'InvalidCameraId') failures.push(`${label}: code ${err.code}`);
        }
        assert.deepEqual(failures, []);
        assert.deepEqual(await storageSnapshot(t.azurite.connectionString), before, 'nothing was written');
      });
    }
  }

  it('an API key hidden inside an encoded path parameter does not authenticate', async () => {
    const before = await storageSnapshot(t.azurite.connectionString);
    const r = await rawRequest(t.host.url, 'GET', `/api/cameras/${encodeURIComponent('cam1?code=' + API_KEY)}/gaps?start=${T0}&end=${T1}`);
    assert.equal(r.status, 401, 'the key inside a path parameter does not authenticate');
    assert.deepEqual(await storageSnapshot(t.azurite.connectionString), before);
  });
});
