import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byPrecedence, compileRoute, matchRoute } from '../../../local/functions-host-routes';

describe('local functions host: route templates', () => {
  const playback = compileRoute('cameras/{cameraId}/playback', 'playback');

  it('matches literals case-insensitively and decodes parameters after splitting', () => {
    assert.deepEqual(matchRoute(playback, 'cameras/cam1/playback'), { cameraId: 'cam1' });
    assert.deepEqual(matchRoute(playback, 'Cameras/cam1/PLAYBACK'), { cameraId: 'cam1' });
    assert.deepEqual(matchRoute(playback, 'cameras/..%2Fx/playback'), { cameraId: '../x' });
    assert.deepEqual(matchRoute(playback, 'cameras/a%20b/playback'), { cameraId: 'a b' });
  });

  it('lets an empty segment through as an empty parameter (the handler answers 400)', () => {
    assert.deepEqual(matchRoute(playback, 'cameras//playback'), { cameraId: '' });
  });

  it('does not match other shapes', () => {
    for (const p of ['cameras/cam1', 'cameras/cam1/playback/x', 'cameras/a/b/playback', 'camera/cam1/playback', '']) {
      assert.equal(matchRoute(playback, p), undefined, p);
    }
  });

  it('supports optional and catch-all parameters, and ignores constraints', () => {
    assert.deepEqual(matchRoute(compileRoute('items/{id?}', 0), 'items'), {});
    assert.deepEqual(matchRoute(compileRoute('items/{id?}', 0), 'items/7'), { id: '7' });
    assert.deepEqual(matchRoute(compileRoute('files/{*path}', 0), 'files/a/b%2Fc'), { path: 'a/b/c' });
    assert.deepEqual(matchRoute(compileRoute('n/{id:int}', 0), 'n/5'), { id: '5' });
    assert.deepEqual(matchRoute(compileRoute('health', 0), 'health'), {});
  });

  it('throws on invalid percent-encoding in a parameter, and refuses mixed segments at compile time', () => {
    assert.throws(() => matchRoute(playback, 'cameras/%E0%A4%A/playback'), URIError);
    assert.equal(matchRoute(compileRoute('health', 0), '%zz'), undefined);
    assert.throws(() => compileRoute('files/{name}.m3u8', 0), /mixes text and a parameter/);
  });

  it('tries the most specific route first', () => {
    const routes = byPrecedence([compileRoute('cameras/{id}/{action}', 'generic'), compileRoute('cameras/{id}/playback', 'specific')]);
    assert.equal(routes[0].target, 'specific');
  });
});
