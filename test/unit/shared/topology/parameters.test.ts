import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ValidationError } from '../../../../shared/errors';
import { maskSecrets, resolveParameters, substituteParameters } from '../../../../shared/topology/parameters';
import type { ParameterDeclaration } from '../../../../shared/topology/parse-topology';

const DECLARED: ParameterDeclaration[] = [
  { name: 'rtspUrl', type: 'string' },
  { name: 'rtspUserName', type: 'string', default: 'dummyUserName' },
  { name: 'rtspPassword', type: 'secretstring', default: 'dummyPassword' },
  { name: 'frameRate', type: 'int', default: '2' },
  { name: 'threshold', type: 'double', default: '0.5' },
  { name: 'enabled', type: 'bool', default: 'True' },
];

function rejects(fn: () => unknown, code: string, check: (message: string) => boolean): void {
  assert.throws(fn, (e: unknown) => e instanceof ValidationError && e.code === code && check(e.message));
}

describe('topology parameters (shared/topology/parameters.ts)', () => {
  it('applies declared defaults, supplied values win', () => {
    const r = resolveParameters(DECLARED, { rtspUrl: 'rtsp://a/s', frameRate: '5' }, 't');
    assert.deepEqual(r.values, { rtspUrl: 'rtsp://a/s', rtspUserName: 'dummyUserName', rtspPassword: 'dummyPassword', frameRate: '5', threshold: '0.5', enabled: 'True' });
    assert.deepEqual(r.secretNames, ['rtspPassword']);
    assert.deepEqual(r.secretValues, ['dummyPassword']);
  });

  it('refuses a missing required parameter, naming each', () => {
    rejects(() => resolveParameters([...DECLARED, { name: 'inferencingUrl', type: 'string' }], {}, "topology 'T'"), 'MissingParameter', (m) => m.includes("'rtspUrl', 'inferencingUrl'") && m.startsWith("topology 'T'"));
  });

  it('refuses undeclared parameters, naming each and the declared ones', () => {
    rejects(() => resolveParameters(DECLARED, { rtspUrl: 'x', rtspurl: 'y', colour: 'red' }, 't'), 'UndeclaredParameter', (m) => m.includes("'rtspurl', 'colour'") && m.includes('declared: rtspUrl, rtspUserName'));
  });

  it('checks Int, Double and Bool values and non-string values without echoing them', () => {
    rejects(() => resolveParameters(DECLARED, { rtspUrl: 'x', frameRate: '2.5' }, 't'), 'InvalidParameter', (m) => m.includes("'frameRate' must be an Int") && !m.includes('2.5'));
    rejects(() => resolveParameters(DECLARED, { rtspUrl: 'x', threshold: 'abc' }, 't'), 'InvalidParameter', (m) => m.includes("'threshold' must be a Double"));
    rejects(() => resolveParameters(DECLARED, { rtspUrl: 'x', enabled: 'yes' }, 't'), 'InvalidParameter', (m) => m.includes("'enabled' must be a Bool"));
    rejects(() => resolveParameters(DECLARED, { rtspUrl: 'x', rtspPassword: 42 as unknown as string }, 't'), 'InvalidParameter', (m) => m.includes("'rtspPassword' must be a string value") && !m.includes('42'));
  });

  it('substitutes ${name} everywhere, leaves ${System.*}, refuses references to undeclared names', () => {
    const values = { a: 'A', b: 'B' };
    assert.deepEqual(substituteParameters({ x: '${a}-${b}-${System.PipelineName}', y: ['${a}', 3, true], z: { w: 'plain' } }, values, 'n'), { x: 'A-B-${System.PipelineName}', y: ['A', 3, true], z: { w: 'plain' } });
    rejects(() => substituteParameters({ endpoint: { url: '${rtspURL}' } }, values, "node 'src'"), 'InvalidTopology', (m) => m === "node 'src'.endpoint.url refers to ${rtspURL}, which is not a declared parameter");
  });

  it('masks every secret value, longest first', () => {
    assert.equal(maskSecrets('user pw and pw2 and pw', ['pw', 'pw2']), 'user *** and *** and ***');
    assert.equal(maskSecrets('nothing here', []), 'nothing here');
  });
});
