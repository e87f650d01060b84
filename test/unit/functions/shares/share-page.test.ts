import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HttpRequest, InvocationContext } from '@azure/functions';
import { sharePage } from '../../../../functions/shares/share-page';
import { viewerAsset } from '../../../../functions/viewer/viewer-asset';
import { viewerFiles } from '../../../../functions/viewer/viewer-files';

const context = () => new InvocationContext({ functionName: 'share-page', logHandler: () => {} });
const request = (path: string, params: Record<string, string> = {}) => new HttpRequest({ method: 'GET', url: `http://127.0.0.1:7071/api/${path}`, params });

describe('share link page', () => {
  it('names its own assets and hls.js, two levels up from /api/share/{cameraId}/{shareId}, by content version', async () => {
    const res = await sharePage(request('share/door/AAAAAAAAAAAAAAAAAAAAAA', { cameraId: 'door', shareId: 'AAAAAAAAAAAAAAAAAAAAAA' }), context());
    assert.equal(res.status, 200);
    const html = Buffer.from(res.body as Buffer).toString('utf8');
    assert.match(html, /^<!doctype html>/);
    assert.doesNotMatch(html, /\{\{/);
    const { assets } = viewerFiles();
    for (const name of ['share.js', 'share.css', 'hls.min.js'] as const) assert.ok(html.includes(`"../../viewer/${name}?v=${assets[name].version}"`), name);
    assert.doesNotMatch(html, /viewer\.js/, 'not the viewer, which asks for a key');
    const headers = res.headers as Record<string, string>;
    assert.equal(headers['referrer-policy'], 'no-referrer', 'the link token never leaves in a Referer');
    assert.match(headers['content-security-policy'], /script-src 'self';/);
  });

  it('share.js and share.css are served among the viewer assets', async () => {
    for (const [asset, type] of [['share.js', /^text\/javascript/], ['share.css', /^text\/css/]] as const) {
      const res = await viewerAsset(request(`viewer/${asset}`, { asset }), context());
      assert.equal(res.status, 200, asset);
      assert.match((res.headers as Record<string, string>)['content-type'], type);
    }
  });
});
