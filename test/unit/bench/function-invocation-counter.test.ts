import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpRequest, InvocationContext, type HttpHandler } from '@azure/functions';
import { registrations } from '../../../functions/app';
import { health } from '../../../functions/http/health';
import { countFunctionInvocations } from '../../../bench/function-invocation-counter';

const handlerOf = (name: string) => (registrations().find((r) => r.name === name)!.options as { handler: HttpHandler }).handler;
const call = (name: string) => handlerOf(name)(new HttpRequest({ method: 'GET', url: 'http://127.0.0.1/api/health' }), new InvocationContext({ functionName: name }));

describe('function invocation counter of the cost count (bench/function-invocation-counter.ts)', () => {
  it('counts each execution of the registered handler the hosts call, keeps its answer, and puts the handler back', async () => {
    const counter = countFunctionInvocations();
    try {
      assert.notEqual(handlerOf('health'), health, 'wrapped');
      const answers = await Promise.all([call('health'), call('health')]);
      await call('health');
      assert.deepEqual(answers.map((a) => a.status), [200, 200]);
      const snap = counter.snapshot();
      assert.deepEqual(snap.functions.map((f) => [f.name, f.kind, f.executions]), [['health', 'http', 3]]);
      // Two of the three overlapped: the active time is at most the sum of the durations.
      assert.ok(snap.activeMs <= snap.functions[0].totalMs + 1e-6, `${snap.activeMs} ≤ ${snap.functions[0].totalMs}`);
      counter.reset();
      assert.deepEqual(counter.snapshot(), { functions: [], activeMs: 0 });
    } finally {
      counter.restore();
    }
    assert.equal(handlerOf('health'), health, 'restored');
  });
});
