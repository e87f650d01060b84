import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenPrincipal } from '../../../../functions/auth/token-principal';

const scope = (claims: Record<string, unknown>, cameraGroups?: Record<string, '*' | string[]>) => {
  const c = tokenPrincipal(claims, cameraGroups ? { cameraGroups } : {}).cameras;
  return c === '*' ? '*' : [...c].sort();
};

describe('tokenPrincipal: roles and camera scope of a verified token', () => {
  it('takes sub (else oid, azp) and the string roles', () => {
    const p = tokenPrincipal({ sub: 'u1', roles: ['Keepwatch.Viewer', 7, 'Keepwatch.Operator'] }, {});
    assert.equal(p.subject, 'u1');
    assert.deepEqual([...p.roles], ['Keepwatch.Viewer', 'Keepwatch.Operator']);
    assert.equal(tokenPrincipal({ oid: 'o1' }, {}).subject, 'o1');
    assert.equal(tokenPrincipal({ roles: 'Keepwatch.Admin' }, {}).roles.size, 0, 'roles must be an array');
  });

  it('cameras claim: the list, "*" for all; absent = all when no group mapping is configured', () => {
    assert.deepEqual(scope({ cameras: ['door', 'yard'] }), ['door', 'yard']);
    assert.equal(scope({ cameras: '*' }), '*');
    assert.equal(scope({ cameras: ['door', '*'] }), '*');
    assert.equal(scope({}), '*');
    assert.deepEqual(scope({ cameras: [] }), [], 'an empty list is no camera');
    assert.deepEqual(scope({ cameras: 'door' }), [], 'a string other than "*" is malformed: no camera');
  });

  it('with a group mapping: the union of the claim and the mapped groups; no claim and no mapped group = none', () => {
    const groups = { 'g-door': ['door'], 'g-all': '*' as const };
    assert.deepEqual(scope({ groups: ['g-door'] }, groups), ['door']);
    assert.deepEqual(scope({ groups: ['g-door'], cameras: ['yard'] }, groups), ['door', 'yard']);
    assert.equal(scope({ groups: ['g-door', 'g-all'] }, groups), '*');
    assert.deepEqual(scope({ groups: ['other'] }, groups), []);
    assert.deepEqual(scope({}, groups), [], 'fail closed');
  });
});
