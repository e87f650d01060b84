import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { OPENAPI_DOCUMENT, type JsonSchema } from '../../functions/openapi/openapi';
import { checkProperty, mutated, type Json } from '../helpers/fuzz';
import { HOSTILE_IDS } from '../helpers/hostile-ids';
import { apiOperations, fillPath, type ApiOperation } from '../helpers/openapi-operations';
import { errorBodyOf, rawRequest } from '../helpers/raw-http';
import { storageSnapshot } from '../helpers/storage-snapshot';
import { startTestHost, type TestHost } from '../helpers/test-host';

/**
 * Fuzzing (docs/security.md): random path parameters, query strings and bodies on every route of the OpenAPI document,
 * sent to the running local host over Azurite. Property: the answer is 2xx or 4xx, never 5xx; every 4xx carries
 * `{error:{code,message}}`; a refused write changed nothing in storage; no unhandled rejection in the process.
 */
const API_KEY = 'fuzz-http-key';
const T0 = '2026-11-21T10:00:00.000Z';

/** A minimal document of `schema` (required keys only), as the starting point of body mutations. */
function sampleOf(schema: JsonSchema | undefined, depth = 0): Json {
  if (!schema || depth > 6) return {};
  if (schema.$ref) return sampleOf(OPENAPI_DOCUMENT.components.schemas[schema.$ref.replace('#/components/schemas/', '')], depth + 1);
  if (schema.enum) return schema.enum[0];
  if (schema.examples?.length) return schema.examples[0] as Json;
  switch (schema.type) {
    case 'object':
      return Object.fromEntries((schema.required ?? []).map((k) => [k, sampleOf(schema.properties?.[k], depth + 1)]));
    case 'array':
      return [];
    case 'integer':
    case 'number':
      return schema.minimum ?? 1;
    case 'boolean':
      return true;
    case 'string':
      return schema.format === 'date-time' ? T0 : schema.format === 'duration' ? 'P7D' : 'x';
    default:
      return {};
  }
}

const text = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ unit: 'grapheme', maxLength: 12 }), fc.constantFrom(...HOSTILE_IDS), fc.constantFrom(T0, '2026-11-21', '2026-11', '2026', 'P1D', '-1', '1e400', 'NaN', 'true', '[]', '{}'));

function requestFor(op: ApiOperation) {
  const pathValue = (name: string) => fc.oneof({ weight: 2, arbitrary: fc.constant(name === 'cameraId' ? 'cam1' : 'x1') }, { weight: 3, arbitrary: text });
  const path = fc.record(Object.fromEntries(op.pathParams.map((p) => [p.name, pathValue(p.name)])) as Record<string, fc.Arbitrary<string>>);
  const documented = fc.subarray(op.queryParams.map((p) => p.name)).chain((names) => fc.tuple(...names.map((n) => fc.tuple(fc.constant(n), text))));
  const extra = fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom('code', '$filter', '__proto__', 'start', 'sig')), text), { maxLength: 3 });
  const bodyBase = sampleOf(op.body);
  const body = op.method === 'GET' ? fc.constant(undefined) : fc.oneof(
    fc.constant(undefined),
    mutated(bodyBase).map((d) => JSON.stringify(d)),
    fc.jsonValue().map((d) => JSON.stringify(d)),
    fc.string({ maxLength: 200 }),
    fc.constant('{"a":'),
    fc.constant(JSON.stringify(bodyBase)),
  );
  return fc.record({ path, query: fc.tuple(documented, extra).map(([a, b]) => [...a, ...b]), body, keyed: fc.integer({ min: 0, max: 9 }).map((n) => n > 0) });
}

describe('fuzz: HTTP API of the local host on Azurite', () => {
  let t: TestHost;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  before(async () => {
    t = await startTestHost({ apiKey: API_KEY, tablePrefix: 'fuzzhttp' });
    process.on('unhandledRejection', onRejection);
  });
  after(async () => {
    process.off('unhandledRejection', onRejection);
    await t?.stop();
  });

  for (const op of apiOperations()) {
    it(`${op.method} ${op.template}: 2xx or 4xx with the error body, never 5xx; a refused write changes nothing`, async () => {
      await checkProperty(`http ${op.operationId}`, fc.asyncProperty(requestFor(op), async (req) => {
        const q = new URLSearchParams();
        for (const [k, v] of req.query) q.append(k, v);
        const path = fillPath(op.template, Object.fromEntries(Object.entries(req.path).map(([k, v]) => [k, encodeURIComponent(v)]))) + (req.query.length ? `?${q}` : '');
        const write = op.method !== 'GET';
        const before = write ? await storageSnapshot(t.azurite.connectionString) : undefined;
        const r = await rawRequest(t.host.url, op.method, path, { headers: req.keyed ? { 'x-functions-key': API_KEY } : {}, ...(req.body !== undefined ? { body: req.body } : {}) });
        assert.ok(r.status >= 200 && r.status < 500, `${op.method} ${path} ${req.body ?? ''} → ${r.status} ${r.text.slice(0, 300)}`);
        if (r.status >= 400) {
          const err = errorBodyOf(r);
          assert.equal(typeof err, 'object', `${op.method} ${path} → ${r.status}: ${String(err)}`);
          if (write) assert.deepEqual(await storageSnapshot(t.azurite.connectionString), before, `${op.method} ${path} ${req.body ?? ''} → ${r.status} but storage changed`);
        }
        assert.deepEqual(rejections, []);
      }), 0.5);
    });
  }
});
