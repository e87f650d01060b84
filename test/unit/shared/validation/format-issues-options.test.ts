import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { z } from 'zod';
import { ValidationError } from '../../../../shared/errors';
import { parseWith, problemsError, tryParse } from '../../../../shared/validation/format-issues';

describe('format-issues: secrets named by the caller, problems gathered over several schemas', () => {
  const schema = z.object({ DB_URL: z.string().min(10), sasTtl: z.enum(['short', 'long']) });

  it('by default a value is a secret by its key name; isSecret replaces that rule', () => {
    const input = { DB_URL: 'hunter2', sasTtl: 'medium' };
    const byName = tryParse(schema, input);
    assert.ok(!byName.success);
    assert.deepEqual(
      byName.lines.map((l) => l.line),
      ['DB_URL: "hunter2" has 7 characters; expected at least 10 characters', 'sasTtl: the value (not shown: a secret) is not one of short, long'],
    );
    const named = tryParse(schema, input, { isSecret: (path) => path[0] === 'DB_URL' });
    assert.ok(!named.success);
    assert.deepEqual(
      named.lines.map((l) => l.line),
      ['DB_URL: the value (not shown: a secret) has 7 characters; expected at least 10 characters', 'sasTtl: "medium" is not one of short, long'],
    );
    assert.throws(
      () => parseWith(schema, input, 'doc', 'Bad', { isSecret: (path) => path[0] === 'DB_URL' }),
      (e: unknown) => e instanceof ValidationError && e.code === 'Bad' && !e.message.includes('hunter2') && e.message.startsWith('doc: 2 problems:\n  DB_URL: '),
    );
  });

  it('problemsError words lines as parseWith does: one on the same line, several indented', () => {
    const one = problemsError('doc', [{ path: 'a', message: 'm', line: 'a: m' }], 'Bad');
    assert.equal(one.message, 'doc: a: m');
    assert.equal(one.code, 'Bad');
    assert.deepEqual(one.details, [{ path: 'a', message: 'm' }]);
    assert.equal(problemsError('doc', [{ path: 'a', message: 'm', line: 'a: m' }, { path: 'b', message: 'n', line: 'b: n' }]).message, 'doc: 2 problems:\n  a: m\n  b: n');
  });
});
