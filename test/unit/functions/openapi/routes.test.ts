import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { registrations } from '../../../../functions/app';
import '../../../../functions/index';
import { HTTP_ROUTES } from '../../../../functions/openapi/routes';

describe('functions/openapi/routes.ts: the route specs the document is built from', () => {
  it('lists exactly the specs the HTTP functions registered with, once each', () => {
    const registered = registrations().flatMap((r) => (r.kind === 'http' ? [r.spec] : []));
    assert.equal(new Set(HTTP_ROUTES).size, HTTP_ROUTES.length, 'a spec is listed twice');
    assert.deepEqual(
      registered.map((s) => s.operationId).sort(),
      HTTP_ROUTES.map((s) => s.operationId).sort(),
    );
    for (const spec of registered) assert.ok(HTTP_ROUTES.includes(spec), `${spec.operationId}: the registered spec is the listed one`);
  });

  it('registers each function under its spec: name, method, route, and host auth level anonymous (the app authorizes)', () => {
    for (const r of registrations()) {
      if (r.kind !== 'http') continue;
      assert.equal(r.name, r.spec.operationId);
      assert.deepEqual(r.options.methods, [r.spec.method]);
      assert.equal(`/${r.options.route}`, r.spec.path);
      assert.equal(r.options.authLevel, 'anonymous', r.name);
    }
  });
});
